import { describe, expect, it } from 'vitest';
import { categoricalColumn, numericColumn } from '../data/index.js';
import { baselineFiles, monitorCheck, monitorCheckFiles, parseBaselineFiles, suggestBaseline } from './index.js';

describe('CLI files', () => {
  const frame = { rowCount: 6, columns: [numericColumn('x', Float64Array.from([1, 2, 3, 4, 5, 6])), categoricalColumn('s', ['a', 'b', 'a', 'b', 'a', 'b'])] };
  it('baseline files round-trip and are byte-identical for the same data', () => {
    const files = baselineFiles(suggestBaseline(frame));
    expect(baselineFiles(suggestBaseline(frame))).toEqual(files);
    const back = parseBaselineFiles({ statistics: files['statistics.json'], constraints: files['constraints.json'] });
    expect(back.statistics.features.map((f) => f.name)).toEqual(['x', 's']);
    const out = monitorCheckFiles(back, monitorCheck(back, frame), { title: 't', runAt: '2026-11-29T00:00:00Z' });
    expect(Object.keys(out).sort()).toEqual(['constraint_violations.json', 'drift_report.json', 'report.html', 'statistics.json']);
    expect(JSON.parse(out['constraint_violations.json']!)).toEqual({ violations: [] });
  });
  it('bad files give one clear INVALID_INPUT error', () => {
    expect(() => parseBaselineFiles({ statistics: '{', constraints: '{}' })).toThrow(/statistics.json is not valid JSON/);
    const files = baselineFiles(suggestBaseline(frame));
    const c = JSON.parse(files['constraints.json']);
    c.features.push({ name: 'ghost', inferred_type: 'String' });
    expect(() => parseBaselineFiles({ statistics: files['statistics.json'], constraints: JSON.stringify(c) })).toThrow(/missing from statistics.json: ghost/);
  });
});

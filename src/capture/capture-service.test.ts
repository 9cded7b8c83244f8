import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { formatCaptureLine, formatGroundTruthLine } from '../monitoring/index.js';
import { GOLDEN_DIR, readJson } from '../../test/support/golden.js';
import { testDialects } from '../../test/support/databases.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';

/** The golden model's test-split scores as captured traffic over three hours, labels arriving later. */
function scenario(): { captures: string; truthFirst: string; truthLate: string; rows: number } {
  const lines = readFileSync(join(GOLDEN_DIR, 'stats', 'binary_scores.csv'), 'utf8').trim().split('\n').slice(1);
  const start = Date.UTC(2026, 10, 1, 9, 0, 0);
  const captures: string[] = [];
  const truth: string[] = [];
  lines.forEach((line, i) => {
    const [label, score] = line.split(',');
    captures.push(
      formatCaptureLine({
        eventId: `evt-${i}`,
        inferenceId: `loan-${i}`,
        inferenceTime: new Date(start + Math.floor((i / lines.length) * 3 * 3_600_000)),
        input: { observedContentType: 'text/csv', mode: 'INPUT', data: `${i}`, encoding: 'CSV' },
        output: { observedContentType: 'text/csv', mode: 'OUTPUT', data: score!, encoding: 'CSV' },
      }),
    );
    truth.push(formatGroundTruthLine(`loan-${i}`, label!));
  });
  const half = Math.floor(truth.length / 2);
  return { captures: captures.join('\n'), truthFirst: truth.slice(0, half).join('\n'), truthLate: truth.slice(half).join('\n'), rows: lines.length };
}

describe.each(testDialects())('capture and model quality on %s', (dialect) => {
  let t: TestInstallation;
  let projectId: string;
  const s = scenario();
  beforeAll(async () => {
    t = await createTestInstallation(dialect, 'fs');
    projectId = await projectIdByName(t.app, 'default');
  });
  afterAll(async () => t?.dispose());

  it('stores captures encrypted in hourly partitions and rejects malformed records', async () => {
    const r = await t.app.capture.ingestCaptures(TEST_ACTOR, projectId, 'credit-endpoint', s.captures);
    expect(r.records).toBe(s.rows);
    expect(r.partitions.map((p) => p.name)).toEqual(['capture/credit-endpoint/2026/11/01/09', 'capture/credit-endpoint/2026/11/01/10', 'capture/credit-endpoint/2026/11/01/11']);
    await expect(t.app.capture.ingestCaptures(TEST_ACTOR, projectId, 'credit-endpoint', '{"captureData":{}}')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const window = await t.app.capture.captures(TEST_ACTOR, projectId, 'credit-endpoint', '2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z');
    expect(window.length).toBeGreaterThan(1000);
    expect(window.every((c) => c.eventMetadata.inferenceTime.startsWith('2026-11-01T10'))).toBe(true);
  });

  it('computes model quality as labels arrive, equal to scikit-learn once all are in', async () => {
    await t.app.capture.ingestGroundTruth(TEST_ACTOR, projectId, 'credit-endpoint', s.truthFirst);
    const partial = await t.app.capture.binaryQuality(TEST_ACTOR, projectId, { source: 'credit-endpoint' });
    expect(partial.merged).toBe(Math.floor(s.rows / 2));
    expect(partial.unmatchedCaptures).toBe(s.rows - partial.merged);
    await t.app.capture.ingestGroundTruth(TEST_ACTOR, projectId, 'credit-endpoint', s.truthLate);
    const full = await t.app.capture.binaryQuality(TEST_ACTOR, projectId, {
      source: 'credit-endpoint',
      constraints: { auc: { threshold: 0.8, comparison_operator: 'LessThanThreshold' }, accuracy: { threshold: 0.5, comparison_operator: 'LessThanThreshold' } },
    });
    expect(full.merged).toBe(s.rows);
    const golden = readJson<{ roc_auc: number }>(join(GOLDEN_DIR, 'stats', 'binary_metrics.json'));
    expect(full.binary_classification_metrics.auc?.value).toBeCloseTo(golden.roc_auc, 9);
    expect(typeof full.binary_classification_metrics.auc?.standard_deviation).toBe('number');
    expect(full.violations.map((v) => v.metric_name)).toEqual(['auc']);
  });
});

describe('label-free performance estimation over captured traffic', () => {
  it('estimates accuracy and AUC within 0.02 of the realised values, side by side once labels are in', async () => {
    const t = await createTestInstallation('sqlite', 'fs');
    try {
      const projectId = await projectIdByName(t.app, 'default');
      const s = scenario();
      await t.app.capture.ingestCaptures(TEST_ACTOR, projectId, 'ep', s.captures);
      const lines = readFileSync(join(GOLDEN_DIR, 'stats', 'binary_scores.csv'), 'utf8').trim().split('\n').slice(1);
      // Reference: every other scored row with its label (the rest plays live traffic).
      const ref = lines.filter((_, i) => i % 2 === 0).map((l) => l.split(',').map(Number));
      const reference = { scores: Float64Array.from(ref, (r) => r[1]!), labels: Float64Array.from(ref, (r) => r[0]!) };
      const estimate = await t.app.capture.estimatePerformance(TEST_ACTOR, projectId, { source: 'ep', reference });
      expect(estimate.realised).toBeUndefined();
      await t.app.capture.ingestGroundTruth(TEST_ACTOR, projectId, 'ep', `${s.truthFirst}\n${s.truthLate}`);
      const both = await t.app.capture.estimatePerformance(TEST_ACTOR, projectId, { source: 'ep', reference });
      expect(Math.abs(both.estimated.accuracy - both.realised!.accuracy)).toBeLessThan(0.02);
      expect(Math.abs(both.estimated.roc_auc - both.realised!.roc_auc)).toBeLessThan(0.02);
    } finally {
      await t.dispose();
    }
  });
});

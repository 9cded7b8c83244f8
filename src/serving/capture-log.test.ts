/**
 * Group write of the capture log: appends made in one turn of the event loop become one sealed WAL
 * line and one write(2); each is acknowledged only once that write returned, and every
 * acknowledged record is stored by the next flush.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdByName } from '../app/index.js';
import { buildCaptureRecord, encodeCaptureContent } from '../monitoring/index.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { CaptureEntry } from './capture-log.js';
import { CaptureLog } from './capture-log.js';

describe('capture log group write', () => {
  let t: TestInstallation;
  let pid: string;
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    pid = await projectIdByName(t.app, 'default');
  }, 60_000);
  afterAll(async () => t?.dispose());

  const entry = (i: number): CaptureEntry => ({
    projectId: pid,
    source: 'grouped',
    inferenceTime: '2026-01-02T03:04:05Z',
    line: JSON.stringify(buildCaptureRecord({ eventId: `evt_${i}`, inferenceTime: new Date('2026-01-02T03:04:05Z'), input: encodeCaptureContent('INPUT', 'text/csv', '1,2'), output: encodeCaptureContent('OUTPUT', 'text/csv', '0.5') })),
  });

  it('writes the appends of one turn as one line, acknowledges them after it, and stores them all', async () => {
    const log = await CaptureLog.open({ root: join(t.home, 'serving', 'capture-wal-group'), keys: t.app.keys, artifacts: t.app.artifacts, actor: { principal: 'system:serving' }, flushIntervalMs: 60_000 });
    try {
      const acks = Array.from({ length: 20 }, (_, i) => log.append([entry(i)]));
      // Nothing is acknowledged before the group write has run.
      expect(log.stats.appended).toBe(0);
      await Promise.all(acks);
      expect(log.stats.appended).toBe(20);
      const segments = readdirSync(log.dir).filter((f) => f.endsWith('.wal'));
      expect(segments.length).toBe(1);
      const lines = readFileSync(join(log.dir, segments[0]!), 'utf8').trim().split('\n');
      // The header and one sealed line for the twenty records; no record in clear.
      expect(lines.length).toBe(2);
      expect(lines[1]).not.toContain('evt_');
      await Promise.all([log.append([entry(20), entry(21)]), log.append([entry(22)])]);
      await log.flush();
      expect(log.stats.stored).toBe(23);
    } finally {
      await log.close();
    }
    const stored = await t.app.capture.captures(TEST_ACTOR, pid, 'grouped');
    expect(new Set(stored.map((r) => r.eventMetadata.eventId)).size).toBe(23);
  });
});

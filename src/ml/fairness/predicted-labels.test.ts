/**
 * `attest bias --predicted` on German credit: predicted labels are matched like the label, whatever
 * their coding (1/2 as in the UCI file, 0/1, or text), and only scores are thresholded. Before, the
 * CLI cut every predicted column at 0.5, so labels coded 1/2 all counted as positive (DI = 1, DPPL = 0).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from '../../../test/support/cli.js';
import { GOLDEN_DIR } from '../../../test/support/golden.js';
import type { BiasReport } from './index.js';
import { readBiasReportDocument } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-bias-predicted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** German credit with `class` and a rule-based prediction in three codings. */
function germanCreditVariants(): Record<'text' | 'oneTwo' | 'zeroOne' | 'score', string> {
  const lines = readFileSync(join(REPO_ROOT, 'datasets', 'german_credit.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const checking = header.indexOf('checking_status');
  const duration = header.indexOf('duration_months');
  const sex = header.indexOf('personal_status_sex');
  const cls = header.indexOf('class');
  const rows = lines.slice(1).map((l) => l.split(','));
  const out = { text: ['sex,class,pred'], oneTwo: ['sex,class,pred'], zeroOne: ['sex,class,pred'], score: ['sex,class,pred'] };
  for (const r of rows) {
    const bad = r[cls] === 'bad';
    // A crude scorecard: an overdrawn account or a long loan predicts "bad".
    const months = Number(r[duration]);
    const predBad = r[checking] === '<0 DM' || months > 30;
    const s = r[sex]!.startsWith('female') ? 'female' : 'male';
    out.text.push(`${s},${bad ? 'bad' : 'good'},${predBad ? 'bad' : 'good'}`);
    out.oneTwo.push(`${s},${bad ? 2 : 1},${predBad ? 2 : 1}`);
    out.zeroOne.push(`${s},${bad ? 1 : 0},${predBad ? 1 : 0}`);
    // Scores with the same cut at 0.5, not all 0/1.
    out.score.push(`${s},${bad ? 1 : 0},${predBad ? (0.5 + months / 200).toFixed(3) : (0.5 - months / 200).toFixed(3)}`);
  }
  const files = {} as Record<keyof typeof out, string>;
  for (const [k, v] of Object.entries(out) as [keyof typeof out, string[]][]) {
    files[k] = join(dir, `german-${k}.csv`);
    writeFileSync(files[k], `${v.join('\n')}\n`);
  }
  return files;
}

const files = germanCreditVariants();

async function bias(args: string[]): Promise<{ report: BiasReport; stderr: string }> {
  const output = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli(['bias', ...args, '--bootstrap', '0', '--output', output]);
  expect(r.code, r.stderr).toBe(0);
  return { report: readBiasReportDocument(JSON.parse(readFileSync(output, 'utf8'))), stderr: r.stderr };
}

function post(report: BiasReport, name: string): number {
  const m = report.post_training_bias_metrics!.facets.sex![0]!.metrics.find((x) => x.name === name)!;
  return m.value as number;
}

describe('bias --predicted on German credit', () => {
  const common = ['--label', 'class', '--facet', 'sex', '--sensitive', 'female', '--predicted', 'pred'];

  it('gives the same post-training metrics for predicted labels coded 0/1, 1/2 and as text', async () => {
    const zeroOne = (await bias(['--data', files.zeroOne, '--positive', '0', ...common])).report;
    const oneTwo = (await bias(['--data', files.oneTwo, '--positive', '1', ...common])).report;
    const text = (await bias(['--data', files.text, '--positive', 'good', ...common])).report;
    for (const name of ['DI', 'DPPL', 'RD', 'DCA', 'DAR', 'AD']) {
      expect(post(oneTwo, name), name).toBe(post(zeroOne, name));
      expect(post(text, name), name).toBe(post(zeroOne, name));
    }
    // The 1/2 coding no longer makes every prediction positive.
    expect(post(oneTwo, 'DI')).not.toBe(1);
    expect(post(oneTwo, 'DPPL')).not.toBe(0);
    expect(oneTwo.attest.predicted).toEqual({ column: 'pred', basis: 'labels', positive_values: ['1'], positive_from: 'label' });
    expect(oneTwo.attest.notes.join(' ')).toMatch(/read as predicted labels coded like the label/);
  });

  it('matches predicted labels with their own --predicted-positive values (text predictions, numeric label)', async () => {
    // Label coded 1/2, predictions as text: only --predicted-positive can relate them.
    const mixed = join(dir, 'german-mixed.csv');
    const text = readFileSync(files.text, 'utf8').trim().split('\n');
    const oneTwo = readFileSync(files.oneTwo, 'utf8').trim().split('\n');
    writeFileSync(mixed, `${['sex,class,pred', ...text.slice(1).map((l, i) => `${oneTwo[i + 1]!.split(',').slice(0, 2).join(',')},${l.split(',')[2]}`)].join('\n')}\n`);
    const { report } = await bias(['--data', mixed, '--positive', '1', ...common, '--predicted-positive', 'good']);
    const reference = (await bias(['--data', files.oneTwo, '--positive', '1', ...common])).report;
    expect(post(report, 'DI')).toBe(post(reference, 'DI'));
    expect(report.attest.predicted).toEqual({ column: 'pred', basis: 'labels', positive_values: ['good'], positive_from: 'predicted-positive' });
    const refused = await cli(['bias', '--data', mixed, '--positive', '1', ...common, '--output', join(dir, 'x.json')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No Label values are present in the predicted Label Column/);
  });

  it('thresholds scores (detected, or with --predicted-threshold) and says so', async () => {
    const labels = (await bias(['--data', files.zeroOne, '--positive', '1', ...common])).report;
    const detected = (await bias(['--data', files.score, '--positive', '1', ...common])).report;
    expect(detected.attest.predicted).toEqual({ column: 'pred', basis: 'scores', threshold: 0.5, threshold_from: 'detected' });
    expect(post(detected, 'DI')).toBe(post(labels, 'DI'));
    const explicit = (await bias(['--data', files.score, '--positive', '1', ...common, '--predicted-threshold', '0.6'])).report;
    expect(explicit.attest.predicted).toEqual({ column: 'pred', basis: 'scores', threshold: 0.6, threshold_from: 'flag' });
    expect(post(explicit, 'DI')).not.toBe(post(labels, 'DI'));
    const both = await cli(['bias', '--data', files.score, '--positive', '1', ...common, '--predicted-threshold', '0.6', '--predicted-positive', '1', '--output', join(dir, 'y.json')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });
});

describe('bias --threshold on an integer facet with few distinct values', () => {
  it('warns on stderr and in the report that it selects equality, with the group sizes', async () => {
    const data = join(GOLDEN_DIR, 'fairness', 'credit_default_age_over_40.csv');
    const { report, stderr } = await bias(['--data', data, '--label', 'default', '--positive', '1', '--facet', 'AGE', '--threshold', '40']);
    const ext = report.attest.pre_training[0]!;
    expect(report.attest.facet_type).toBe('categorical');
    const expected = `${ext.n_d} rows with AGE == 40 (group d) against ${ext.n_a} others (group a)`;
    expect(stderr).toContain('attest: warning:');
    expect(stderr).toContain(expected);
    expect(report.attest.warnings.join(' ')).toContain(expected);
  });
});

/**
 * PDF export end to end: the full model card and the full validation report — findings,
 * comments, sign-off, approvals, a challenger comparison, a back-test of twelve months and stress
 * scenarios, computed by ml/challenge on generated rows — printed by /usr/bin/chromium. Checks that
 * each is a valid PDF of several pages carrying the document's title, and the text itself when
 * poppler's pdftotext is installed. Skipped, saying so, without Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numericColumn } from '../data/index.js';
import type { FeatureMatrix } from '../data/index.js';
import { createRandom } from '../kernel/index.js';
import { backtest, compareChallenger, stressTest } from '../ml/challenge/index.js';
import type { CardBacktest, CardChallenger, CardStressTest, ModelCard } from '../registry/index.js';
import { chromiumPath, htmlToPdf, renderModelCardHtml } from '../registry/index.js';
import type { ValidationWorkspace } from './index.js';
import { renderValidationReportHtml } from './index.js';

const CHROMIUM = chromiumPath();
const PDFTOTEXT = ['/usr/bin/pdftotext'].find((p) => existsSync(p));
if (!CHROMIUM) console.warn('validation-pdf.test: skipped — no Chromium (apt-get install chromium, or set ATTEST_CHROMIUM)');

/** A full card: every section filled from computed results. */
function fullCard(): { card: ModelCard; ws: ValidationWorkspace } {
  const random = createRandom(42);
  const n = 1200;
  const x = new Float32Array(n * 2);
  const labels = new Float64Array(n);
  const dates = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const income = 20_000 + random.next() * 80_000;
    const utilisation = random.next();
    x[i * 2] = income;
    x[i * 2 + 1] = utilisation;
    labels[i] = random.next() < 1 / (1 + Math.exp(-(3 * utilisation - income / 40_000))) ? 1 : 0;
    dates[i] = Date.UTC(2024, Math.floor(i / 100), 1 + (i % 28));
  }
  const matrix: FeatureMatrix = { rows: n, cols: 2, values: x };
  const model = (w: number) => (m: FeatureMatrix) => Float64Array.from({ length: m.rows }, (_, i) => 1 / (1 + Math.exp(-(w * m.values[i * 2 + 1]! - m.values[i * 2]! / 40_000))));
  const candidate = model(3)(matrix);
  const champion = model(2)(matrix);
  const c = compareChallenger(labels, candidate, champion, { threshold: 0.5, replicates: 500, seed: 9 });
  const b = backtest(labels, candidate, numericColumn('application_date', dates, 'datetime'), { granularity: 'month' }, { threshold: 0.5, flag: { metric: 'auc', below: 0.7 } });
  const s = stressTest(matrix, ['income', 'utilisation'], model(3), [
    { name: 'income -20%', feature: 'income', multiply: 0.8 },
    { name: 'utilisation +30%', transforms: [{ feature: 'utilisation', multiply: 1.3 }, { feature: 'utilisation', clip: { max: 1 } }] },
    { name: 'rates shock', feature: 'utilisation', add: 0.1 },
  ], { threshold: 0.5, labels });
  const challenger: CardChallenger = {
    artifactId: 'art_challenger',
    jobId: 'job_challenger',
    holdout: 'holdout@1',
    championGroup: 'scorecard',
    championVersion: 1,
    rows: c.rows,
    threshold: c.threshold,
    metrics: Object.keys(c.candidate.metrics).map((m) => ({ metric: m, candidate: c.candidate.metrics[m as 'auc'], champion: c.champion.metrics[m as 'auc'], difference: c.difference[m as 'auc'] })),
    aucDifference: { difference: c.aucDifference.difference, lower: c.aucDifference.lower, upper: c.aucDifference.upper, confidence: c.aucDifference.confidence, replicates: c.aucDifference.replicates, seed: c.aucDifference.seed },
    agreement: { flips: c.agreement.flips, agreementRate: c.agreement.agreementRate, candidateOnlyPositive: c.agreement.candidateOnlyPositive, championOnlyPositive: c.agreement.championOnlyPositive },
  };
  const backtests: CardBacktest[] = [
    {
      artifactId: 'art_backtest',
      jobId: 'job_backtest',
      column: b.column,
      periods: b.periods.map((p) => ({ period: p.period, rows: p.rows, positiveRate: p.positiveRate, auc: p.metrics.auc, ks: p.metrics.ks, accuracy: p.metrics.accuracy, brier: p.metrics.brier, flagged: p.flagged, reasons: p.reasons })),
      flaggedPeriods: b.flaggedPeriods,
    },
  ];
  const stressTests: CardStressTest[] = [
    {
      artifactId: 'art_stress',
      jobId: 'job_stress',
      rows: s.rows,
      threshold: s.threshold,
      scenarios: s.scenarios.map((x) => ({ name: x.name, transforms: x.transforms.map((t) => `${t.feature}`).join('; '), meanShift: x.meanShift, meanAbsoluteShift: x.meanAbsoluteShift, flipped: x.flipped, flippedShare: x.flippedShare, positiveRateBefore: x.positiveRateBefore, positiveRateAfter: x.positiveRateAfter, p50Before: x.percentilesBefore.p50 ?? null, p50After: x.percentilesAfter.p50 ?? null, p95Before: x.percentilesBefore.p95 ?? null, p95After: x.percentilesAfter.p95 ?? null })),
    },
  ];
  const at = '2026-12-02T12:00:00.000Z';
  const card: ModelCard = {
    format: 'attest-model-card/1',
    generatedAt: at,
    group: 'scorecard',
    version: 2,
    versionId: 'mp_2',
    status: 'Approved',
    riskTier: 1,
    fields: { intendedUse: 'Probability of default for retail credit cards', limitations: 'Not for SME lending', owner: 'Retail Credit Risk', revision: 2, editedBy: 'user:dana', editedAt: at },
    registeredBy: 'user:dana',
    registeredAt: at,
    provenance: 'job',
    artifact: { artifactId: 'art_model', sha256: 'a'.repeat(64), mediaType: 'application/vnd.xgboost.model+json' },
    training: { jobId: 'job_train', componentId: 'tc_train', codeCommit: 'b'.repeat(40), parameters: { max_depth: 3, eta: 0.1, num_round: 200 }, data: [{ role: 'train', ref: 'credit-train@1', sha256: 'c'.repeat(64), rows: 24_000, columns: 24 }] },
    signature: { features: [{ name: 'income', type: 'fractional' }, { name: 'utilisation', type: 'fractional' }], label: 'default' },
    metricsBySplit: { test: { auc: c.candidate.metrics.auc ?? 0, ks: c.candidate.metrics.ks ?? 0 } },
    shapImportance: [{ name: 'utilisation', value: 0.7 }, { name: 'income', value: 0.2 }],
    bias: [{ artifactId: 'art_bias', facet: 'SEX', value: '2', metric: 'DI', estimate: 0.97, lower: 0.88, upper: 1.08 }],
    monitoringBaseline: [{ artifactId: 'art_baseline', sha256: 'd'.repeat(64) }],
    challenger: [challenger],
    backtests,
    stressTests,
    validation: { findings: [{ title: 'Unstable on thin-file applicants', severity: 'high', status: 'remediated' }], signOffs: [{ principal: 'user:victor', at }] },
    approvals: [{ decision: 'Approved', principal: 'user:victor', at, comment: 'approved after validation', independent: true }],
    aliases: ['production'],
  };
  const finding = (id: string, title: string, severity: 'high' | 'medium' | 'low', status: 'open' | 'remediated') => ({ findingId: id, versionId: 'mp_2', title, severity, status, description: `${title}: details of the test performed, the evidence and the effect on the model's use.`, createdAt: at, createdBy: 'user:victor', updatedAt: at, updatedBy: 'user:victor' });
  const ws: ValidationWorkspace = {
    group: 'scorecard',
    version: 2,
    versionId: 'mp_2',
    status: 'Approved',
    findings: [finding('fnd_1', 'Unstable on thin-file applicants', 'high', 'remediated'), finding('fnd_2', 'Documentation of overrides thin', 'low', 'open'), finding('fnd_3', 'Back-test weak in one quarter', 'medium', 'remediated')],
    comments: [{ commentId: 'cmt_1', findingId: 'fnd_1', text: 'Added a thin-file segment model', at, by: 'user:dana' }],
    signOffs: [{ signOffId: 'sgn_1', principal: 'user:victor', comment: 'Fit for purpose with one low finding', reportArtifactId: null, at, independence: { independent: true } }],
    evidence: [
      { kind: 'challenger-comparison', artifactId: 'art_challenger', sha256: 'e'.repeat(64), jobId: 'job_challenger', attachedBy: 'user:tester', attachedAt: at },
      { kind: 'backtest', artifactId: 'art_backtest', sha256: 'f'.repeat(64), jobId: 'job_backtest', attachedBy: 'user:tester', attachedAt: at },
      { kind: 'stress-test', artifactId: 'art_stress', sha256: '0'.repeat(64), jobId: 'job_stress', attachedBy: 'user:tester', attachedAt: at },
    ],
  };
  return { card, ws };
}

/** A PDF's structure: header, end marker, page objects (not the /Pages tree), and its Info title. */
function inspectPdf(pdf: Buffer): { pages: number; title: string | undefined } {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.subarray(-1024).toString('latin1')).toContain('%%EOF');
  const text = pdf.toString('latin1');
  const pages = (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  return { pages, title: /\/Title \(([^)]*)\)/.exec(text)?.[1] };
}

describe('PDF export of the full model card and validation report', () => {
  it.skipIf(!CHROMIUM)('prints both with Chromium as multi-page PDFs with the expected content', async () => {
    const { card, ws } = fullCard();
    const cardHtml = renderModelCardHtml(card);
    const reportHtml = renderValidationReportHtml(card, ws);
    for (const text of ['Challenger comparison', 'Back-testing', 'Stress tests', '2024-12', 'utilisation +30%']) expect(cardHtml).toContain(text);
    for (const text of ['4. Findings', 'Unstable on thin-file applicants', 'Challenger against champion', 'Back-testing per period', 'Stress scenarios']) expect(reportHtml).toContain(text);
    const dir = mkdtempSync(join(tmpdir(), 'attest-pdf-test-'));
    try {
      for (const [name, html, title, expected] of [
        ['card', cardHtml, 'Model card scorecard v2', ['Challenger comparison', 'Stress tests', 'income -20%']],
        ['report', reportHtml, 'Validation report scorecard v2', ['Outcomes analysis', 'Unstable on thin-file applicants', 'Back-testing per period']],
      ] as const) {
        const pdf = await htmlToPdf(html, { timeoutMs: 180_000 });
        const info = inspectPdf(pdf);
        expect(info.pages, `${name}: pages`).toBeGreaterThan(1);
        expect(info.title).toBe(title);
        expect(pdf.length).toBeGreaterThan(20_000);
        if (PDFTOTEXT) {
          const file = join(dir, `${name}.pdf`);
          writeFileSync(file, pdf);
          const text = execFileSync(PDFTOTEXT, ['-layout', file, '-'], { encoding: 'utf8' });
          for (const e of expected) expect(text).toContain(e);
        } else {
          console.warn(`validation-pdf.test: pdftotext absent (apt-get install poppler-utils); checked ${name}.pdf by structure: ${info.pages} pages, ${pdf.length} bytes, title "${info.title}"`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});

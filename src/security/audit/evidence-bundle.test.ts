import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, REPO_ROOT } from '../../../test/support/cli.js';
import { testDialects } from '../../../test/support/databases.js';
import type { ServerFixture } from '../../../test/support/server-fixture.js';
import { startServerFixture } from '../../../test/support/server-fixture.js';
import { TEST_ACTOR } from '../../../test/support/test-app.js';
import type { EvidenceBundle } from './index.js';
import { governed, verifyEvidenceBundle } from './index.js';
import { leafHash, verifyInclusion } from './merkle.js';

const python = spawnSync('python3', ['--version']).status === 0;
const SCRIPT = join(REPO_ROOT, 'scripts', 'verify-audit-bundle.py');

describe.each(testDialects())('audit evidence on %s', (dialect) => {
  let f: ServerFixture;
  let bundle: EvidenceBundle;
  beforeAll(async () => {
    f = await startServerFixture(dialect, { checkpointIntervalMs: 0 });
    const { app } = f.t;
    // Several tree heads of different sizes, details with numbers and text a canonicaliser must get right.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 7 + round; i++) {
        await governed({ db: app.db, ledger: app.ledger }, TEST_ACTOR, 'test:Write', `thing/${round}/${i}`, async () => ({ result: i, details: { i, ratio: i / 3, tiny: 1e-7 * (i + 1), big: 2 ** 60, text: 'Zürich "quoted" \n ✓', nested: { b: [1, 2.5, null], a: true } } }));
      }
      await app.checkpoint();
    }
    bundle = await app.auditTrust.bundle();
  });
  afterAll(async () => f?.dispose());

  it('proves one entry against the newest signed tree head', async () => {
    const evidence = await f.t.app.auditTrust.prove(5);
    expect(evidence.entry.seq).toBe(5);
    const root = Buffer.from(evidence.treeHead.rootHash, 'hex');
    expect(verifyInclusion(leafHash(evidence.entry.hash), 4, evidence.treeHead.treeSize, evidence.inclusionProof.map((x) => Buffer.from(x, 'hex')), root)).toBe(true);
  });

  it('builds a bundle that verifies offline, and rejects every kind of doctored bundle', () => {
    expect(bundle.treeHeads.length).toBeGreaterThanOrEqual(3);
    expect(bundle.consistencyProofs.length).toBe(bundle.treeHeads.length - 1);
    const report = verifyEvidenceBundle(JSON.parse(JSON.stringify(bundle)));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.entriesChecked).toBe(bundle.treeHeads[bundle.treeHeads.length - 1]!.treeSize);
    const doctor = (change: (b: EvidenceBundle) => void) => {
      const copy = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
      change(copy);
      return verifyEvidenceBundle(copy).ok;
    };
    expect(doctor((b) => (b.entries[3]!.entry.principal = 'user:mallory'))).toBe(false);
    expect(doctor((b) => b.entries.splice(4, 1))).toBe(false);
    expect(doctor((b) => (b.entries[2]!.inclusionProof = b.entries[3]!.inclusionProof))).toBe(false);
    expect(doctor((b) => (b.treeHeads[0]!.rootHash = b.treeHeads[1]!.rootHash))).toBe(false);
    expect(doctor((b) => (b.consistencyProofs[0]!.proof = b.consistencyProofs[0]!.proof.slice(1)))).toBe(false);
    expect(doctor((b) => (b.publicKeys[0]!.spki = b.publicKeys[0]!.spki.replace(/.{4}$/, 'AAAA')))).toBe(false);
  });

  it('serves proofs and bundles over HTTP to auditors only, and audits the reads', async () => {
    const auditor = await f.principal(`aud${dialect}`, [{ role: 'auditor' }]);
    const scientist = await f.principal(`sci${dialect}`, [{ role: 'data-scientist', project: 'default' }]);
    const proof = await f.server.inject({ method: 'GET', url: '/v1/audit/proofs/3', headers: { authorization: `Bearer ${auditor}` } });
    expect(proof.statusCode, proof.body).toBe(200);
    expect((proof.json() as { entry: { seq: number } }).entry.seq).toBe(3);
    const served = await f.server.inject({ method: 'GET', url: '/v1/audit/bundle?fromSeq=2&toSeq=6', headers: { authorization: `Bearer ${auditor}` } });
    expect(served.statusCode, served.body).toBe(200);
    const report = verifyEvidenceBundle(served.json());
    expect(report.ok).toBe(true);
    expect(report.range).toEqual({ fromSeq: 2, toSeq: 6 });
    expect((await f.server.inject({ method: 'GET', url: '/v1/audit/bundle', headers: { authorization: `Bearer ${scientist}` } })).statusCode).toBe(403);
    expect((await f.server.inject({ method: 'GET', url: '/v1/audit/proofs/0', headers: { authorization: `Bearer ${auditor}` } })).statusCode).toBe(400);
    const reads = await f.t.app.ledger.list({ action: 'audit:Export' });
    expect(reads.some((e) => e.principal === `user:aud${dialect}`)).toBe(true);
  });

  it.runIf(python)('is verified by the independent Python script, which also rejects a doctored bundle', () => {
    const good = join(f.t.home, 'bundle.json');
    writeFileSync(good, JSON.stringify(bundle));
    const ok = spawnSync('python3', [SCRIPT, good], { encoding: 'utf8' });
    expect(ok.stdout).toMatch(/^OK: /m);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const bad = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
    bad.entries[1]!.entry.details = { i: 99 };
    const badPath = join(f.t.home, 'bad.json');
    writeFileSync(badPath, JSON.stringify(bad));
    const failed = spawnSync('python3', [SCRIPT, badPath], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/entry 2: hash mismatch/);
  });

  it('round-trips through the CLI: prove, export --bundle, verify-bundle with no home', async () => {
    const home = ['--home', f.t.home];
    const proved = await cli(['audit', 'prove', '4', '--json', ...home], f.t.env);
    expect(proved.code, proved.stderr).toBe(0);
    expect((JSON.parse(proved.stdout) as { entry: { seq: number } }).entry.seq).toBe(4);
    const file = join(f.t.home, 'cli-bundle.json');
    const exported = await cli(['audit', 'export', '--bundle', file, '--from-seq', '3', ...home], f.t.env);
    expect(exported.code, exported.stderr).toBe(0);
    const env = { PATH: process.env.PATH ?? '' };
    const verified = await cli(['audit', 'verify-bundle', file], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/evidence bundle OK/);
    const doctored = JSON.parse(JSON.stringify(bundle)) as EvidenceBundle;
    doctored.entries[0]!.entry.outcome = 'denied';
    const badFile = join(f.t.home, 'cli-bad.json');
    writeFileSync(badFile, JSON.stringify(doctored));
    const rejected = await cli(['audit', 'verify-bundle', badFile], env);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/AUDIT_BUNDLE_INVALID/);
  });
});

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliProcess, spawnCli } from '../../test/support/cli.js';
import { openApp, projectIdByName } from '../app/index.js';
import { loadConfig } from '../config/index.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe('attest CLI on an embedded home', () => {
  let dir: string;
  let home: string;
  const env = () => {
    const e = { ...process.env };
    for (const k of ['ATTEST_HOME', 'ATTEST_DB_URL', 'ATTEST_STORE_URL', 'ATTEST_KEYRING_PASSPHRASE', 'ATTEST_KEYRING_FILE']) delete e[k];
    return e;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attest-cli-'));
    home = join(dir, 'home');
    const r = await cli(['init', '--home', home], env());
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to initialise twice', async () => {
    const r = await cli(['init', '--home', home], env());
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^attest: error HOME_EXISTS: /);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });

  it('keeps the keyring and configuration readable only by their owner', () => {
    expect(statSync(join(home, 'keyring.json')).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('put then get gives the same bytes, and the marker appears nowhere under the home', async () => {
    const marker = `UNIQUE-MARKER-${randomBytes(8).toString('hex')}`;
    const f = join(dir, 'f.csv');
    writeFileSync(f, `id,text\n${Array.from({ length: 500 }, (_, i) => `${i},${marker}`).join('\n')}\n`);
    const put = await cli(['artifact', 'put', f, '--home', home], env());
    expect(put.code, put.stderr).toBe(0);
    const id = put.stdout.trim();
    expect(id).toMatch(/^art_[a-z2-7]{32}$/);
    const g = join(dir, 'g.csv');
    const get = await cli(['artifact', 'get', id, '--out', g, '--home', home], env());
    expect(get.code, get.stderr).toBe(0);
    expect(readFileSync(g).equals(readFileSync(f))).toBe(true);
    for (const file of allFiles(home)) expect(readFileSync(file).includes(Buffer.from(marker)), file).toBe(false);
    const described = await cli(['artifact', 'describe', id, '--json', '--home', home], env());
    expect(JSON.parse(described.stdout).sizeBytes).toBe(statSync(f).size);
  });

  it('disabled key: reads fail with a clear message; enabled: they work', async () => {
    const f = join(dir, 'k.txt');
    writeFileSync(f, 'key state matters');
    const id = (await cli(['artifact', 'put', f, '--home', home], env())).stdout.trim();
    expect((await cli(['keys', 'disable', 'alias/attest-default', '--home', home], env())).code).toBe(0);
    const denied = await cli(['artifact', 'get', id, '--out', join(dir, 'k2.txt'), '--home', home], env());
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/KEY_DISABLED: Key key_\w+ is disabled/);
    expect(existsSync(join(dir, 'k2.txt'))).toBe(false);
    expect((await cli(['keys', 'enable', 'alias/attest-default', '--home', home], env())).code).toBe(0);
    expect((await cli(['artifact', 'get', id, '--out', join(dir, 'k2.txt'), '--home', home], env())).code).toBe(0);
  });

  it('after rotate and rewrap, old and new artifacts read back', async () => {
    const a = join(dir, 'old.txt');
    writeFileSync(a, 'old');
    const oldId = (await cli(['artifact', 'put', a, '--home', home], env())).stdout.trim();
    expect((await cli(['keys', 'rotate', 'alias/attest-default', '--home', home], env())).code).toBe(0);
    const b = join(dir, 'new.txt');
    writeFileSync(b, 'new');
    const newId = (await cli(['artifact', 'put', b, '--home', home], env())).stdout.trim();
    const rewrap = await cli(['keys', 'rewrap', '--home', home], env());
    expect(rewrap.stdout).toMatch(/Re-wrapped [1-9]\d* data key/);
    for (const [id, text] of [[oldId, 'old'], [newId, 'new']] as const) {
      const out = join(dir, `${id}.out`);
      expect((await cli(['artifact', 'get', id, '--out', out, '--home', home], env())).code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(text);
    }
    const history = await cli(['config', 'history', '--type', 'key', '--json', '--home', home], env());
    const changes = JSON.parse(history.stdout) as { change: string; before: { currentVersion: number } | null; after: { currentVersion: number } }[];
    const rotation = changes.find((c) => c.change === 'key:Rotate')!;
    expect(rotation.after.currentVersion).toBe(rotation.before!.currentVersion + 1);
  });

  it('bad input: one line on stderr, a documented exit code, nothing changed', async () => {
    const before = (await cli(['audit', 'list', '--json', '--home', home], env())).stdout;
    const missing = await cli(['artifact', 'put', join(dir, 'nope'), '--home', home], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`attest: error INVALID_INPUT: No such file: ${join(dir, 'nope')}`);
    const badDays = await cli(['keys', 'schedule-deletion', 'alias/attest-default', '--days', '3', '--home', home], env());
    expect(badDays.code).toBe(2);
    const noHome = await cli(['artifact', 'list', '--home', join(dir, 'elsewhere')], env());
    expect(noHome.code).toBe(5);
    expect(noHome.stderr).toMatch(/HOME_NOT_INITIALISED/);
    // A home under a file: a stable code naming the file, not INTERNAL ENOTDIR.
    const aFile = join(dir, 'a-file');
    writeFileSync(aFile, 'x');
    for (const args of [['init'], ['quickstart'], ['artifact', 'list']]) {
      const underFile = await cli([...args, '--home', join(aFile, 'home')], env());
      expect(underFile.code, args.join(' ')).toBe(2);
      expect(underFile.stderr).toBe(`attest: error HOME_PATH_INVALID: The home ${join(aFile, 'home')} cannot be used: ${aFile} is a file, so no directory can be created under it`);
    }
    const homeIsFile = await cli(['init', '--home', aFile], env());
    expect(homeIsFile.stderr).toBe(`attest: error HOME_PATH_INVALID: The home ${aFile} cannot be used: ${aFile} is a file, not a directory`);
    const after = (await cli(['audit', 'list', '--json', '--home', home], env())).stdout;
    expect(JSON.parse(after).length - JSON.parse(before).length).toBeLessThanOrEqual(2);
  });

  it('audit verify exits non-zero and names the entry after a direct database edit', async () => {
    const ok = await cli(['audit', 'verify', '--home', home], env());
    expect(ok.code, ok.stderr).toBe(0);
    const copy = join(dir, 'tampered');
    rmSync(copy, { recursive: true, force: true });
    const { cpSync } = await import('node:fs');
    cpSync(home, copy, { recursive: true });
    const db = new Database(join(copy, 'attest.db'));
    const victim = db.prepare("select seq, id from audit_events where action = 'artifact:Put' order by seq limit 1").get() as { seq: number; id: string };
    db.prepare("update audit_events set principal = 'os:mallory' where seq = ?").run(victim.seq);
    db.close();
    const bad = await cli(['audit', 'verify', '--home', copy], env());
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain(`FAILED at entry ${victim.seq} (${victim.id})`);
  });

  it('a kill -9 during a large put leaves no listed or half-readable artifact', async () => {
    const big = join(dir, 'big.bin');
    const fd = openSync(big, 'w');
    const block = randomBytes(1 << 20);
    for (let i = 0; i < 160; i++) writeSync(fd, block);
    closeSync(fd);
    const before = JSON.parse((await cli(['artifact', 'list', '--json', '--home', home], env())).stdout).length;
    const child = spawnCli(['artifact', 'put', big, '--home', home], env());
    const tmpDir = join(home, 'artifacts', 'tmp');
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      if (existsSync(tmpDir) && readdirSync(tmpDir).some((n) => n.endsWith('.part') && statSync(join(tmpDir, n)).size > 4 << 20)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const listed = JSON.parse((await cli(['artifact', 'list', '--json', '--home', home], env())).stdout) as { sizeBytes: number }[];
    expect(listed.length).toBe(before);
    expect(listed.some((a) => a.sizeBytes === 160 << 20)).toBe(false);
    expect((await cli(['audit', 'verify', '--home', home], env())).code).toBe(0);
  });

  it('runs as a real process with documented exit codes', () => {
    const r = cliProcess(['artifact', 'describe', 'art_nosuchartifact', '--home', home], env());
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('attest: error REFERENCE_NOT_FOUND: art_nosuchartifact names no dataset version or artifact in this project (use name@version, dsv_…, art_… or sha256:…)');
  });
});

describe('attest data on an embedded home', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-data-'));
  const home = join(dir, 'home');
  const env = { ...process.env, ATTEST_HOME: home };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports a dataset as an immutable, hashed, encrypted version, and refuses malformed CSV registering nothing', async () => {
    expect((await cli(['init'], env)).code).toBe(0);
    const f = join(dir, 'loans.csv');
    writeFileSync(f, 'id,amount,grade,approved\n1,1000.5,A,true\n2,,B,false\n3,250,"A, prime",true\n');
    const imported = await cli(['data', 'import', f, '--name', 'loans', '--json'], env);
    expect(imported.code, imported.stderr).toBe(0);
    const v = JSON.parse(imported.stdout) as { dataset: string; rows: number; sha256: string; artifactId: string };
    expect(v).toMatchObject({ dataset: 'loans@1', rows: 3 });
    const described = JSON.parse((await cli(['data', 'describe', 'loans@1', '--json'], env)).stdout) as { schema: { columns: { name: string; type: string }[] } };
    expect(described.schema.columns.map((c) => c.type)).toEqual(['integer', 'fractional', 'string', 'boolean']);
    const profile = JSON.parse((await cli(['data', 'profile', 'loans', '--json'], env)).stdout) as { columns: { name: string; missing: number }[] };
    expect(profile.columns.find((c) => c.name === 'amount')?.missing).toBe(1);
    for (const file of allFiles(home)) expect(readFileSync(file).includes(Buffer.from('A, prime')), file).toBe(false);
    const before = (await cli(['data', 'list', '--json'], env)).stdout;
    const artifactsBefore = (await cli(['artifact', 'list', '--json'], env)).stdout;
    const cases: [string, RegExp][] = [
      ['a,b\n1,2\n3\n', /row 3/],
      ['a,b\n1,"2\n', /row 2/],
      ['', /empty/i],
    ];
    for (const [content, message] of cases) {
      const bad = join(dir, `bad-${cases.findIndex((c) => c[0] === content)}.csv`);
      writeFileSync(bad, content);
      const r = await cli(['data', 'import', bad, '--name', 'loans'], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x4a, 0xf6, 0x72, 0x67, 0x0a]));
    expect((await cli(['data', 'import', latin1, '--name', 'loans'], env)).stderr).toMatch(/UTF-8|encoding/i);
    expect((await cli(['data', 'list', '--json'], env)).stdout).toBe(before);
    expect((await cli(['artifact', 'list', '--json'], env)).stdout).toBe(artifactsBefore);
  });
});

describe('tracked processing on an embedded home', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-processing-'));
  const env = { ...process.env, ATTEST_HOME: join(dir, 'home') };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fits, re-applies and splits as processing components with lineage and a readable fitted pipeline', async () => {
    expect((await cli(['init'], env)).code).toBe(0);
    const f = join(dir, 'loans.csv');
    writeFileSync(f, `amount,grade,label\n${Array.from({ length: 200 }, (_, i) => `${i % 7 === 0 ? '' : 100 + i},${'ABC'[i % 3]},${i % 4 === 0 ? 1 : 0}`).join('\n')}\n`);
    expect((await cli(['data', 'import', f, '--name', 'loans'], env)).code).toBe(0);
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify([{ kind: 'impute', columns: ['amount'], strategy: 'mean' }, { kind: 'one_hot', columns: ['grade'] }]));
    const fit = await cli(['data', 'fit-transform', 'loans', '--spec', spec, '--output', 'loans-prepared', '--experiment', 'prep', '--json'], env);
    expect(fit.code, fit.stderr).toBe(0);
    const fitted = JSON.parse(fit.stdout) as { componentId: string; pipelineArtifactId: string; pipeline: { steps: { kind: string }[] } };
    expect(fitted.pipeline.steps.map((s) => s.kind)).toEqual(['impute', 'one_hot']);
    const applied = await cli(['data', 'apply-transform', 'loans', '--pipeline', 'transforms/loans-prepared.json', '--output', 'loans-scored-input', '--experiment', 'prep', '--json'], env);
    expect(applied.code, applied.stderr).toBe(0);
    const split = await cli(['data', 'split', 'loans-prepared', '--label', 'label', '--seed', '42', '--prefix', 'loans', '--experiment', 'prep', '--json'], env);
    expect(split.code, split.stderr).toBe(0);
    const parts = JSON.parse(split.stdout) as { train: { rows: number }; validation: { rows: number }; test: { rows: number } };
    expect(parts.train.rows + parts.validation.rows + parts.test.rows).toBe(200);
    const app = await openApp(loadConfig(env.ATTEST_HOME!, env));
    try {
      const projectId = await projectIdByName(app, 'default');
      const source = await app.datasets.describe(projectId, 'loans');
      const used = await app.lineage.downstream(source.artifactId, { visibleProjects: [projectId], types: ['component'], depth: 1 });
      expect(used.nodes.map((n) => n.id).sort()).toEqual([fitted.componentId, (JSON.parse(applied.stdout) as { componentId: string }).componentId].sort());
      const fromPipeline = await app.lineage.downstream(fitted.pipelineArtifactId, { visibleProjects: [projectId], types: ['component'], depth: 1 });
      expect(fromPipeline.nodes.map((n) => n.id)).toEqual([(JSON.parse(applied.stdout) as { componentId: string }).componentId]);
    } finally {
      await app.close();
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ kind: 'explode' }]));
    const refused = await cli(['data', 'fit-transform', 'loans', '--spec', bad, '--output', 'x', '--experiment', 'prep'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Invalid transform specification/);
  });
});

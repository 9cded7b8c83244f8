import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/support/cli.js';
import { createTestDatabase, testDialects } from '../../../test/support/databases.js';
import { migrate, openDb, parseDbUrl, redactUrl } from './index.js';
import { MIGRATIONS } from './migrations/index.js';

function migrateInAnotherProcess(url: string): Promise<{ applied: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'support', 'migrate-process.ts'), url], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`migration process failed: ${err}`))));
  });
}

describe.each(testDialects())('migrations on %s', (dialect) => {
  it('apply exactly once when three processes start at the same moment', async () => {
    const database = await createTestDatabase(dialect);
    try {
      const results = await Promise.all([1, 2, 3].map(() => migrateInAnotherProcess(database.url)));
      expect(results.flatMap((r) => r.applied)).toEqual(MIGRATIONS.map((m) => m.name));
      const db = await openDb(database.url);
      expect((await migrate(db)).applied).toEqual([]);
      expect((await db.kysely.selectFrom('schema_migrations').selectAll().execute()).map((t) => t.name).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
      await db.close();
    } finally {
      await database.drop();
    }
  });
});

describe('database URLs', () => {
  it('parse and redact', () => {
    expect(parseDbUrl('postgres://u:secret@h:5432/d')).toEqual({ dialect: 'postgres', target: 'postgres://u:secret@h:5432/d' });
    expect(parseDbUrl('sqlite:/tmp/a.db')).toEqual({ dialect: 'sqlite', target: '/tmp/a.db' });
    expect(redactUrl('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d');
    expect(() => parseDbUrl('mysql://x')).toThrowError(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
  it('report an unreachable PostgreSQL clearly', async () => {
    await expect(openDb('postgres://nobody@127.0.0.1:1/none')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

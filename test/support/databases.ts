/**
 * The metadata-store backends every storage test runs on (kysely's DIALECTS pattern). SQLite
 * always; PostgreSQL when ATTEST_TEST_PG_URL names a server (CI sets it), each test file getting
 * a fresh database that is dropped afterwards. Filter with ATTEST_TEST_DIALECTS=sqlite,postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { newId } from '../../src/kernel/index.js';

export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

export type DialectName = TestDatabase['dialect'];

export function testDialects(): DialectName[] {
  const filter = process.env.ATTEST_TEST_DIALECTS?.split(',').map((s) => s.trim());
  const all: DialectName[] = process.env.ATTEST_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  return filter ? all.filter((d) => filter.includes(d)) : all;
}

/** Creates an empty database of the given dialect. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'attest-db-'));
    return { dialect, url: `sqlite:${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.ATTEST_TEST_PG_URL;
  if (!base) throw new Error('ATTEST_TEST_PG_URL is not set');
  const name = newId('t').replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

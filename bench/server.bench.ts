/**
 * What authentication + policy + audit add to an API request (issue 3): the median latency of an
 * authenticated, authorised and audited read (`GET /v1/projects/default`: token lookup, policy
 * decision, one-row handler, audit append) against the unauthenticated health route in the same
 * run, both through fastify's in-process `inject` (no sockets, so the difference is the work, not
 * the network). Also the parts on their own: token authentication, the (cached) policy decision
 * and the audit append; and the added latency with 16 requests in flight at once (where the
 * audit entries of concurrent requests share a commit). On SQLite, and PostgreSQL when ATTEST_TEST_PG_URL is set. Policy decisions
 * per second are in bench/policy.bench.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Actor, AuditRecord } from '../src/security/audit/index.js';
import { loneEntryWriterOf, recordOutcome, routeLoneEntries } from '../src/security/audit/index.js';
import { buildServer } from '../src/server/index.js';
import { testDialects } from '../test/support/databases.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

/** Per-call latencies in ms (after a warm-up), as many as `n`. */
async function latencies(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

async function inject(server: FastifyInstance, url: string, token?: string): Promise<void> {
  const r = await server.inject({ method: 'GET', url, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  if (r.statusCode !== 200) throw new Error(`${url}: HTTP ${r.statusCode} ${r.body}`);
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const dialect of testDialects()) {
    const inst = await createTestInstallation(dialect, 'fs');
    const server = await buildServer(inst.app, { controls: { enabled: false } });
    await server.ready();
    try {
      const { users, access, tokens, authenticator, authorizer } = inst.app.identity;
      await users.create(TEST_ACTOR, { name: 'bench' });
      await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'bench', role: 'data-scientist', project: 'default' });
      const { token } = await tokens.create(TEST_ACTOR, { owner: 'bench', name: 'bench' });
      const N = 2000;
      // Interleave the two routes in rounds so drift on a shared machine hits both alike.
      const health: number[] = [];
      const secured: number[] = [];
      for (let round = 0; round < 4; round++) {
        health.push(...(await latencies(N / 4, () => inject(server, '/health'))));
        secured.push(...(await latencies(N / 4, () => inject(server, '/v1/projects/default', token))));
      }
      // The same under concurrency: rounds of 16 requests in flight at once, as a busy server sees
      // them (concurrent requests share the audit commit: src/security/audit/group-commit.ts).
      const CONCURRENCY = 16;
      const inFlight = async (url: string, bearer?: string) => {
        const out: number[] = [];
        const rounds = N / 4 / CONCURRENCY;
        for (let i = 0; i < rounds; i++) {
          const started = process.hrtime.bigint();
          const ends = await Promise.all(Array.from({ length: CONCURRENCY }, () => inject(server, url, bearer).then(() => process.hrtime.bigint())));
          for (const end of ends) out.push(Number(end - started) / 1e6);
        }
        return out;
      };
      // A/B in the same run: with group commit (as wired by openApp), then with every lone entry
      // appended on its own as before.
      const groupCommit = loneEntryWriterOf(inst.app.ledger)!;
      const oneByOne = { write: (actor: Actor, record: AuditRecord) => inst.app.ledger.append(inst.app.db.kysely, actor, record) };
      for (const [label, writer] of [['group commit', groupCommit], ['one commit per entry', oneByOne]] as const) {
        routeLoneEntries(inst.app.ledger, writer);
        await inFlight('/health');
        await inFlight('/v1/projects/default', token);
        const healthBusy: number[] = [];
        const securedBusy: number[] = [];
        for (let round = 0; round < 4; round++) {
          healthBusy.push(...(await inFlight('/health')));
          securedBusy.push(...(await inFlight('/v1/projects/default', token)));
        }
        const hb = median(healthBusy);
        const sb = median(securedBusy);
        results.push({
          name: `server: added per request with ${CONCURRENCY} requests in flight, ${label} (${dialect})`,
          value: sb - hb,
          unit: 'ms',
          reference: { name: `health route median ${hb.toFixed(3)} ms; authenticated route median`, value: sb },
          goal: 'under 1 ms added',
        });
      }
      routeLoneEntries(inst.app.ledger, groupCommit);
      const h = median(health);
      const s = median(secured);
      results.push({
        name: `server: added by authentication + policy + audit per request (${dialect})`,
        value: s - h,
        unit: 'ms',
        reference: { name: `health route (no auth) median ${h.toFixed(3)} ms; authenticated route median`, value: s },
        goal: 'under 1 ms added',
      });
      const principal = await authenticator.authenticate(token);
      const auth = median(await latencies(N, () => authenticator.authenticate(token)));
      const decide = median(await latencies(N, () => authorizer.decide(principal, 'project:Describe', 'attest:default:project/default', { now: new Date(), sourceIp: '127.0.0.1' })));
      const audit = median(await latencies(N, () => recordOutcome({ db: inst.app.db, ledger: inst.app.ledger }, TEST_ACTOR, 'project:Describe', 'attest:default:project/default', 'allowed')));
      results.push({ name: `server: token authentication alone (${dialect})`, value: auth, unit: 'ms' });
      results.push({ name: `server: policy decision with cached policies (${dialect})`, value: decide, unit: 'ms' });
      results.push({ name: `server: audit append for the request (${dialect})`, value: audit, unit: 'ms' });
    } finally {
      await server.close();
      await inst.dispose();
    }
  }
  return results;
}

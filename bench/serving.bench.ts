/**
 * Serving throughput and latency (issue 15): autocannon from loopback (in a worker thread, so the
 * load generator does not share the server's event loop) against
 *   - a bare Fastify route returning a constant (the reference), and
 *   - the credit-default GBDT of the paper on an endpoint with capture at 100 %, through the full
 *     API server: bearer authentication, `endpoint:Invoke` policy decision, audit entry, strict
 *     payload parsing, scoring, capture through the encrypted write-ahead log.
 * Reports the ratio of requests/s (goal ≥ 0.5×), p99 latency at half the endpoint's rate (goal
 * < 5 ms) and the capture count (stored records == acknowledged responses). Rounds alternate
 * between the two targets and medians are reported, because the machine is shared.
 * ATTEST_BENCH_SERVING_SECONDS sets the run length (default 8 s); ATTEST_BENCH_NO_CONTROLS=1
 * turns the server's detective controls off, to see what they cost.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { projectIdByName } from '../src/app/index.js';
import { buildServer } from '../src/server/index.js';
import { createTestInstallation, TEST_ACTOR } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const ROOT = join(import.meta.dirname, '..');
const GOLDEN = join(ROOT, 'test/fixtures/golden/xgboost/credit_default_whitepaper');
const DURATION_S = Number(process.env.ATTEST_BENCH_SERVING_SECONDS ?? 8);
const CONNECTIONS = 16;

interface Run {
  rps: number;
  p99: number;
  p50: number;
  ok: number;
  other: number;
}

async function load(url: string, options: { body?: string; headers?: Record<string, string>; overallRate?: number; duration?: number }): Promise<Run> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: options.duration ?? DURATION_S,
    workers: 1,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body ?? '{}',
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  });
  return { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, ok: result['2xx'], other: result.non2xx + result.errors + result.timeouts };
}

export async function run(): Promise<BenchResult[]> {
  const inst = await createTestInstallation('sqlite', 'fs');
  const bare = Fastify({ logger: false });
  bare.post('/const', async () => ({ score: 0.5 }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const server = await buildServer(inst.app, { serving: { captureFlushMs: 1000 }, ...(process.env.ATTEST_BENCH_NO_CONTROLS ? { controls: { enabled: false } } : {}) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const pid = await projectIdByName(inst.app, 'default');
    await inst.app.artifacts.putBytes(TEST_ACTOR, readFileSync(join(GOLDEN, 'model.json')), { projectId: pid, name: 'credit-gbdt', mediaType: 'application/json' });
    await inst.app.endpoints.create(TEST_ACTOR, pid, { name: 'credit', model: 'credit-gbdt', capturePercent: 100 });
    const { users, access, tokens } = inst.app.identity;
    await users.create(TEST_ACTOR, { name: 'client' });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'client', role: 'ml-engineer', project: 'default' });
    const { token } = await tokens.create(TEST_ACTOR, { owner: 'client', name: 'bench' });
    const lines = readFileSync(join(GOLDEN, 'input.csv'), 'utf8').trim().split('\n');
    const names = lines[0]!.split(',');
    const row = Object.fromEntries(names.map((n, j) => [n, Number(lines[1]!.split(',')[j])]));
    const body = JSON.stringify({ instances: [row] });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/const`;
    const endpointUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/v1/projects/default/endpoints/credit/invocations`;
    const headers = { authorization: `Bearer ${token}` };

    // Warm-up: JIT, model load, caches.
    await load(bareUrl, { duration: 2 });
    await load(endpointUrl, { body, headers, duration: 2 });
    const bareRuns: Run[] = [];
    const endpointRuns: Run[] = [];
    for (let round = 0; round < 3; round++) {
      bareRuns.push(await load(bareUrl, {}));
      endpointRuns.push(await load(endpointUrl, { body, headers }));
    }
    const bareRps = median(bareRuns.map((r) => r.rps));
    const endpointRps = median(endpointRuns.map((r) => r.rps));
    const paced: Run[] = [];
    for (let round = 0; round < 3; round++) paced.push(await load(endpointUrl, { body, headers, overallRate: Math.max(1, Math.floor(endpointRps / 2)) }));

    // Every acknowledged (2xx) invocation, warm-up included, must be a stored capture record.
    const capture = server.serving.capture;
    await new Promise((r) => setTimeout(r, 200));
    await capture.flush();
    const stored = (await inst.app.capture.captures(TEST_ACTOR, pid, 'credit')).length;
    const acknowledged = capture.stats.appended;
    const rejected = [...endpointRuns, ...paced].reduce((s, r) => s + r.other, 0);
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    return [
      {
        name: `serving: requests/s, credit GBDT endpoint, capture 100 % (auth + policy + audit + capture; ${CONNECTIONS} connections, load avg ${load1})`,
        value: endpointRps,
        unit: 'req/s',
        reference: { name: 'bare Fastify route returning a constant', value: bareRps },
        ratio: endpointRps / bareRps,
        goal: 'ratio >= 0.5',
      },
      {
        name: `serving: p99 latency at half the endpoint's rate (${Math.floor(endpointRps / 2)} req/s; p50 ${median(paced.map((r) => r.p50)).toFixed(2)} ms)`,
        value: median(paced.map((r) => r.p99)),
        unit: 'ms',
        goal: '< 5 ms',
      },
      {
        name: `serving: capture records stored vs acknowledged (${rejected} non-2xx/errors)`,
        value: stored,
        unit: 'records',
        reference: { name: 'acknowledged responses (capture WAL appends)', value: acknowledged },
        ratio: stored / acknowledged,
        goal: 'ratio == 1 (no acknowledged record lost)',
      },
    ];
  } finally {
    await bare.close();
    await server.close();
    await inst.dispose();
  }
}

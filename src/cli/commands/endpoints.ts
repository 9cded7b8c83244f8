/**
 * `attest endpoints …`: real-time endpoints and their configuration versions (create, update with
 * traffic policies, rollback, describe with history, list, delete), and `attest serve`: the
 * endpoints alone (health, login, invocations, metrics) on their own port.
 */
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError, isAppError } from '../../kernel/index.js';
import type { DecisionRecord, Endpoint, EndpointChange, ReviewConditions } from '../../serving/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common, projectIdByName } from '../context.js';
import { printJson, printTable } from '../output.js';
import type { RemoteOptions } from '../remote.js';
import { commonRemote, embeddedOrRemote, seg } from '../remote.js';

interface ProjectOptions extends CommonOptions {
  project?: string;
}

interface ConfigOptions extends ProjectOptions {
  model?: string;
  capturePercent?: string;
  maxBatchRows?: string;
  adverse?: string;
  shadow?: string | boolean;
  reviewBand?: string;
  reviewAdverseAbove?: string;
  reviewSamplePercent?: string;
  noReview?: boolean;
}

function number(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= min && n <= max)) throw new AppError('INVALID_INPUT', { message: `${flag} must be a number in [${min}, ${max}], not ${value}` });
  return n;
}

function review(o: ConfigOptions): ReviewConditions | undefined {
  if (o.reviewBand === undefined && o.reviewAdverseAbove === undefined && o.reviewSamplePercent === undefined) return undefined;
  let scoreBand: ReviewConditions['scoreBand'];
  if (o.reviewBand !== undefined) {
    const [min, max] = o.reviewBand.split(',').map((s) => number(s.trim(), '--review-band', 0, 1));
    if (min === undefined || max === undefined || min > max) throw new AppError('INVALID_INPUT', { message: `--review-band takes MIN,MAX scores with MIN <= MAX, not ${o.reviewBand}` });
    scoreBand = { min, max };
  }
  const adverseAbove = number(o.reviewAdverseAbove, '--review-adverse-above', 0, 1);
  return { ...(scoreBand ? { scoreBand } : {}), ...(adverseAbove !== undefined ? { adverseAbove } : {}), samplePercent: number(o.reviewSamplePercent, '--review-sample-percent', 0, 100) ?? 0 };
}

function adverse(value: string | undefined): 'higher' | 'lower' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'higher' && value !== 'lower') throw new AppError('INVALID_INPUT', { message: `--adverse is higher or lower, not ${value}` });
  return value;
}

function summary(e: Endpoint): string {
  const variants = e.config.variants.map((v) => `${v.name}=${v.model}${v.role === 'shadow' ? ' (shadow)' : e.config.variants.filter((x) => x.role === 'live').length > 1 ? ` (${v.weight})` : ''}`).join(', ');
  return `endpoint ${e.name} v${e.configVersion} ${e.status}: ${variants}; capture ${e.config.capture.samplingPercent} %, max ${e.config.maxBatchRows} rows${e.config.review ? ', human review on' : ''}`;
}

export function registerEndpointCommands(program: Command, ctx: CliContext): void {
  const endpoints = program.command('endpoints').description('real-time endpoints: models served with data capture, traffic policies and human review');
  const project = (c: Command) => common(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const configFlags = (c: Command) =>
    c
      .option('--capture-percent <p>', 'share of requests captured (0-100)')
      .option('--max-batch-rows <n>', 'rows per request at most')
      .option('--adverse <higher|lower>', 'which way a score is adverse (reason codes)')
      .option('--review-band <min,max>', 'send scores in this band to human review')
      .option('--review-adverse-above <score>', 'send adverse decisions (score at or above) to human review')
      .option('--review-sample-percent <p>', 'send this share of other decisions to human review');
  const withProject = <T>(o: ProjectOptions, fn: (app: Parameters<Parameters<CliContext['withApp']>[1]>[0], actor: Parameters<Parameters<CliContext['withApp']>[1]>[1], projectId: string) => Promise<T>) =>
    ctx.withApp(o, async (app, actor) => fn(app, actor, await projectIdByName(app, o.project ?? DEFAULT_PROJECT)));
  const show = (o: CommonOptions, e: Endpoint) => (o.json ? printJson(ctx.io, e) : ctx.io.out(summary(e)));

  configFlags(project(endpoints.command('create <name>').description('create an endpoint serving a model (configuration version 1)')))
    .requiredOption('--model <ref>', 'the model: NAME@VERSION, art_…, sha256:…')
    .option('--shadow <ref>', 'a challenger scored on every request in shadow (never answers)')
    .action(async (name: string, o: ConfigOptions & { model: string }) => {
      const r = review(o);
      const capturePercent = number(o.capturePercent, '--capture-percent', 0, 100);
      const maxBatchRows = number(o.maxBatchRows, '--max-batch-rows', 1, 100_000);
      const adv = adverse(o.adverse);
      const e = await withProject(o, (app, actor, pid) =>
        app.endpoints.create(actor, pid, {
          name,
          model: o.model,
          ...(capturePercent !== undefined ? { capturePercent } : {}),
          ...(maxBatchRows !== undefined ? { maxBatchRows } : {}),
          ...(adv ? { adverse: adv } : {}),
          ...(typeof o.shadow === 'string' ? { shadow: o.shadow } : {}),
          ...(r ? { review: r } : {}),
        }),
      );
      show(o, e);
    });

  configFlags(project(endpoints.command('update <name>').description('change the model, traffic policy, capture or review: a new configuration version')))
    .option('--model <ref>', 'replace the live model')
    .option('--shadow <ref>', 'score this challenger in shadow')
    .option('--no-shadow', 'stop the shadow challenger')
    .option('--canary <ref>', 'send --canary-percent of live traffic to this model')
    .option('--canary-percent <p>', 'the canary share (0-100, exclusive)', '10')
    .option('--end-canary', 'send all live traffic back to the primary model')
    .option('--promote <variant>', 'make a variant (canary, shadow) the only live model')
    .option('--no-review', 'turn human review off')
    .option('--reason <text>', 'why (kept with the configuration version and in the audit entry)')
    .action(async (name: string, o: ConfigOptions & { canary?: string; canaryPercent: string; endCanary?: boolean; promote?: string; reason?: string; review?: boolean }) => {
      const change: EndpointChange = {};
      if (o.model) change.model = o.model;
      if (typeof o.shadow === 'string') change.shadow = o.shadow;
      else if (o.shadow === false) change.shadow = null;
      if (o.canary && o.endCanary) throw new AppError('INVALID_INPUT', { message: '--canary and --end-canary exclude each other' });
      if (o.canary) change.canary = { model: o.canary, percent: number(o.canaryPercent, '--canary-percent', 0, 100)! };
      if (o.endCanary) change.canary = null;
      if (o.promote) change.promote = o.promote;
      const capturePercent = number(o.capturePercent, '--capture-percent', 0, 100);
      if (capturePercent !== undefined) change.capturePercent = capturePercent;
      const maxBatchRows = number(o.maxBatchRows, '--max-batch-rows', 1, 100_000);
      if (maxBatchRows !== undefined) change.maxBatchRows = maxBatchRows;
      const adv = adverse(o.adverse);
      if (adv) change.adverse = adv;
      const r = review(o);
      if (r) change.review = r;
      if (o.review === false) change.review = null;
      if (o.reason) change.reason = o.reason;
      if (Object.keys(change).filter((k) => k !== 'reason').length === 0) throw new AppError('INVALID_INPUT', { message: 'Nothing to change: give --model, --shadow, --canary, --promote, --capture-percent, …' });
      show(o, await withProject(o, (app, actor, pid) => app.endpoints.update(actor, pid, name, change)));
    });

  project(endpoints.command('rollback <name>').description('instant rollback to an earlier configuration version (default: the previous one)'))
    .option('--to-version <n>', 'the configuration version to serve')
    .option('--reason <text>', 'why')
    .action(async (name: string, o: ProjectOptions & { toVersion?: string; reason?: string }) => {
      const to = number(o.toVersion, '--to-version', 1, Number.MAX_SAFE_INTEGER);
      show(o, await withProject(o, (app, actor, pid) => app.endpoints.rollback(actor, pid, name, to, o.reason)));
    });

  project(endpoints.command('describe <name>').description("an endpoint's configuration; --history lists every configuration version"))
    .option('--history', 'every configuration version')
    .action(async (name: string, o: ProjectOptions & { history?: boolean }) => {
      const r = await withProject(o, async (app, _actor, pid) => ({ endpoint: await app.endpoints.describe(pid, name), history: o.history ? await app.endpoints.history(pid, name) : undefined }));
      if (o.json) {
        printJson(ctx.io, r.history ? { ...r.endpoint, history: r.history.versions } : r.endpoint);
        return;
      }
      ctx.io.out(summary(r.endpoint));
      for (const v of r.history?.versions ?? []) {
        ctx.io.out(`  v${v.version}${v.version === r.history?.current ? ' (serving)' : ''} ${v.createdAt} by ${v.createdBy}: ${v.spec.variants.map((x) => `${x.name}=${x.model}/${x.role}/${x.weight}`).join(', ')}; capture ${v.spec.capture.samplingPercent} %${v.reason ? ` — ${v.reason}` : ''}`);
      }
    });

  project(endpoints.command('list').description("a project's endpoints")).action(async (o: ProjectOptions) => {
    const list = await withProject(o, (app, _actor, pid) => app.endpoints.list(pid));
    if (o.json) {
      printJson(ctx.io, list);
      return;
    }
    printTable(ctx.io, list, [
      { header: 'NAME', value: (e) => e.name },
      { header: 'VERSION', value: (e) => String(e.configVersion) },
      { header: 'MODEL', value: (e) => e.config.variants.filter((v) => v.role === 'live').map((v) => v.model).join(' + ') },
      { header: 'SHADOW', value: (e) => e.config.variants.find((v) => v.role === 'shadow')?.model ?? '-' },
      { header: 'CAPTURE', value: (e) => `${e.config.capture.samplingPercent}%` },
      { header: 'UPDATED', value: (e) => e.updatedAt },
    ]);
  });

  project(endpoints.command('delete <name>').description('delete an endpoint (its configuration history and captures stay)')).action(async (name: string, o: ProjectOptions) => {
    const e = await withProject(o, (app, actor, pid) => app.endpoints.delete(actor, pid, name));
    if (o.json) printJson(ctx.io, e);
    else ctx.io.out(`endpoint ${e.name} deleted`);
  });

  const remoteProject = (c: Command) => commonRemote(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  remoteProject(endpoints.command('decision <name>').description('the auditor\'s question: what the endpoint decided for an applicant (event, request or inference id) on a date, and why'))
    .option('--event-id <id>', 'the event id returned with the prediction')
    .option('--request-id <id>', 'the request id (x-request-id)')
    .option('--inference-id <id>', "the caller's own id (e.g. the application number)")
    .option('--date <yyyy-mm-dd>', 'the day (UTC) of the decision')
    .action(async (name: string, o: ProjectOptions & RemoteOptions & { eventId?: string; requestId?: string; inferenceId?: string; date?: string }) => {
      const query = { ...(o.eventId ? { eventId: o.eventId } : {}), ...(o.requestId ? { requestId: o.requestId } : {}), ...(o.inferenceId ? { inferenceId: o.inferenceId } : {}), ...(o.date ? { date: o.date } : {}) };
      const projectName = o.project ?? DEFAULT_PROJECT;
      const records = await embeddedOrRemote(
        ctx,
        o,
        async (app, actor) => {
          const { lookupDecision } = await import('../../serving/index.js');
          return lookupDecision(app, actor, await projectIdByName(app, projectName), name, query);
        },
        (client) => client.json<DecisionRecord[]>('GET', `/v1/projects/${seg(projectName)}/endpoints/${seg(name)}/decisions`, { query }),
      );
      if (o.json) {
        printJson(ctx.io, records);
        return;
      }
      for (const r of records) {
        ctx.io.out(`${r.inferenceTime} endpoint ${r.endpoint} config v${r.configVersion} (${r.config ? `set ${r.config.createdAt} by ${r.config.createdBy}` : 'configuration not found'}), variant ${r.model.variant}`);
        ctx.io.out(`  model ${r.model.reference} = ${r.model.artifactId} sha256:${r.model.sha256}`);
        ctx.io.out(`  event ${r.eventId}${r.inferenceId ? ` (inference ${r.inferenceId})` : ''}, request ${r.requestId}: score ${r.score}`);
        ctx.io.out(`  why (${r.reasonsSource === 'recomputed' ? 'reason codes recomputed from the same model bytes' : 'reason codes as returned'}):`);
        for (const reason of r.reasons) ctx.io.out(`    ${reason.rank}. ${reason.sentence}`);
        ctx.io.out(`  input: ${Object.entries(r.input).map(([k, v]) => `${k}=${v ?? 'missing'}`).join(', ')}`);
        if (r.review) ctx.io.out(`  human review (${r.review.reason}): ${r.review.decision ?? 'pending'}${r.review.reviewer ? ` by ${r.review.reviewer} at ${r.review.decidedAt}` : ''}`);
        if (r.groundTruth !== null) ctx.io.out(`  ground truth: ${r.groundTruth}`);
      }
    });

  program
    .command('serve')
    .description('serve the endpoints alone (invocations, health, login, /metrics) until SIGINT/SIGTERM')
    .option('--home <dir>', 'installation home (default $ATTEST_HOME or ./.attest)')
    .option('--port <port>', 'port (default 8080; 0 picks a free one)', '8080')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--capture-durability <mode>', 'write (acknowledged once in the OS page cache, fdatasync every 10 ms) or fsync (acknowledged after fdatasync)', 'write')
    .option('--public-metrics', 'serve /metrics without a token to loopback clients')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'warn')
    .action(async (o: { home?: string; port: string; host: string; captureDurability: string; publicMetrics?: boolean; logLevel: string }) => {
      const [{ openApp }, { loadConfig, resolveHome }, { buildServer }] = await Promise.all([import('../../app/index.js'), import('../../config/index.js'), import('../../server/index.js')]);
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('INVALID_INPUT', { message: `--port must be a port number, not ${o.port}` });
      if (o.captureDurability !== 'write' && o.captureDurability !== 'fsync') throw new AppError('INVALID_INPUT', { message: `--capture-durability is write or fsync, not ${o.captureDurability}` });
      const app = await openApp(loadConfig(resolveHome(o.home, ctx.env), ctx.env), { systemActor: { principal: 'system:serving' } });
      const server = await buildServer(app, {
        surface: 'serving',
        logger: { level: o.logLevel },
        serving: { captureDurability: o.captureDurability, ...(o.publicMetrics ? { publicMetricsOnLoopback: true } : {}) },
      }).catch(async (error: unknown) => {
        await app.close();
        throw error;
      });
      await server.listen({ port, host: o.host });
      const address = server.server.address() as AddressInfo;
      ctx.io.out(`attest serve listening on http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server
            .close()
            .then(() => app.checkpoint())
            .catch((error: Error) => ctx.io.err(`attest: error ${isAppError(error) ? error.code : 'INTERNAL'}: ${error.message}`))
            .finally(() => app.close().finally(resolve));
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

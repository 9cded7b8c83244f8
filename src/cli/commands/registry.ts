/**
 * `attest models …` (the model registry) and `attest validation …` (the independent validation
 * workspace), embedded (the home, as its operator or the principal of `ATTEST_TOKEN`) or through
 * the API server (`--server`, like `attest jobs`). The offline model-file tools stay under
 * `attest model` (singular). The auditor's questions are one command each:
 * `models who-approved VERSION`, `models in-production`, `models evidence-at-approval VERSION`,
 * and `models alias at GROUP ALIAS --at DATE`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_PROJECT } from '../../app/defaults.js';
import { AppError } from '../../kernel/index.js';
import type { RegistryCaller, RegistryTransport } from '../../registry/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { writeFileAtomic } from '../files.js';
import { printJson, printRecord, printTable } from '../output.js';
import { commonRemote, serverOf, tokenFor } from '../remote.js';

interface Opts extends CommonOptions {
  project?: string;
}

async function withRegistry<T>(ctx: CliContext, o: Opts, fn: (r: RegistryTransport) => Promise<T>): Promise<T> {
  const { HttpRegistryTransport, InProcessRegistryTransport } = await import('../../registry/index.js');
  const server = serverOf(o, ctx.env);
  if (server) return fn(new HttpRegistryTransport({ baseUrl: server, token: tokenFor(server, ctx.env) }));
  return ctx.withApp(o, async (app, actor) => {
    const { createRegistryServices } = await import('../../validation/index.js');
    let caller: RegistryCaller = { actor };
    if (ctx.env.ATTEST_TOKEN) {
      const principal = await app.identity.authenticator.authenticate(ctx.env.ATTEST_TOKEN);
      caller = { actor: { ...actor, principal: principal.auditName }, principal };
    }
    return fn(new InProcessRegistryTransport(createRegistryServices(app), caller));
  });
}

const int = (v: string | undefined, what: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new AppError('INVALID_INPUT', { message: `${what} must be a whole number, got "${v}"` });
  return Number(v);
};

function out(ctx: CliContext, o: CommonOptions, value: unknown, record?: Record<string, unknown>): void {
  if (o.json || !record) printJson(ctx.io, value);
  else printRecord(ctx.io, record);
}

export function registerRegistryCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('the model registry: versions, approval (maker ≠ checker), evidence gates, aliases and their history, model cards');
  const withProject = (c: Command) => commonRemote(c).option('--project <name>', 'project', DEFAULT_PROJECT);
  const p = (o: Opts) => o.project ?? DEFAULT_PROJECT;
  const run = <T>(o: Opts, fn: (r: RegistryTransport) => Promise<T>) => withRegistry(ctx, o, fn);

  withProject(models.command('register').description("register a model version from a training job's output (REF: name@version, art_…, sha256:…, job_…) or an external model"))
    .requiredOption('--group <name>', 'model group (created on first use)')
    .requiredOption('--model <ref>', 'the model artifact or the training job')
    .option('--provenance <kind>', 'external: a model trained outside Attest (imported XGBoost JSON)')
    .option('--risk-tier <n>', 'risk tier (1 highest) for a new group')
    .option('--description <text>', 'description')
    .option('--label <column>', 'label column of an external model')
    .action(async (o: Opts & { group: string; model: string; provenance?: string; riskTier?: string; description?: string; label?: string }) => {
      if (o.provenance !== undefined && o.provenance !== 'external') throw new AppError('INVALID_INPUT', { message: '--provenance takes only "external"' });
      const tier = int(o.riskTier, '--risk-tier');
      const v = await run(o, (r) =>
        r.register(p(o), { group: o.group, model: o.model, ...(o.provenance ? { provenance: 'external' as const } : {}), ...(tier !== undefined ? { riskTier: tier } : {}), ...(o.description ? { description: o.description } : {}), ...(o.label ? { label: o.label } : {}) }),
      );
      out(ctx, o, v, { version: `${v.group}@${v.version}`, id: v.versionId, status: v.status, provenance: v.provenance, artifact: v.artifactId, sha256: v.sha256, job: v.sourceJobId, component: v.sourceComponentId, features: v.signature.features.map((f) => f.name).join(','), metrics: Object.entries(v.metrics).map(([k, x]) => `${k}=${Number(x.toPrecision(6))}`).join(' ') || '-' });
    });

  withProject(models.command('list [group]').description('model groups, or the versions of one group'))
    .option('--status <status>', 'PendingManualApproval, Approved, Rejected or Archived')
    .action(async (group: string | undefined, o: Opts & { status?: string }) => {
      if (!group) {
        const groups = await run(o, (r) => r.listGroups(p(o)));
        if (o.json) printJson(ctx.io, groups);
        else printTable(ctx.io, groups, [{ header: 'GROUP', value: (g) => g.name }, { header: 'RISK TIER', value: (g) => g.riskTier ?? '-' }, { header: 'VERSIONS', value: (g) => g.versions }, { header: 'ALIASES', value: (g) => Object.entries(g.aliases).map(([a, v]) => `${a}=${v}`).join(' ') }]);
        return;
      }
      const versions = await run(o, (r) => r.listVersions(p(o), group, o.status as never));
      if (o.json) printJson(ctx.io, versions);
      else printTable(ctx.io, versions, [{ header: 'VERSION', value: (v) => v.version }, { header: 'STATUS', value: (v) => v.status }, { header: 'ALIASES', value: (v) => v.aliases.join(',') }, { header: 'PROVENANCE', value: (v) => v.provenance }, { header: 'BY', value: (v) => v.createdBy }, { header: 'CREATED', value: (v) => v.createdAt }]);
    });

  withProject(models.command('describe <version>').description('a version (mp_…, GROUP@N or GROUP@alias)')).action(async (ref: string, o: Opts) => {
    const v = await run(o, (r) => r.describeVersion(p(o), ref));
    out(ctx, o, v, { version: `${v.group}@${v.version}`, id: v.versionId, status: v.status, aliases: v.aliases.join(', ') || '-', provenance: v.provenance, artifact: v.artifactId, sha256: v.sha256, job: v.sourceJobId, component: v.sourceComponentId, label: v.signature.label, features: v.signature.features.map((f) => `${f.name}:${f.type}`).join(' '), data: v.signature.trainingData.map((d) => `${d.role}=${d.ref}`).join(' ') || '-', metrics: Object.entries(v.metrics).map(([k, x]) => `${k}=${Number(x.toPrecision(6))}`).join(' ') || '-', registered: `${v.createdBy} at ${v.createdAt}` });
  });

  for (const [name, verb] of [['approve', 'approve'], ['reject', 'reject']] as const) {
    withProject(models.command(`${name} <version>`).description(`${verb} a pending version (denied to its makers: separation of duties)`))
      .requiredOption('--comment <text>', 'why')
      .action(async (ref: string, o: Opts & { comment: string }) => {
        const d = await run(o, (r) => (name === 'approve' ? r.approve(p(o), ref, o.comment) : r.reject(p(o), ref, o.comment)));
        out(ctx, o, d, { version: `${d.group}@${d.version}`, decision: d.decision, by: d.principal, at: d.at, independent: d.independence.independent ? 'yes' : 'no', reason: d.independence.reason, comment: d.comment });
      });
  }

  withProject(models.command('archive <version>').description('archive a version that no alias names'))
    .option('--reason <text>', 'why')
    .action(async (ref: string, o: Opts & { reason?: string }) => {
      const v = await run(o, (r) => r.archive(p(o), ref, o.reason));
      out(ctx, o, v, { version: `${v.group}@${v.version}`, status: v.status });
    });

  withProject(models.command('gates <version>').description("the evidence gates of the version's risk tier, evaluated now")).action(async (ref: string, o: Opts) => {
    const g = await run(o, (r) => r.gates(p(o), ref));
    if (o.json) return printJson(ctx.io, g);
    ctx.io.out(`${g.group}@${g.version}: risk tier ${g.riskTier}, ${g.passed ? 'all evidence present' : `${g.missing.length} requirement(s) missing`}`);
    for (const c of g.checks) ctx.io.out(`  [${c.satisfied ? 'x' : ' '}] ${c.requirement}: ${c.detail}`);
  });

  const alias = models.command('alias').description('aliases (champion, challenger, production, …) and their history');
  withProject(alias.command('set <group> <alias>').description('point an alias at a version or at another alias; gated aliases (production) need the tier\'s evidence'))
    .option('--to-version <n>', 'version number (`--version` is the CLI\'s own flag)')
    .option('--to-alias <alias>', 'another alias of the group')
    .option('--reason <text>', 'why')
    .option('--override <justification>', 'promote despite missing evidence (needs an override role)')
    .action(async (group: string, name: string, o: Opts & { toVersion?: string; toAlias?: string; reason?: string; override?: string }) => {
      const version = int(o.toVersion, '--to-version');
      const h = await run(o, (r) => r.setAlias(p(o), group, name, { ...(version !== undefined ? { version } : {}), ...(o.toAlias ? { alias: o.toAlias } : {}), ...(o.reason ? { reason: o.reason } : {}), ...(o.override ? { overrideJustification: o.override } : {}) }));
      out(ctx, o, h, { alias: `${h.group}@${h.alias}`, version: h.version ?? '-', via: h.targetAlias ?? '-', previous: h.previousVersion ?? h.previousAlias ?? '-', by: h.by, at: h.at, override: h.overrideJustification ?? '-' });
    });
  withProject(alias.command('remove <group> <alias>').description('remove an alias (its history is kept)'))
    .option('--reason <text>', 'why')
    .action(async (group: string, name: string, o: Opts & { reason?: string }) => {
      const h = await run(o, (r) => r.removeAlias(p(o), group, name, o.reason));
      out(ctx, o, h, { alias: `${h.group}@${h.alias}`, removed: 'yes', previous: h.previousVersion ?? h.previousAlias ?? '-', by: h.by, at: h.at });
    });
  withProject(alias.command('history <group>').description("every move of the group's aliases, oldest first"))
    .option('--alias <alias>', 'only this alias')
    .action(async (group: string, o: Opts & { alias?: string }) => {
      const rows = await run(o, (r) => r.aliasHistory(p(o), group, o.alias));
      if (o.json) printJson(ctx.io, rows);
      else printTable(ctx.io, rows, [{ header: 'AT', value: (h) => h.at }, { header: 'ALIAS', value: (h) => h.alias }, { header: 'VERSION', value: (h) => h.version ?? (h.targetAlias ? `→${h.targetAlias}` : 'removed') }, { header: 'PREVIOUS', value: (h) => h.previousVersion ?? h.previousAlias ?? '-' }, { header: 'BY', value: (h) => h.by }, { header: 'OVERRIDE', value: (h) => (h.overrideJustification ? 'yes' : '') }, { header: 'REASON', value: (h) => h.reason }]);
    });
  withProject(alias.command('at <group> <alias>').description('which version the alias named at a date or time, who moved it there and on what evidence'))
    .requiredOption('--at <date>', 'ISO date (end of that day, UTC) or time')
    .action(async (group: string, name: string, o: Opts & { at: string }) => {
      const a = await run(o, (r) => r.aliasAt(p(o), group, name, o.at));
      const gates = (a.movedBy?.evidence as { gates?: { passed?: boolean; missing?: string[] } } | undefined)?.gates;
      out(ctx, o, a, { alias: `${a.group}@${a.alias}`, at: a.at, version: a.version ? a.version.version : 'none', status: a.version?.status ?? '-', movedBy: a.movedBy ? `${a.movedBy.by} at ${a.movedBy.at}` : '-', reason: a.movedBy?.reason || '-', evidence: gates ? (gates.passed ? 'all gates passed' : `missing: ${(gates.missing ?? []).join('; ')}`) : 'not gated', override: a.movedBy?.overrideJustification ?? '-' });
    });

  withProject(models.command('who-approved <version>').description('who approved (or rejected) the version and whether they were independent of its makers')).action(async (ref: string, o: Opts) => {
    const ds = await run(o, (r) => r.decisions(p(o), ref));
    if (o.json) return printJson(ctx.io, ds);
    if (ds.length === 0) ctx.io.out(`${ref}: no decision yet`);
    for (const d of ds) ctx.io.out(`${d.group}@${d.version}: ${d.decision} by ${d.principal} at ${d.at} — independent: ${d.independence.independent ? 'yes' : 'NO'} (${d.independence.reason}); makers: ${[...new Set(d.independence.makers.map((m) => m.principal))].join(', ')}; comment: ${d.comment}`);
  });
  withProject(models.command('in-production').description('which models an alias (default production) names now, since when, moved by whom'))
    .option('--alias <alias>', 'alias', 'production')
    .action(async (o: Opts & { alias: string }) => {
      const rows = await run(o, (r) => r.inProduction(p(o), o.alias));
      if (o.json) printJson(ctx.io, rows);
      else printTable(ctx.io, rows, [{ header: 'GROUP', value: (x) => x.group }, { header: 'VERSION', value: (x) => x.version.version }, { header: 'SINCE', value: (x) => x.since }, { header: 'MOVED BY', value: (x) => x.movedBy.by }, { header: 'OVERRIDE', value: (x) => (x.movedBy.overrideJustification ? 'yes' : '') }]);
    });
  withProject(models.command('evidence-at-approval <version>').description('the evidence present when the version was approved')).action(async (ref: string, o: Opts) => {
    const d = await run(o, (r) => r.evidenceAtApproval(p(o), ref));
    if (o.json) return printJson(ctx.io, d);
    const e = d.evidence as { riskTier: number; evidence: { kind: string; artifactId: string; sha256: string }[]; openFindings: Record<string, number>; signOffs: { principal: string; at: string }[]; gates: { passed: boolean; missing: string[] } };
    ctx.io.out(`${d.group}@${d.version} approved by ${d.principal} at ${d.at} (risk tier ${e.riskTier})`);
    for (const x of e.evidence) ctx.io.out(`  evidence ${x.kind}: ${x.artifactId} sha256 ${x.sha256}`);
    ctx.io.out(`  open findings: high ${e.openFindings.high}, medium ${e.openFindings.medium}, low ${e.openFindings.low}`);
    for (const s of e.signOffs) ctx.io.out(`  signed off by ${s.principal} at ${s.at}`);
    ctx.io.out(`  gates at approval: ${e.gates.passed ? 'passed' : `missing ${e.gates.missing.join('; ')}`}`);
  });

  const evidence = models.command('evidence').description('evidence attached to a version');
  withProject(evidence.command('attach <version>').description('attach an artifact, or every output of a job, as evidence'))
    .requiredOption('--kind <kind>', 'validation-report, bias-report, explanation-report, monitoring-baseline, evaluation, challenger-comparison, backtest, stress-test, other')
    .requiredOption('--ref <ref>', 'artifact reference or job id')
    .option('--note <text>', 'note')
    .action(async (ref: string, o: Opts & { kind: string; ref: string; note?: string }) => {
      const rows = await run(o, (r) => r.attachEvidence(p(o), ref, { kind: o.kind, ref: o.ref, ...(o.note ? { note: o.note } : {}) }));
      if (o.json) printJson(ctx.io, rows);
      else for (const e of rows) ctx.io.out(`attached ${e.kind} ${e.artifactId} (sha256 ${e.sha256})`);
    });
  withProject(evidence.command('list <version>').description('evidence attached to the version')).action(async (ref: string, o: Opts) => {
    const rows = await run(o, (r) => r.listEvidence(p(o), ref));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [{ header: 'KIND', value: (e) => e.kind }, { header: 'ARTIFACT', value: (e) => e.artifactId }, { header: 'JOB', value: (e) => e.jobId ?? '' }, { header: 'BY', value: (e) => e.attachedBy }, { header: 'AT', value: (e) => e.attachedAt }]);
  });

  const card = models.command('card').description('model cards generated from lineage; editable fields versioned');
  withProject(card.command('show <version>').description('the model card as JSON, HTML or PDF'))
    .option('--format <format>', 'json, html or pdf', 'json')
    .option('--output <file>', 'write to a file (required for pdf)')
    .action(async (ref: string, o: Opts & { format: string; output?: string }) => {
      if (!['json', 'html', 'pdf'].includes(o.format)) throw new AppError('INVALID_INPUT', { message: '--format is json, html or pdf' });
      if (o.format === 'pdf' && !o.output) throw new AppError('INVALID_INPUT', { message: '--format pdf needs --output FILE' });
      const c = await run(o, (r) => r.card(p(o), ref));
      const { htmlToPdf, renderModelCardHtml } = await import('../../registry/index.js');
      const body = o.format === 'json' ? `${JSON.stringify(c, null, 2)}\n` : o.format === 'html' ? renderModelCardHtml(c) : await htmlToPdf(renderModelCardHtml(c), { env: ctx.env });
      if (o.output) {
        writeFileAtomic(o.output, body);
        ctx.io.out(`model card of ${c.group}@${c.version} written to ${o.output}`);
      } else ctx.io.out(String(body).trimEnd());
    });
  withProject(card.command('edit <version>').description('save a new revision of the editable fields'))
    .option('--intended-use <text>', 'intended use')
    .option('--limitations <text>', 'limitations')
    .option('--owner <name>', 'owner')
    .option('--risk-tier <n>', 'risk tier (1 highest)')
    .action(async (ref: string, o: Opts & { intendedUse?: string; limitations?: string; owner?: string; riskTier?: string }) => {
      const tier = int(o.riskTier, '--risk-tier');
      const rev = await run(o, (r) => r.editCard(p(o), ref, { ...(o.intendedUse !== undefined ? { intendedUse: o.intendedUse } : {}), ...(o.limitations !== undefined ? { limitations: o.limitations } : {}), ...(o.owner !== undefined ? { owner: o.owner } : {}), ...(tier !== undefined ? { riskTier: tier } : {}) }));
      out(ctx, o, rev, { revision: rev.revision, by: rev.by, at: rev.at, fields: Object.keys(rev.fields).join(', ') });
    });
  withProject(card.command('history <version>').description('every revision of the editable fields')).action(async (ref: string, o: Opts) => {
    printJson(ctx.io, await run(o, (r) => r.cardRevisions(p(o), ref)));
  });

  const settings = models.command('settings').description("the project's independence rule and evidence gates per risk tier");
  withProject(settings.command('show').description('print the settings (JSON)')).action(async (o: Opts) => {
    printJson(ctx.io, await run(o, (r) => r.getSettings(p(o))));
  });
  withProject(settings.command('set').description('replace the settings from a JSON file (versioned in config history)'))
    .requiredOption('--file <settings.json>', 'the settings document')
    .action(async (o: Opts & { file: string }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(readFileSync(o.file, 'utf8'));
      } catch (error) {
        throw new AppError('INVALID_INPUT', { message: `${o.file} is not readable JSON: ${(error as Error).message}` });
      }
      const saved = await run(o, (r) => r.setSettings(p(o), doc as never));
      ctx.io.out(`registry settings revision ${saved.revision} saved`);
    });

  const validation = program.command('validation').description('independent validation of model versions: findings, comments, sign-off, the SR 11-7-style report');
  withProject(validation.command('show <version>').description('the validation workspace')).action(async (ref: string, o: Opts) => {
    printJson(ctx.io, await run(o, (r) => r.workspace(p(o), ref)));
  });
  withProject(validation.command('finding <version>').description('record a finding'))
    .requiredOption('--title <text>', 'title')
    .requiredOption('--severity <level>', 'high, medium or low')
    .option('--description <text>', 'description')
    .action(async (ref: string, o: Opts & { title: string; severity: string; description?: string }) => {
      const f = await run(o, (r) => r.addFinding(p(o), ref, { title: o.title, severity: o.severity, ...(o.description ? { description: o.description } : {}) }));
      out(ctx, o, f, { finding: f.findingId, severity: f.severity, status: f.status, title: f.title });
    });
  withProject(validation.command('update-finding <version> <finding>').description("change a finding's status (open, remediated, accepted, closed) or severity"))
    .option('--status <status>', 'new status')
    .option('--severity <level>', 'new severity')
    .option('--comment <text>', 'why')
    .action(async (ref: string, finding: string, o: Opts & { status?: string; severity?: string; comment?: string }) => {
      const f = await run(o, (r) => r.updateFinding(p(o), ref, finding, { ...(o.status ? { status: o.status } : {}), ...(o.severity ? { severity: o.severity } : {}), ...(o.comment ? { comment: o.comment } : {}) }));
      out(ctx, o, f, { finding: f.findingId, severity: f.severity, status: f.status });
    });
  withProject(validation.command('comment <version>').description('comment on the validation or on a finding'))
    .requiredOption('--text <text>', 'the comment')
    .option('--finding <id>', 'finding')
    .action(async (ref: string, o: Opts & { text: string; finding?: string }) => {
      out(ctx, o, await run(o, (r) => r.comment(p(o), ref, { text: o.text, ...(o.finding ? { findingId: o.finding } : {}) })));
    });
  withProject(validation.command('sign-off <version>').description('sign off the validation (denied to the makers; refused with open high findings)'))
    .requiredOption('--comment <text>', 'conclusion')
    .option('--report <ref>', 'the validation report artifact, attached as evidence')
    .action(async (ref: string, o: Opts & { comment: string; report?: string }) => {
      const s = await run(o, (r) => r.signOff(p(o), ref, { comment: o.comment, ...(o.report ? { report: o.report } : {}) }));
      out(ctx, o, s, { signOff: s.signOffId, by: s.principal, at: s.at, report: s.reportArtifactId ?? '-' });
    });
  withProject(validation.command('report <version>').description('the SR 11-7-style validation report (HTML or PDF) assembled from the workspace'))
    .option('--format <format>', 'html or pdf', 'html')
    .requiredOption('--output <file>', 'where to write it')
    .action(async (ref: string, o: Opts & { format: string; output: string }) => {
      if (o.format !== 'html' && o.format !== 'pdf') throw new AppError('INVALID_INPUT', { message: '--format is html or pdf' });
      const [c, ws] = await run(o, async (r) => [await r.card(p(o), ref), await r.workspace(p(o), ref)] as const);
      const [{ renderValidationReportHtml }, { htmlToPdf }] = await Promise.all([import('../../validation/index.js'), import('../../registry/index.js')]);
      const html = renderValidationReportHtml(c, ws as never);
      writeFileAtomic(o.output, o.format === 'html' ? html : await htmlToPdf(html, { env: ctx.env }));
      ctx.io.out(`validation report of ${c.group}@${c.version} written to ${o.output}`);
    });
}

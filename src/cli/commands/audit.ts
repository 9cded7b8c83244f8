import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { AuditEntry, AuditFilter, EvidenceBundle, InclusionEvidence } from '../../security/audit/index.js';
import type { listConfigChanges } from '../../security/audit/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { common } from '../context.js';
import { printJson, printTable } from '../output.js';
import type { VerifyReport } from '../../security/audit/index.js';
import { clientFor, commonRemote, embeddedOrRemote, serverOf } from '../remote.js';

interface ListOptions extends CommonOptions {
  from?: string;
  to?: string;
  principal?: string;
  action?: string;
  resource?: string;
  outcome?: string;
  limit?: string;
}

async function toFilter(o: ListOptions): Promise<AuditFilter> {
  const { AUDIT_OUTCOMES } = await import('../../security/audit/index.js');
  if (o.outcome !== undefined && !(AUDIT_OUTCOMES as readonly string[]).includes(o.outcome)) {
    throw new AppError('INVALID_INPUT', { message: `--outcome must be one of ${AUDIT_OUTCOMES.join(', ')}` });
  }
  for (const [flag, value] of [['--from', o.from], ['--to', o.to]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new AppError('INVALID_INPUT', { message: `${flag} must be an ISO-8601 time, not ${value}` });
  }
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new AppError('INVALID_INPUT', { message: '--limit must be a positive whole number' });
  return {
    ...(o.from ? { from: new Date(o.from).toISOString() } : {}),
    ...(o.to ? { to: new Date(o.to).toISOString() } : {}),
    ...(o.principal ? { principal: o.principal } : {}),
    ...(o.action ? { action: o.action } : {}),
    ...(o.resource ? { resource: o.resource } : {}),
    ...(o.outcome ? { outcome: o.outcome as AuditFilter['outcome'] & string } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

function seqOption(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new AppError('INVALID_INPUT', { message: `${flag} must be a positive whole number, not ${value}` });
  return n;
}

function filters(c: Command): Command {
  return commonRemote(c)
    .option('--from <time>', 'entries at or after this time')
    .option('--to <time>', 'entries at or before this time')
    .option('--principal <id>', 'who acted, e.g. os:alice or user:alice')
    .option('--action <action>', 'action, or a prefix with *, e.g. artifact:*')
    .option('--resource <name>', 'resource, e.g. artifact/art_…')
    .option('--outcome <outcome>', 'allowed, denied or failed')
    .option('--limit <n>', 'at most this many entries');
}

export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit ledger');

  filters(audit.command('list').description('list audit entries')).action(async (options: ListOptions) => {
    const filter = await toFilter(options);
    const rows = await embeddedOrRemote(ctx, options, (app) => app.ledger.list(filter), (c) => c.json<AuditEntry[]>('GET', '/v1/audit', { query: { ...filter } }));
    if (options.json) printJson(ctx.io, rows);
    else
      printTable<AuditEntry>(ctx.io, rows, [
        { header: 'SEQ', value: (e) => e.seq },
        { header: 'TIME', value: (e) => e.time },
        { header: 'PRINCIPAL', value: (e) => e.principal },
        { header: 'ACTION', value: (e) => e.action },
        { header: 'RESOURCE', value: (e) => e.resource },
        { header: 'OUTCOME', value: (e) => e.outcome },
        { header: 'SOURCE', value: (e) => e.sourceIp },
      ]);
  });

  commonRemote(audit.command('verify').description('verify the hash chain and signed checkpoints; exits non-zero naming the first bad entry')).action(
    async (options: CommonOptions) => {
      const report = await embeddedOrRemote(ctx, options, (app) => app.verifyAudit(), (c) => c.json<VerifyReport>('POST', '/v1/audit/verify'));
      if (options.json) printJson(ctx.io, report);
      if (!report.ok) {
        const p = report.firstProblem!;
        throw new AppError('AUDIT_CHAIN_BROKEN', {
          message: `audit ledger verification FAILED at entry ${p.seq}${p.entryId ? ` (${p.entryId})` : ''}: ${p.reason}${report.problems.length > 1 ? ` (+${report.problems.length - 1} more problems)` : ''}`,
        });
      }
      if (!options.json) ctx.io.out(`audit ledger OK: ${report.entriesChecked} entries chained, ${report.checkpointsChecked} signed checkpoint(s) verified, head at ${report.headSeq}`);
    },
  );

  filters(audit.command('export').description('export entries for a SIEM, or an evidence bundle for an examiner (--bundle)'))
    .option('--format <format>', 'jsonl', 'jsonl')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--bundle <file>', 'write an evidence bundle (entries, signed tree heads, proofs, public keys) to this file; see docs/audit-evidence.md')
    .option('--from-seq <n>', 'with --bundle: first entry (default 1)')
    .option('--to-seq <n>', 'with --bundle: last entry (default: the newest signed tree head)')
    .action(async (options: ListOptions & { format: string; out?: string; bundle?: string; fromSeq?: string; toSeq?: string }) => {
      if (options.bundle !== undefined) {
        const range = { ...(options.fromSeq !== undefined ? { fromSeq: seqOption('--from-seq', options.fromSeq) } : {}), ...(options.toSeq !== undefined ? { toSeq: seqOption('--to-seq', options.toSeq) } : {}) };
        const bundle = await embeddedOrRemote(
          ctx,
          options,
          async (app) => {
            await app.checkpoint();
            return app.auditTrust.bundle(range);
          },
          (c) => c.json<EvidenceBundle>('GET', '/v1/audit/bundle', { query: { ...range } }),
        );
        writeFileSync(options.bundle, `${JSON.stringify(bundle, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
        const last = bundle.treeHeads[bundle.treeHeads.length - 1]!;
        ctx.io.err(`wrote an evidence bundle of ${bundle.entries.length} entries, ${bundle.treeHeads.length} signed tree head(s) up to size ${last.treeSize}, to ${options.bundle}`);
        return;
      }
      if (options.format !== 'jsonl') throw new AppError('INVALID_INPUT', { message: `Unsupported export format ${options.format}; use jsonl` });
      const filter = await toFilter(options);
      const server = serverOf(options, ctx.env);
      const fetchRows = server
        ? async () => (await (await clientFor(server, ctx.env).fetch('GET', '/v1/audit/export', { query: { ...filter, limit: undefined } })).text()).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as AuditEntry)
        : undefined;
      const write = async (rows: AuditEntry[]) => {
        if (options.out) {
          const out = createWriteStream(options.out, { flags: 'wx', mode: 0o600 });
          for (const e of rows) out.write(`${JSON.stringify(e)}\n`);
          await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        } else {
          for (const e of rows) ctx.io.out(JSON.stringify(e));
        }
        return rows.length;
      };
      const count = fetchRows ? await write(await fetchRows()) : await ctx.withApp(options, async (app) => write(await app.ledger.list(filter)));
      if (options.out) ctx.io.err(`exported ${count} entries to ${options.out}`);
    });

  commonRemote(audit.command('prove').description('print an entry, its Merkle inclusion proof and the signed tree head it is proven against').argument('<seq>', 'the entry\'s sequence number')).action(
    async (seqText: string, options: CommonOptions) => {
      const seq = seqOption('SEQ', seqText);
      const evidence = await embeddedOrRemote(
        ctx,
        options,
        async (app) => {
          await app.checkpoint();
          return app.auditTrust.prove(seq);
        },
        (c) => c.json<InclusionEvidence>('GET', `/v1/audit/proofs/${seq}`),
      );
      if (options.json) printJson(ctx.io, evidence);
      else {
        const e = evidence.entry;
        ctx.io.out(`entry ${e.seq} (${e.id}): ${e.time} ${e.principal} ${e.action} ${e.resource} ${e.outcome}`);
        ctx.io.out(`  hash ${e.hash}`);
        ctx.io.out(`included in the tree of size ${evidence.treeHead.treeSize}, root ${evidence.treeHead.rootHash}, signed ${evidence.treeHead.createdAt} by ${evidence.treeHead.keyId}:${evidence.treeHead.keyVersion}`);
        ctx.io.out(`inclusion proof (${evidence.inclusionProof.length} hashes, leaf index ${evidence.leafIndex}):`);
        for (const h of evidence.inclusionProof) ctx.io.out(`  ${h}`);
      }
    },
  );

  audit
    .command('verify-bundle')
    .description('verify an evidence bundle offline (no installation, no database): signatures, consistency and inclusion proofs, entry hashes')
    .argument('<file>', 'the bundle written by attest audit export --bundle')
    .option('--json', 'print JSON for scripts')
    .action(async (file: string, options: { json?: boolean }) => {
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new AppError('INVALID_INPUT', { message: `Cannot read the bundle ${file}: ${(error as Error).message}` });
      }
      const { verifyEvidenceBundle } = await import('../../security/audit/index.js');
      const report = verifyEvidenceBundle(input);
      if (options.json) printJson(ctx.io, report);
      if (!report.ok) {
        throw new AppError('AUDIT_BUNDLE_INVALID', { message: `evidence bundle verification FAILED: ${report.problems[0]}${report.problems.length > 1 ? ` (+${report.problems.length - 1} more problems)` : ''}` });
      }
      if (!options.json) {
        ctx.io.out(`evidence bundle OK: ${report.entriesChecked} entries${report.range ? ` (${report.range.fromSeq}..${report.range.toSeq})` : ''} proven in ${report.treeHeadsChecked} signed tree head(s)`);
        for (const k of report.keys) ctx.io.out(`  signed by ${k.keyId}:${k.keyVersion}, public key SHA-256 ${k.fingerprint} (compare with the fingerprint the institution published)`);
      }
    });

  common(audit.command('checkpoint').description('verify the entries since the last signed tree head and sign a new one now')).action(async (options: CommonOptions) => {
    const outcome = await ctx.withApp(options, (app) => app.checkpoint());
    const head = outcome.head;
    if (options.json) printJson(ctx.io, { seq: head?.treeSize ?? 0, hash: head?.chainHead, head, signed: outcome.signed !== undefined, witnessErrors: outcome.witnessErrors });
    else {
      ctx.io.out(`checkpoint covers entry ${head?.treeSize ?? 0}${head ? ` (Merkle root ${head.rootHash})` : ''}`);
      for (const e of outcome.witnessErrors) ctx.io.err(`attest: warning: ${e}`);
    }
  });

  const config = program.command('config').description('configuration and its change history');
  commonRemote(config.command('history').description('config history: every change with before and after'))
    .option('--type <type>', 'resource type, e.g. key')
    .option('--id <id>', 'resource id')
    .action(async (options: CommonOptions & { type?: string; id?: string }) => {
      const filter = { ...(options.type ? { resourceType: options.type } : {}), ...(options.id ? { resourceId: options.id } : {}) };
      const rows = await embeddedOrRemote(ctx, options, async (app) => (await import('../../security/audit/index.js')).listConfigChanges(app.db, filter), (c) => c.json<Awaited<ReturnType<typeof listConfigChanges>>>('GET', '/v1/config/history', { query: { type: options.type, id: options.id } }));
      if (options.json) printJson(ctx.io, rows);
      else
        printTable(ctx.io, rows, [
          { header: 'TIME', value: (r) => r.time },
          { header: 'PRINCIPAL', value: (r) => r.principal },
          { header: 'TYPE', value: (r) => r.resourceType },
          { header: 'ID', value: (r) => r.resourceId },
          { header: 'CHANGE', value: (r) => r.change },
          { header: 'AUDIT SEQ', value: (r) => r.auditSeq },
        ]);
    });
}

import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { KeyMetadata } from '../../security/keys/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import { commonRemote as common, embeddedOrRemote, seg } from '../remote.js';

function show(ctx: CliContext, options: CommonOptions, key: KeyMetadata): void {
  if (options.json) printJson(ctx.io, key);
  else printRecord(ctx.io, { ...key, versions: key.versions.join(',') });
}

export function registerKeyCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('customer-managed keys (create, rotate, disable, schedule deletion, rewrap)');

  common(keys.command('create').description('create a key'))
    .option('--alias <alias>', 'alias, e.g. alias/credit-risk')
    .option('--description <text>', 'description', '')
    .action(async (options: CommonOptions & { alias?: string; description: string }) => {
      const input = { description: options.description, ...(options.alias ? { alias: options.alias } : {}) };
      show(ctx, options, await embeddedOrRemote(ctx, options, (app, actor) => app.keys.create(actor, input), (c) => c.json<KeyMetadata>('POST', '/v1/keys', { json: input })));
    });

  common(keys.command('list').description('list keys')).action(async (options: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, options, (app) => app.keys.list(), (c) => c.json<KeyMetadata[]>('GET', '/v1/keys'));
    if (options.json) printJson(ctx.io, rows);
    else
      printTable(ctx.io, rows, [
        { header: 'KEY ID', value: (k) => k.keyId },
        { header: 'ALIAS', value: (k) => k.alias },
        { header: 'USAGE', value: (k) => k.usage },
        { header: 'STATE', value: (k) => k.state },
        { header: 'VERSION', value: (k) => k.currentVersion },
        { header: 'DELETION DATE', value: (k) => k.deletionDate },
      ]);
  });

  const simple: [string, string, 'describe' | 'enable' | 'disable' | 'rotate' | 'cancelDeletion'][] = [
    ['describe', 'show a key', 'describe'],
    ['enable', 'enable a key', 'enable'],
    ['disable', 'disable a key: its objects become unreadable until it is enabled', 'disable'],
    ['rotate', 'add a new key version (older versions remain for decryption)', 'rotate'],
    ['cancel-deletion', 'cancel a scheduled deletion (the key returns disabled)', 'cancelDeletion'],
  ];
  for (const [name, description, method] of simple) {
    common(keys.command(`${name} <key>`).description(description)).action(async (key: string, options: CommonOptions) => {
      show(
        ctx,
        options,
        await embeddedOrRemote(
          ctx,
          options,
          (app, actor) => (method === 'describe' ? app.keys.describe(key) : app.keys[method](actor, key)),
          (c) => (method === 'describe' ? c.json<KeyMetadata>('GET', `/v1/keys/${seg(key)}`) : c.json<KeyMetadata>('POST', `/v1/keys/${seg(key)}/${name}`)),
        ),
      );
    });
  }

  common(keys.command('schedule-deletion <key>').description('schedule deletion after a waiting period (7–30 days)'))
    .option('--days <n>', 'waiting period in days', '30')
    .action(async (key: string, options: CommonOptions & { days: string }) => {
      const days = Number(options.days);
      if (!Number.isInteger(days)) throw new AppError('INVALID_INPUT', { message: `--days must be a whole number, not ${options.days}` });
      show(ctx, options, await embeddedOrRemote(ctx, options, (app, actor) => app.keys.scheduleDeletion(actor, key, days), (c) => c.json<KeyMetadata>('POST', `/v1/keys/${seg(key)}/schedule-deletion`, { json: { days } })));
    });

  common(keys.command('rewrap [key]').description('re-wrap data keys under the newest key version, without rewriting object bytes')).action(
    async (key: string | undefined, options: CommonOptions) => {
      const result = await embeddedOrRemote(
        ctx,
        options,
        (app, actor) => app.artifacts.rewrap(actor, key),
        (c) => {
          if (!key) throw new AppError('INVALID_INPUT', { message: 'On a server, name the key to rewrap' });
          return c.json<{ rewrapped: number; keys: string[] }>('POST', `/v1/keys/${seg(key)}/rewrap`);
        },
      );
      if (options.json) printJson(ctx.io, result);
      else ctx.io.out(`Re-wrapped ${result.rewrapped} data key(s) under the newest version of ${result.keys.join(', ') || 'no key'}`);
    },
  );
}

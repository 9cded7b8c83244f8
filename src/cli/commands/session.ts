/**
 * `attest login / logout / whoami`: a session with an API server, its token stored owner-only.
 */
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord } from '../output.js';
import { ApiClient, clientFor, commonRemote, forgetCredentials, saveCredentials, serverOf } from '../remote.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerSessionCommands(program: Command, ctx: CliContext): void {
  commonRemote(program.command('login').description('log in to an API server with a password; the session token is stored owner-only'))
    .requiredOption('--user <name>', 'user name')
    .option('--password-stdin', 'read the password from standard input (else $ATTEST_PASSWORD)')
    .action(async (options: CommonOptions & { user: string; passwordStdin?: boolean }) => {
      const server = serverOf(options, ctx.env);
      if (!server) throw new AppError('INVALID_INPUT', { message: 'attest login needs --server URL (or ATTEST_URL)' });
      const password = options.passwordStdin ? await readStdin() : ctx.env.ATTEST_PASSWORD;
      if (!password) throw new AppError('INVALID_INPUT', { message: 'Give the password on standard input with --password-stdin, or in ATTEST_PASSWORD' });
      const result = await new ApiClient({ baseUrl: server }).json<{ token: string; expiresAt: string | null; principal: string }>('POST', '/v1/login', { json: { username: options.user, password } });
      const path = await saveCredentials(ctx.env, server, { token: result.token, principal: result.principal, expiresAt: result.expiresAt });
      if (options.json) printJson(ctx.io, { server, principal: result.principal, expiresAt: result.expiresAt, credentials: path });
      else ctx.io.out(`Logged in to ${server} as ${result.principal} (session expires ${result.expiresAt ?? 'never'}; token in ${path})`);
    });

  commonRemote(program.command('logout').description('end the session with an API server and forget its token')).action(async (options: CommonOptions) => {
    const server = serverOf(options, ctx.env);
    if (!server) throw new AppError('INVALID_INPUT', { message: 'attest logout needs --server URL (or ATTEST_URL)' });
    try {
      await clientFor(server, ctx.env).json('POST', '/v1/logout');
    } finally {
      await forgetCredentials(ctx.env, server);
    }
    if (!options.json) ctx.io.out(`Logged out of ${server}`);
  });

  commonRemote(program.command('whoami').description('who you are: the logged-in principal on a server, or the operating-system user on the home')).action(async (options: CommonOptions) => {
    const server = serverOf(options, ctx.env);
    if (server) {
      const who = await clientFor(server, ctx.env).json<Record<string, unknown> & { roles: { role: string; project: string | null; via: string }[] }>('GET', '/v1/whoami');
      if (options.json) printJson(ctx.io, who);
      else printRecord(ctx.io, { ...who, roles: who.roles.map((r) => `${r.role}${r.project ? `@${r.project}` : ''} (${r.via})`).join(', ') || '-' });
      return;
    }
    const actor = ctx.actor();
    const who = { principal: actor.principal, mode: 'embedded', access: 'full (whoever can read the keyring owns the installation)' };
    if (options.json) printJson(ctx.io, who);
    else printRecord(ctx.io, who);
  });
}

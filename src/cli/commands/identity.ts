/**
 * `attest users | groups | tokens …`: identities, embedded or through a server.
 */
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { GroupView, TokenView, UserView } from '../../security/identity-store/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import { clientFor, commonRemote, embeddedOrRemote, serverOf } from '../remote.js';

const USER_COLUMNS = [
  { header: 'NAME', value: (u: UserView) => u.name },
  { header: 'KIND', value: (u: UserView) => u.kind },
  { header: 'STATUS', value: (u: UserView) => u.status },
  { header: 'LOCKED UNTIL', value: (u: UserView) => (u.status === 'locked' ? (u.lockedUntil ?? 'unlocked by an administrator') : undefined) },
  { header: 'EMAIL', value: (u: UserView) => u.email },
  { header: 'CREATED', value: (u: UserView) => u.createdAt },
];
const TOKEN_COLUMNS = [
  { header: 'PREFIX', value: (t: TokenView) => t.prefix },
  { header: 'NAME', value: (t: TokenView) => t.name },
  { header: 'KIND', value: (t: TokenView) => t.kind },
  { header: 'SCOPE', value: (t: TokenView) => t.scope },
  { header: 'EXPIRES', value: (t: TokenView) => t.expiresAt ?? 'never' },
  { header: 'REVOKED', value: (t: TokenView) => t.revokedAt },
  { header: 'LAST USED', value: (t: TokenView) => t.lastUsedAt },
];

function show(ctx: CliContext, options: CommonOptions, record: object): void {
  if (options.json) printJson(ctx.io, record);
  else printRecord(ctx.io, record as Record<string, unknown>);
}

export function registerIdentityCommands(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('local users and service principals');
  commonRemote(users.command('list').description('list users and service principals')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.users.list(), (c) => c.json<UserView[]>('GET', '/v1/users'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, USER_COLUMNS);
  });
  commonRemote(users.command('create <name>').description('create a user (password from $ATTEST_NEW_PASSWORD) or, with --service, a service principal'))
    .option('--service', 'a service principal for pipelines and jobs (authenticates with tokens only)')
    .option('--email <email>', 'e-mail address')
    .option('--display-name <name>', 'display name')
    .option('--external-id <issuer#sub>', 'link an OIDC identity to this user')
    .action(async (name: string, o: CommonOptions & { service?: boolean; email?: string; displayName?: string; externalId?: string }) => {
      const password = o.service ? undefined : ctx.env.ATTEST_NEW_PASSWORD;
      const input = { name, kind: o.service ? ('service' as const) : ('user' as const), ...(o.email ? { email: o.email } : {}), ...(o.displayName ? { displayName: o.displayName } : {}), ...(o.externalId ? { externalId: o.externalId } : {}), ...(password ? { password } : {}) };
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.create(actor, input), (c) => c.json<UserView>('POST', '/v1/users', { json: input })));
    });
  commonRemote(users.command('describe <name>').description('show a user')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app) => app.identity.users.describe(name), (c) => c.json<UserView>('GET', `/v1/users/${name}`)));
  });
  commonRemote(users.command('delete <name>').description('delete a user')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.delete(actor, name), (c) => c.json<UserView>('DELETE', `/v1/users/${name}`)));
  });
  commonRemote(users.command('lock <name>').description('lock an account until unlocked'))
    .option('--reason <text>', 'why', 'locked by an administrator')
    .action(async (name: string, o: CommonOptions & { reason: string }) => {
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.lock(actor, name, null, o.reason), (c) => c.json<UserView>('POST', `/v1/users/${name}/lock`, { json: { reason: o.reason } })));
    });
  commonRemote(users.command('unlock <name>').description('unlock an account')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.unlock(actor, name), (c) => c.json<UserView>('POST', `/v1/users/${name}/unlock`)));
  });
  commonRemote(users.command('reset-password <name>').description('set a new password (from $ATTEST_NEW_PASSWORD)')).action(async (name: string, o: CommonOptions) => {
    const password = ctx.env.ATTEST_NEW_PASSWORD;
    if (!password) throw new AppError('INVALID_INPUT', { message: 'Put the new password in ATTEST_NEW_PASSWORD (never on the command line)' });
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.setPassword(actor, name, password), (c) => c.json<UserView>('PUT', `/v1/users/${name}/password`, { json: { password } })));
  });

  const groups = program.command('groups').description('groups of users');
  commonRemote(groups.command('list').description('list groups')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.users.listGroups(), (c) => c.json<GroupView[]>('GET', '/v1/groups'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [{ header: 'NAME', value: (g) => g.name }, { header: 'MEMBERS', value: (g) => g.members.join(',') || '-' }, { header: 'DESCRIPTION', value: (g) => g.description }]);
  });
  commonRemote(groups.command('create <name>').description('create a group'))
    .option('--description <text>', 'description')
    .action(async (name: string, o: CommonOptions & { description?: string }) => {
      const input = { name, ...(o.description ? { description: o.description } : {}) };
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.createGroup(actor, input), (c) => c.json<GroupView>('POST', '/v1/groups', { json: input })));
    });
  commonRemote(groups.command('describe <name>').description('show a group')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app) => app.identity.users.describeGroup(name), (c) => c.json<GroupView>('GET', `/v1/groups/${name}`)));
  });
  commonRemote(groups.command('delete <name>').description('delete a group')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.deleteGroup(actor, name), (c) => c.json<GroupView>('DELETE', `/v1/groups/${name}`)));
  });
  commonRemote(groups.command('add-member <group> <user>').description('add a user to a group')).action(async (group: string, user: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.addMember(actor, group, user), (c) => c.json<GroupView>('POST', `/v1/groups/${group}/members`, { json: { user } })));
  });
  commonRemote(groups.command('remove-member <group> <user>').description('remove a user from a group')).action(async (group: string, user: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.users.removeMember(actor, group, user), (c) => c.json<GroupView>('DELETE', `/v1/groups/${group}/members/${user}`)));
  });

  const tokens = program.command('tokens').description('API tokens (shown once, stored as a hash)');
  /** Whose tokens: --user, else (on a server) the logged-in principal. */
  const owner = async (o: CommonOptions & { user?: string }): Promise<string> => {
    if (o.user) return o.user;
    const server = serverOf(o, ctx.env);
    if (server) return (await clientFor(server, ctx.env).json<{ name: string }>('GET', '/v1/whoami')).name;
    throw new AppError('INVALID_INPUT', { message: 'Say whose tokens: --user NAME' });
  };
  commonRemote(tokens.command('list').description("list a user's API tokens"))
    .option('--user <name>', 'owner')
    .action(async (o: CommonOptions & { user?: string }) => {
      const user = await owner(o);
      const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.tokens.list(user), (c) => c.json<TokenView[]>('GET', `/v1/users/${user}/tokens`));
      if (o.json) printJson(ctx.io, rows);
      else printTable(ctx.io, rows, TOKEN_COLUMNS);
    });
  commonRemote(tokens.command('create <name>').description('create an API token; the secret is printed once'))
    .option('--user <name>', 'owner')
    .option('--days <n>', 'lifetime in days (default 90)')
    .option('--no-expiry', 'never expires')
    .option('--scope <preset>', 'narrower scope: read-only')
    .action(async (name: string, o: CommonOptions & { user?: string; days?: string; expiry: boolean; scope?: string }) => {
      const user = await owner(o);
      const days = o.days === undefined ? undefined : Number(o.days);
      if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new AppError('INVALID_INPUT', { message: '--days must be a positive whole number' });
      const lifetimeMs = o.expiry === false ? null : days === undefined ? undefined : days * 86_400_000;
      const result = await embeddedOrRemote(
        ctx,
        o,
        async (app, actor) => {
          const r = await app.identity.tokens.create(actor, { owner: user, name, ...(lifetimeMs !== undefined ? { lifetimeMs } : {}), ...(o.scope ? { scope: { name: o.scope } } : {}) });
          return { token: r.token, details: r.view };
        },
        (c) => c.json<{ token: string; details: TokenView }>('POST', `/v1/users/${user}/tokens`, { json: { name, ...(lifetimeMs !== undefined ? { expiresInDays: lifetimeMs === null ? null : days } : {}), ...(o.scope ? { scope: o.scope } : {}) } }),
      );
      if (o.json) printJson(ctx.io, result);
      else {
        ctx.io.out(result.token);
        ctx.io.err(`token ${result.details.prefix} for ${user}, expires ${result.details.expiresAt ?? 'never'}: store it now, it is not shown again`);
      }
    });
  commonRemote(tokens.command('revoke <prefix>').description('revoke an API token (refused from its next request on)'))
    .option('--user <name>', 'owner')
    .action(async (prefix: string, o: CommonOptions & { user?: string }) => {
      const user = await owner(o);
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.tokens.revoke(actor, user, prefix), (c) => c.json<TokenView>('DELETE', `/v1/users/${user}/tokens/${prefix}`)));
    });
}

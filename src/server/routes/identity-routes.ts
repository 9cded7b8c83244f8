/**
 * @module server/routes/identity-routes
 * Login, logout, whoami; users and service principals; their API tokens; groups.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import { recordOutcome } from '../../security/audit/index.js';
import { verifyPassword } from '../../security/identity/index.js';
import { GroupView, Name, TokenView, UserView } from '../../security/identity-store/index.js';
import { PolicyDocument } from '../../security/policy/index.js';
import type { RouteKit } from '../route-kit.js';
import { checkBoundary } from './access-routes.js';
import { NameParams, Ok, PolicyRef } from './schemas.js';

const UserWithGroups = UserView.extend({ groups: z.array(z.string()) });
const NewToken = z.object({ token: z.string().describe('Shown once: store it now'), details: TokenView });
const TokenParams = z.object({ name: Name, prefix: z.string().regex(/^[a-z2-7]{8}$/) });

export function registerIdentityRoutes(kit: RouteKit, app: App): void {
  const { users, tokens, access } = app.identity;
  const tags = ['identity'];

  kit.route({
    method: 'POST',
    url: '/v1/logout',
    summary: 'End the current session (revokes the token used for this request)',
    tags,
    action: 'token:Revoke',
    audit: 'service',
    resource: ({ principal }) => `attest::token/${principal.name}/${principal.token?.prefix ?? 'none'}`,
    response: Ok,
    handler: async ({ principal, actor }) => {
      if (!principal.token) throw new AppError('INVALID_INPUT', { message: 'Only Attest tokens can be logged out; identity-provider tokens expire on their own' });
      await tokens.revoke(actor, principal.name, principal.token.prefix, 'logout');
      return { ok: true as const };
    },
  });

  kit.route({
    method: 'GET',
    url: '/v1/whoami',
    summary: 'Who the caller is: principal, groups, authentication method and role grants',
    tags,
    action: 'user:Describe',
    audit: 'server',
    resource: ({ principal }) => `attest::user/${principal.name}`,
    response: z.object({
      principal: z.string(),
      name: z.string(),
      kind: z.enum(['user', 'service']),
      authMethod: z.string(),
      groups: z.array(z.string()),
      token: z.object({ prefix: z.string(), kind: z.string(), scope: z.string().nullable() }).nullable(),
      roles: z.array(z.object({ role: z.string(), project: z.string().nullable(), via: z.string() })),
    }),
    handler: async ({ principal }) => {
      const stored = (await users.findRow(principal.name)) ? await access.listAssignments({ subjectType: 'user', subject: principal.name }) : [];
      const viaGroups = (await Promise.all(principal.groups.map(async (g) => (await access.listAssignments({ subjectType: 'group', subject: g }).catch(() => [])).map((a) => ({ ...a, via: `group:${g}` }))))).flat();
      return {
        principal: principal.auditName,
        name: principal.name,
        kind: principal.kind,
        authMethod: principal.authMethod,
        groups: [...principal.groups],
        token: principal.token ? { prefix: principal.token.prefix, kind: principal.token.kind, scope: principal.token.scope?.name ?? null } : null,
        roles: [
          ...stored.map((a) => ({ role: a.role, project: a.project, via: 'direct' })),
          ...viaGroups.map((a) => ({ role: a.role, project: a.project, via: a.via })),
          ...(principal.extraGrants ?? []).map((g) => ({ role: g.role, project: g.project ?? null, via: 'oidc' })),
        ],
      };
    },
  });

  // users and service principals
  kit.route({
    method: 'GET', url: '/v1/users', summary: 'List users and service principals', tags, action: 'user:List', audit: 'server',
    resource: () => 'attest::user/*', response: z.array(UserView),
    handler: () => users.list(),
  });
  kit.route({
    method: 'POST', url: '/v1/users', summary: 'Create a user (with a password) or a service principal (tokens only)', tags, action: 'user:Create', audit: 'service',
    body: z.object({ name: Name, kind: z.enum(['user', 'service']).default('user'), displayName: z.string().max(200).optional(), email: z.email().optional(), password: z.string().max(256).optional(), externalId: z.string().min(3).max(512).optional().describe('OIDC identity <issuer>#<sub> to link') }),
    resource: ({ body }) => `attest::user/${body.name}`, response: UserView,
    handler: ({ actor, body }) => users.create(actor, { name: body.name, kind: body.kind, ...(body.displayName ? { displayName: body.displayName } : {}), ...(body.email ? { email: body.email } : {}), ...(body.password !== undefined ? { password: body.password } : {}), ...(body.externalId ? { externalId: body.externalId } : {}) }),
  });
  kit.route({
    method: 'GET', url: '/v1/users/:name', summary: 'Describe a user', tags, action: 'user:Describe', audit: 'server', params: NameParams,
    resource: ({ params }) => `attest::user/${params.name}`, response: UserWithGroups,
    handler: ({ params }) => users.describe(params.name),
  });
  kit.route({
    method: 'DELETE', url: '/v1/users/:name', summary: 'Delete a user', tags, action: 'user:Delete', audit: 'service', params: NameParams,
    resource: ({ params }) => `attest::user/${params.name}`, response: UserView,
    handler: ({ actor, params }) => users.delete(actor, params.name),
  });
  kit.route({
    method: 'POST', url: '/v1/users/:name/lock', summary: 'Lock an account until unlocked', tags, action: 'user:Lock', audit: 'service', params: NameParams,
    body: z.object({ reason: z.string().max(500).optional() }).nullish(),
    resource: ({ params }) => `attest::user/${params.name}`, response: UserView,
    handler: ({ actor, params, body }) => users.lock(actor, params.name, null, body?.reason ?? 'locked by an administrator'),
  });
  kit.route({
    method: 'POST', url: '/v1/users/:name/unlock', summary: 'Unlock an account', tags, action: 'user:Unlock', audit: 'service', params: NameParams,
    resource: ({ params }) => `attest::user/${params.name}`, response: UserView,
    handler: ({ actor, params }) => users.unlock(actor, params.name),
  });
  kit.route({
    method: 'PUT', url: '/v1/users/:name/password', summary: "Reset another user's password", tags, action: 'user:ResetPassword', audit: 'service', params: NameParams,
    body: z.object({ password: z.string().min(1).max(256) }),
    resource: ({ params }) => `attest::user/${params.name}`, response: UserView,
    handler: async (input) => {
      await checkBoundary(app, input, 'user:ResetPassword', { kind: 'take-over-credentials', user: input.params.name });
      return users.setPassword(input.actor, input.params.name, input.body.password, 'user:ResetPassword');
    },
  });
  kit.route({
    method: 'PUT', url: '/v1/me/password', summary: "Change one's own password (requires the current one)", tags, action: 'user:ChangePassword', audit: 'service',
    body: z.object({ currentPassword: z.string().max(256), password: z.string().min(1).max(256) }),
    resource: ({ principal }) => `attest::user/${principal.name}`, response: UserView,
    handler: async ({ actor, principal, body }) => {
      const row = await users.findRow(principal.name);
      if (!row || !(await verifyPassword(body.currentPassword, row.password_hash ?? undefined))) throw new AppError('INVALID_CREDENTIALS', { message: 'The current password is wrong' });
      return users.setPassword(actor, principal.name, body.password, 'user:ChangePassword');
    },
  });
  kit.route({
    method: 'POST', url: '/v1/users/:name/policies', summary: 'Attach a managed policy to a user', tags, action: 'user:AttachPolicy', audit: 'service', params: NameParams, body: PolicyRef,
    resource: ({ params }) => `attest::user/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params, body } = input;
      await checkBoundary(app, input, 'user:AttachPolicy', { kind: 'attach-policy', target: 'user', subject: params.name, policy: body.policy });
      await access.attachPolicy(actor, body.policy, 'user', params.name);
      return { ok: true as const };
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/users/:name/policies/:policy', summary: 'Detach a managed policy from a user', tags, action: 'user:DetachPolicy', audit: 'service',
    params: z.object({ name: Name, policy: Name }),
    resource: ({ params }) => `attest::user/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params } = input;
      await checkBoundary(app, input, 'user:DetachPolicy', { kind: 'detach-policy', target: 'user', subject: params.name, policy: params.policy });
      await access.detachPolicy(actor, params.policy, 'user', params.name);
      return { ok: true as const };
    },
  });

  // tokens
  kit.route({
    method: 'GET', url: '/v1/users/:name/tokens', summary: "List a user's API tokens", tags, action: 'token:List', audit: 'server', params: NameParams,
    query: z.object({ sessions: z.enum(['true', 'false']).default('false') }),
    resource: ({ params }) => `attest::token/${params.name}/*`, response: z.array(TokenView),
    handler: ({ params, query }) => tokens.list(params.name, query.sessions === 'true'),
  });
  kit.route({
    method: 'POST', url: '/v1/users/:name/tokens', summary: 'Create an API token (the secret is returned once)', tags, action: 'token:Create', audit: 'service', params: NameParams,
    body: z.object({
      name: z.string().min(1).max(128),
      expiresInDays: z.number().int().min(1).max(3650).nullable().optional().describe('null: never expires; default 90'),
      scope: z.union([z.literal('read-only'), z.object({ name: z.string().min(1).max(128), document: PolicyDocument })]).optional(),
    }),
    resource: ({ params }) => `attest::token/${params.name}/new`, response: NewToken,
    handler: async (input) => {
      const { actor, params, body, principal } = input;
      // A user's tokens act as that user: only the user mints them. Tokens of service principals
      // are minted by whoever may (pipelines cannot log in). Otherwise a user administrator could
      // become any user, the administrator included.
      const owner = await users.findRow(params.name);
      if (owner?.kind === 'user' && owner.name !== principal.name) {
        const resource = `attest::token/${params.name}/new`;
        await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'token:Create', resource, 'denied', { reason: "only a user creates that user's tokens" });
        throw new AppError('ACCESS_DENIED', { message: `Only ${params.name} can create tokens for ${params.name}; service principals' tokens can be created by administrators` });
      }
      // A token of a service principal acts as it: mint one only for a principal within your ceiling.
      if (owner && owner.name !== principal.name) await checkBoundary(app, input, 'token:Create', { kind: 'take-over-credentials', user: params.name });
      const created = await tokens.create(actor, {
        owner: params.name,
        name: body.name,
        ...(body.expiresInDays !== undefined ? { lifetimeMs: body.expiresInDays === null ? null : body.expiresInDays * 86_400_000 } : {}),
        ...(body.scope ? { scope: typeof body.scope === 'string' ? { name: body.scope } : body.scope } : {}),
      });
      return { token: created.token, details: created.view };
    },
  });
  kit.route({
    method: 'GET', url: '/v1/users/:name/tokens/:prefix', summary: "Describe an API token (never its secret)", tags, action: 'token:Describe', audit: 'server', params: TokenParams,
    resource: ({ params }) => `attest::token/${params.name}/${params.prefix}`, response: TokenView,
    handler: ({ params }) => tokens.describe(params.name, params.prefix),
  });
  kit.route({
    method: 'DELETE', url: '/v1/users/:name/tokens/:prefix', summary: 'Revoke an API token (refused from its next request on)', tags, action: 'token:Revoke', audit: 'service', params: TokenParams,
    resource: ({ params }) => `attest::token/${params.name}/${params.prefix}`, response: TokenView,
    handler: ({ actor, params }) => tokens.revoke(actor, params.name, params.prefix),
  });

  // groups
  const groupTags = ['groups'];
  kit.route({
    method: 'GET', url: '/v1/groups', summary: 'List groups', tags: groupTags, action: 'group:List', audit: 'server',
    resource: () => 'attest::group/*', response: z.array(GroupView),
    handler: () => users.listGroups(),
  });
  kit.route({
    method: 'POST', url: '/v1/groups', summary: 'Create a group', tags: groupTags, action: 'group:Create', audit: 'service',
    body: z.object({ name: Name, description: z.string().max(500).optional() }),
    resource: ({ body }) => `attest::group/${body.name}`, response: GroupView,
    handler: ({ actor, body }) => users.createGroup(actor, { name: body.name, ...(body.description ? { description: body.description } : {}) }),
  });
  kit.route({
    method: 'GET', url: '/v1/groups/:name', summary: 'Describe a group', tags: groupTags, action: 'group:Describe', audit: 'server', params: NameParams,
    resource: ({ params }) => `attest::group/${params.name}`, response: GroupView,
    handler: ({ params }) => users.describeGroup(params.name),
  });
  kit.route({
    method: 'DELETE', url: '/v1/groups/:name', summary: 'Delete a group', tags: groupTags, action: 'group:Delete', audit: 'service', params: NameParams,
    resource: ({ params }) => `attest::group/${params.name}`, response: GroupView,
    handler: async (input) => {
      await checkBoundary(app, input, 'group:Delete', { kind: 'delete-group', group: input.params.name });
      return users.deleteGroup(input.actor, input.params.name);
    },
  });
  kit.route({
    method: 'POST', url: '/v1/groups/:name/members', summary: 'Add a member', tags: groupTags, action: 'group:AddMember', audit: 'service', params: NameParams,
    body: z.object({ user: Name }),
    resource: ({ params }) => `attest::group/${params.name}`, response: GroupView,
    handler: async (input) => {
      await checkBoundary(app, input, 'group:AddMember', { kind: 'add-member', group: input.params.name, user: input.body.user });
      return users.addMember(input.actor, input.params.name, input.body.user);
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/groups/:name/members/:user', summary: 'Remove a member', tags: groupTags, action: 'group:RemoveMember', audit: 'service',
    params: z.object({ name: Name, user: Name }),
    resource: ({ params }) => `attest::group/${params.name}`, response: GroupView,
    handler: async (input) => {
      await checkBoundary(app, input, 'group:RemoveMember', { kind: 'remove-member', group: input.params.name, user: input.params.user });
      return users.removeMember(input.actor, input.params.name, input.params.user);
    },
  });
  kit.route({
    method: 'POST', url: '/v1/groups/:name/policies', summary: 'Attach a managed policy to a group', tags: groupTags, action: 'group:AttachPolicy', audit: 'service', params: NameParams, body: PolicyRef,
    resource: ({ params }) => `attest::group/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params, body } = input;
      await checkBoundary(app, input, 'group:AttachPolicy', { kind: 'attach-policy', target: 'group', subject: params.name, policy: body.policy });
      await access.attachPolicy(actor, body.policy, 'group', params.name);
      return { ok: true as const };
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/groups/:name/policies/:policy', summary: 'Detach a managed policy from a group', tags: groupTags, action: 'group:DetachPolicy', audit: 'service',
    params: z.object({ name: Name, policy: Name }),
    resource: ({ params }) => `attest::group/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params } = input;
      await checkBoundary(app, input, 'group:DetachPolicy', { kind: 'detach-policy', target: 'group', subject: params.name, policy: params.policy });
      await access.detachPolicy(actor, params.policy, 'group', params.name);
      return { ok: true as const };
    },
  });
}

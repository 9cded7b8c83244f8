/**
 * @module quickstart/team
 * The people of the quickstart: a data scientist and an independent model validator, created with
 * generated passwords, granted their job-function roles in the project, and given API tokens —
 * written once to an owner-only file in the home, never printed. The quickstart then acts as them
 * through the same authenticator and authorizer the API server uses.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { App } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import type { Principal } from '../security/identity-store/index.js';
import { writeOwnerOnlyFile } from '../security/keys/index.js';

export const TOKENS_FILE = 'quickstart-tokens.json';

export interface Member {
  name: string;
  role: string;
  principal: Principal;
  actor: Actor;
}

export interface Team {
  scientist: Member;
  validator: Member;
  tokensFile: string;
}

function generatedPassword(): string {
  return `qs-${randomBytes(18).toString('base64url')}`;
}

async function ensureMember(app: App, operator: Actor, project: string, name: string, displayName: string, role: string): Promise<{ member: Omit<Member, 'principal' | 'actor'>; token: string }> {
  if (!(await app.identity.users.findRow(name))) {
    await app.identity.users.create(operator, { name, displayName, password: generatedPassword() });
  }
  await app.identity.access.assignRole(operator, { subjectType: 'user', subject: name, role, project });
  const self: Actor = { principal: `user:${name}`, sourceIp: 'local', userAgent: 'attest-quickstart' };
  const { token } = await app.identity.tokens.create(self, { owner: name, name: `quickstart-${Date.now()}`, lifetimeMs: 30 * 86_400_000 });
  return { member: { name, role }, token };
}

/** Creates (or reuses) the data scientist and the validator, and authenticates each with a fresh token. */
export async function ensureTeam(app: App, operator: Actor, project: string, home: string): Promise<Team> {
  const scientist = await ensureMember(app, operator, project, 'dana', 'Dana (data scientist)', 'data-scientist');
  const validator = await ensureMember(app, operator, project, 'victor', 'Victor (model validator)', 'model-validator');
  const tokensFile = join(home, TOKENS_FILE);
  writeOwnerOnlyFile(tokensFile, `${JSON.stringify({ dana: scientist.token, victor: validator.token }, null, 2)}\n`, false);
  const signIn = async (m: { member: Omit<Member, 'principal' | 'actor'>; token: string }): Promise<Member> => {
    const principal = await app.identity.authenticator.authenticate(m.token);
    return { ...m.member, principal, actor: { principal: principal.auditName, sourceIp: '127.0.0.1', userAgent: 'attest-quickstart', requestId: `qs-${randomBytes(6).toString('hex')}` } };
  };
  return { scientist: await signIn(scientist), validator: await signIn(validator), tokensFile };
}

/** Authorizes `member` for `action` on `resource` exactly as the API server would (denials are audited). */
export async function authorize(app: App, member: Member, action: string, resource: string, project?: string): Promise<void> {
  await app.identity.authorizer.authorize(member.principal, member.actor, action, resource, { now: new Date(), sourceIp: '127.0.0.1', secureTransport: true, ...(project ? { project } : {}) });
}

/** Tries an action `member` must not be allowed; returns the deciding statement of the (audited) denial. */
export async function expectDenied(app: App, member: Member, action: string, resource: string): Promise<string> {
  try {
    await authorize(app, member, action, resource);
  } catch (error) {
    if (error instanceof AppError && error.code === 'ACCESS_DENIED') {
      const decision = await app.identity.authorizer.decide(member.principal, action, resource, { now: new Date(), sourceIp: '127.0.0.1' });
      return decision.decidingStatement ? `${decision.decidingStatement.policyName}#${decision.decidingStatement.sid ?? decision.decidingStatement.index}` : decision.decision;
    }
    throw error;
  }
  throw new AppError('INTERNAL', { message: `${member.name} was allowed ${action} on ${resource}; the quickstart expected a denial` });
}

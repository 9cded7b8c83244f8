/**
 * @module registry/registry-caller
 * Who asks, and the authorization every registry and validation call starts with. With a
 * principal (the API server, a token in the CLI) each call is authorized by policy; without one the
 * caller is the operator of an embedded home, who already holds every power over it — except that
 * separation of duties is applied to checker actions for everyone (see independence.ts).
 */
import type { App } from '../app/index.js';
import type { Actor } from '../security/audit/index.js';
import type { Principal, RequestFactsWithoutPrincipal } from '../security/identity-store/index.js';

export interface RegistryCaller {
  actor: Actor;
  principal?: Principal;
  facts?: Partial<RequestFactsWithoutPrincipal>;
}

export async function authorize(app: App, caller: RegistryCaller, project: string, action: string, resource: string, facts: Partial<RequestFactsWithoutPrincipal> = {}): Promise<void> {
  if (!caller.principal) return;
  await app.identity.authorizer.authorize(caller.principal, caller.actor, action, resource, { now: new Date(), sourceIp: caller.actor.sourceIp ?? 'local', project, ...caller.facts, ...facts });
}

/** `attest:<project>:model/<group>` — a model group. */
export const groupResource = (project: string, group: string) => `attest:${project}:model/${group}`;
/** `attest:<project>:model/<group>/<version>` — one version of a group. */
export const versionResource = (project: string, group: string, version: number) => `attest:${project}:model/${group}/${version}`;
/** `attest:<project>:validation/<group>/<version>` — the validation workspace of a version. */
export const validationResource = (project: string, group: string, version: number) => `attest:${project}:validation/${group}/${version}`;

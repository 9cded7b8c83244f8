/**
 * @module registry/independence
 * Maker ≠ checker for a model version: the makers are its registrar and every creator in its
 * upstream lineage (the training and processing jobs and whom they ran for, the data and model
 * artifacts' creators); with the project's same-group rule, also the makers' groups. These become
 * the request facts the policy engine's separation-of-duties rule decides on (so
 * `attest policy simulate` shows the same verdict), and the same rule is applied to an embedded
 * operator who has no principal, so no one approves their own work.
 */
import type { App } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import { recordOutcome } from '../security/audit/index.js';
import type { RequestFactsWithoutPrincipal } from '../security/identity-store/index.js';
import { separationOfDutiesFor } from '../security/policy/index.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize } from './registry-caller.js';
import type { Independence } from './registry-model.js';
import type { RegistrySettings } from './registry-settings.js';
import { groupsOf, makersOf, principalName } from './provenance.js';

export interface IndependenceCheck {
  independence: Independence;
  facts: Partial<RequestFactsWithoutPrincipal>;
}

/** The makers of a version and the facts for a checker action on it. */
export async function makerFacts(app: App, projectId: string, version: { id: string; created_by: string }, settings: RegistrySettings): Promise<{ facts: Partial<RequestFactsWithoutPrincipal>; makers: Independence['makers']; makerGroups: string[] }> {
  const ancestors = await makersOf(app, projectId, version.id);
  const makers: Independence['makers'] = [{ principal: version.created_by, resourceId: version.id, relation: 'registered' }];
  for (const a of ancestors) makers.push({ principal: a.createdBy, resourceId: a.resourceId, relation: a.resourceId.startsWith('tc_') ? 'ran' : 'created' });
  const names = [...new Set(makers.map((m) => principalName(m.principal)))];
  const makerGroups = settings.independence.sameGroup ? (await groupsOf(app, names)).filter((g) => !settings.independence.ignoreGroups.includes(g)) : [];
  const creator = principalName(version.created_by);
  const facts: Partial<RequestFactsWithoutPrincipal> = {
    resourceCreator: creator,
    resourceMakers: names.filter((n) => n !== creator).sort(),
    ...(settings.independence.sameGroup ? { resourceMakerGroups: makerGroups } : {}),
  };
  return { facts, makers, makerGroups };
}

/**
 * Authorizes a checker action (`model:Approve`, `model:Reject`, `validation:SignOff`) on a version
 * and returns the independence record kept with the decision. Refused with SEPARATION_OF_DUTIES
 * (audited as denied) when the caller is one of the makers or shares a group with them.
 */
export async function authorizeChecker(
  app: App,
  caller: RegistryCaller,
  project: string,
  projectId: string,
  action: string,
  resource: string,
  version: { id: string; created_by: string },
  settings: RegistrySettings,
): Promise<IndependenceCheck> {
  const { facts, makers, makerGroups } = await makerFacts(app, projectId, version, settings);
  const approver = caller.principal ? caller.principal.name : principalName(caller.actor.principal);
  const approverGroups = [...(caller.principal?.groups ?? [])];
  const sod = separationOfDutiesFor(action, resource, {
    'attest:PrincipalId': approver,
    'attest:PrincipalGroups': approverGroups,
    'attest:ResourceCreator': facts.resourceCreator,
    'attest:ResourceMakers': facts.resourceMakers,
    ...(facts.resourceMakerGroups ? { 'attest:ResourceMakerGroups': facts.resourceMakerGroups } : {}),
  })!;
  if (caller.principal) {
    await authorize(app, caller, project, action, resource, facts);
  } else if (!sod.allowed) {
    await recordOutcome({ db: app.db, ledger: app.ledger }, caller.actor, action, resource, 'denied', { error: 'SEPARATION_OF_DUTIES', reason: sod.reason });
    throw new AppError('SEPARATION_OF_DUTIES', { message: sod.reason, details: { action, resource, conflicts: sod.conflicts } });
  }
  return {
    facts,
    independence: {
      approver: caller.principal?.auditName ?? caller.actor.principal,
      approverGroups,
      makers,
      makerGroups,
      sameGroupRule: settings.independence.sameGroup,
      independent: sod.allowed,
      reason: sod.reason,
    },
  };
}

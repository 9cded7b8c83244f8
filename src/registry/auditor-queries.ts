/**
 * @module registry/auditor-queries
 * The auditor's questions, one call each: who approved (or rejected) version X and were they
 * independent of its makers; which models are in production (or under any alias) and since when,
 * moved by whom; what evidence was present when a version was approved.
 */
import type { App } from '../app/index.js';
import { projectIdByName } from '../app/index.js';
import { AppError } from '../kernel/index.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize, versionResource } from './registry-caller.js';
import type { AliasHistoryEntry, Decision, Independence, ModelVersion } from './registry-model.js';
import type { RegistryService } from './registry-service.js';
import { registryDb } from './registry-tables.js';

export interface InProduction {
  group: string;
  alias: string;
  version: ModelVersion;
  /** When the alias started naming this version (the move that put it there). */
  since: string;
  movedBy: AliasHistoryEntry;
}

export class AuditorQueries {
  readonly #app: App;
  readonly #registry: RegistryService;

  constructor(app: App, registry: RegistryService) {
    this.#app = app;
    this.#registry = registry;
  }

  /** Every decision on a version, with the approver's independence check as recorded at the time. */
  async decisions(caller: RegistryCaller, project: string, ref: string): Promise<Decision[]> {
    const { group, row } = await this.#registry.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    const rows = await registryDb(this.#app.db).selectFrom('model_decisions').selectAll().where('version_id', '=', row.id).orderBy('at').execute();
    return rows.map((d) => ({
      decisionId: d.id,
      versionId: d.version_id,
      group: group.name,
      version: Number(row.version),
      decision: d.decision as Decision['decision'],
      principal: d.principal,
      comment: d.comment,
      at: d.at,
      independence: JSON.parse(d.independence) as Independence,
      evidence: JSON.parse(d.evidence) as unknown,
    }));
  }

  /** The evidence snapshot taken when the version was approved. */
  async evidenceAtApproval(caller: RegistryCaller, project: string, ref: string): Promise<Decision> {
    const approved = (await this.decisions(caller, project, ref)).filter((d) => d.decision === 'Approved');
    const last = approved.at(-1);
    if (!last) throw new AppError('MODEL_STATUS_CONFLICT', { message: `${ref} has not been approved`, details: { ref } });
    return last;
  }

  /** The versions an alias (default `production`) names now in every group, since when and moved by whom. */
  async inProduction(caller: RegistryCaller, project: string, alias = 'production'): Promise<InProduction[]> {
    await authorize(this.#app, caller, project, 'model:List', `attest:${project}:model/*`);
    const projectId = await projectIdByName(this.#app, project);
    const k = registryDb(this.#app.db);
    const groups = await k.selectFrom('model_groups').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
    const out: InProduction[] = [];
    for (const group of groups) {
      const target = await this.#registry.store.aliasTarget(group.id, alias).catch(() => undefined);
      if (!target) continue;
      const history = await k.selectFrom('model_alias_history').selectAll().where('group_id', '=', group.id).where('alias', '=', alias).orderBy('seq', 'desc').execute();
      // The earliest move of the unbroken run of moves that left the alias on this version.
      let since = history[0]!;
      for (const h of history) {
        const resolved: string | null = h.target_version_id ?? (h.target_alias ? target : null);
        if (resolved !== target) break;
        since = h;
      }
      const row = await this.#registry.store.versionRowById(projectId, target);
      out.push({ group: group.name, alias, version: await this.#registry.store.version(group, row), since: since.at, movedBy: await this.#registry.store.historyEntry(group, since) });
    }
    return out;
  }
}

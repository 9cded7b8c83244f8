/**
 * @module registry/pipeline-registry
 * The registry's side of the pipelines' registry port (pipelines/registry-port.ts): the champion of
 * a model group for a condition step, and registration for a `register` step. Only types come from
 * the pipelines capability, so the dependency points one way (composition passes this in).
 */
import type { App } from '../app/index.js';
import { isAppError } from '../kernel/index.js';
import type { Champion, ChampionQuery, ChampionSource, ModelRegistrar, PipelineRegistry, RegisteredVersion, RegistrationRequest } from '../pipelines/index.js';
import type { Actor } from '../security/audit/index.js';
import { RegistryService } from './registry-service.js';

/** The aliases that name a group's champion, in order of preference. */
export const CHAMPION_ALIASES = ['champion', 'production'] as const;

/**
 * The champion of a model group: the version its `champion` alias names, else its `production`
 * alias; the value is the metric recorded on that version at registration (training and
 * evaluation metrics). No group, no such alias, or no such metric: no champion.
 */
export class RegistryChampionSource implements ChampionSource {
  readonly #registry: RegistryService;
  constructor(registry: RegistryService) {
    this.#registry = registry;
  }

  async champion(query: ChampionQuery): Promise<Champion | undefined> {
    if (!query.group) return undefined;
    const group = await this.#registry.store.groupRow(query.projectId, query.group).catch((error: unknown) => {
      if (isAppError(error) && error.code === 'MODEL_GROUP_NOT_FOUND') return undefined;
      throw error;
    });
    if (!group) return undefined;
    for (const alias of CHAMPION_ALIASES) {
      const versionId = await this.#registry.store.aliasTarget(group.id, alias);
      if (!versionId) continue;
      const row = await this.#registry.store.versionRowById(query.projectId, versionId);
      const value = (JSON.parse(row.metrics) as Record<string, number>)[query.metric];
      if (typeof value !== 'number') return undefined;
      return { value, description: `${group.name}@${alias} (version ${row.version}, ${row.id}, ${row.status})` };
    }
    return undefined;
  }
}

/** Registers through RegistryService: PendingManualApproval, audited, with lineage to the artifact and its training. */
export class RegistryModelRegistrar implements ModelRegistrar {
  readonly #registry: RegistryService;
  constructor(registry: RegistryService) {
    this.#registry = registry;
  }

  async register(actor: Actor, project: string, request: RegistrationRequest): Promise<RegisteredVersion> {
    // No principal: the execution's starter was authorized for model:Register when the execution started.
    const v = await this.#registry.register({ actor }, project, { group: request.group, model: request.model, description: request.description, ...(request.riskTier === undefined ? {} : { riskTier: request.riskTier }) });
    return { versionId: v.versionId, group: v.group, version: v.version, status: v.status, artifactId: v.artifactId };
  }
}

/** The registry port for a PipelineService: `new PipelineService(app, { registry: pipelineRegistry(app) })`. */
export function pipelineRegistry(app: App): PipelineRegistry {
  const registry = new RegistryService(app);
  return { champion: new RegistryChampionSource(registry), registrar: new RegistryModelRegistrar(registry) };
}

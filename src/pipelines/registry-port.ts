/**
 * @module pipelines/registry-port
 * What pipelines need from the model registry, as a port so that this capability does not depend
 * on the registry's implementation (src/registry/pipeline-registry.ts implements it, and the
 * composition — quickstart, server, CLI — passes it to the PipelineService):
 * - `champion`: the champion of a model group (a condition's `champion.group`);
 * - `registrar`: registering a model as a new, PendingManualApproval version (a `register` step).
 * There is no approve here on purpose: approval is a validator's decision, never a pipeline's.
 */
import type { Actor } from '../security/audit/index.js';
import type { ChampionSource } from './champion.js';

export interface RegistrationRequest {
  group: string;
  /** A model reference: `name@version`, `art_…`, `sha256:…` or a job id (its `model` output). */
  model: string;
  description: string;
  riskTier?: number;
}

export interface RegisteredVersion {
  versionId: string;
  group: string;
  version: number;
  status: string;
  artifactId: string;
}

export interface ModelRegistrar {
  /** Registers as `actor` (the execution's starter, authorized for model:Register when it started). */
  register(actor: Actor, project: string, request: RegistrationRequest): Promise<RegisteredVersion>;
}

export interface PipelineRegistry {
  champion: ChampionSource;
  registrar: ModelRegistrar;
}

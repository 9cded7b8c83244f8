/**
 * @module reproduce/reproduce-service
 * `attest reproduce MODEL_REF`: finds the training component that produced a model (tracking),
 * re-runs it with the recorded dataset versions, parameters and seed ({@link retrainRecordedModel}),
 * and compares the result with the stored model byte for byte. It also compares the recorded code
 * commit and lock-file hash with the current checkout, since a different commit or dependency set
 * explains (or should raise questions about) a difference. A read: the re-trained model is stored
 * only when asked (`keep`), and the run is audited as `model:Reproduce`.
 */
import { createHash } from 'node:crypto';
import type { ArtifactService } from '../artifacts/index.js';
import type { ColumnFrame } from '../data/index.js';
import { parseCsvFrame } from '../data/index.js';
import { AppError } from '../kernel/index.js';
import type { Db } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { recordOutcome } from '../security/audit/index.js';
import type { TrackingService, TrialComponent } from '../tracking/index.js';
import { captureEnvironment, captureGit } from '../tracking/index.js';
import type { ModelDifference } from './model-diff.js';
import { firstModelDifference } from './model-diff.js';
import { recordedTrainingOf, retrainRecordedModel } from './training-rerun.js';

export interface ReproduceDeps {
  readonly db: Db;
  readonly ledger: AuditLedger;
  readonly artifacts: ArtifactService;
  readonly tracking: TrackingService;
}

export interface ReproduceOptions {
  /** Store the re-trained model as `<model name>-reproduced` (a write: needs artifact:Put). */
  keep?: boolean;
  /** The checkout whose commit and lock file are compared with the recorded ones (default: the working directory). */
  cwd?: string;
  /** Called after each boosting round of the re-run (progress displays). */
  onRound?: (round: number, rounds: number) => void;
}

/** A recorded environment fact next to the current one. */
export interface EnvironmentCheck {
  readonly field: 'commit' | 'lockFileHash' | 'runtime';
  readonly recorded: string | null;
  readonly current: string | null;
  readonly same: boolean;
}

export interface ReproductionReport {
  readonly model: { artifactId: string; name: string | null; version: number | null; sha256: string };
  readonly componentId: string;
  readonly componentName: string;
  readonly inputs: { role: string; artifactId: string; name: string | null }[];
  readonly parameters: Record<string, string | number | boolean>;
  readonly identical: boolean;
  readonly reproducedSha256: string;
  readonly firstDifference: ModelDifference | null;
  readonly environment: EnvironmentCheck[];
  /** The stored re-trained model, with `keep`. */
  readonly keptArtifactId: string | null;
}

async function datasetFrame(deps: ReproduceDeps, actor: Actor, projectId: string, component: TrialComponent, role: string): Promise<ColumnFrame | undefined> {
  const input = component.inputs.find((i) => i.role === role);
  if (!input) return undefined;
  const { bytes } = await deps.artifacts.getBytes(actor, input.artifactId, projectId);
  return parseCsvFrame(bytes);
}

function environmentChecks(component: TrialComponent, current: { commit: string | null; lockFileHash: string | null; runtime: string | null }): EnvironmentCheck[] {
  const recorded = { commit: component.source?.commit ?? null, lockFileHash: component.environment?.lockFileHash ?? null, runtime: component.environment?.runtime ?? null };
  return (['commit', 'lockFileHash', 'runtime'] as const).map((field) => ({ field, recorded: recorded[field], current: current[field], same: recorded[field] === current[field] }));
}

/** The training component recorded as producing `artifactId`. */
async function producerOf(deps: ReproduceDeps, artifactId: string, projectId: string): Promise<TrialComponent> {
  const producers = (await deps.tracking.producersOf(artifactId, [projectId])).filter((c) => c.type === 'training');
  const component = producers[0];
  if (!component) throw new AppError('TRAINING_NOT_RECORDED', { message: `No training component in this project recorded ${artifactId} as its output` });
  return component;
}

/** Re-runs the recorded training of `modelRef` (id, sha256:HEX or name[@version]) and compares the result. */
export async function reproduceModel(deps: ReproduceDeps, actor: Actor, projectId: string, modelRef: string, options: ReproduceOptions = {}): Promise<ReproductionReport> {
  const meta = await deps.artifacts.resolve(modelRef, projectId);
  const resource = `model/${meta.artifactId}`;
  try {
    const component = await producerOf(deps, meta.artifactId, projectId);
    const record = recordedTrainingOf(component.componentId, component.parameters);
    const train = await datasetFrame(deps, actor, projectId, component, 'train');
    if (!train) throw new AppError('TRAINING_NOT_RECORDED', { message: `Training component ${component.componentId} recorded no input with the role "train"` });
    const validation = await datasetFrame(deps, actor, projectId, component, 'validation');
    const rounds = Number(record.booster.num_round ?? 10);
    const reproduced = Buffer.from(retrainRecordedModel(record, { train, ...(validation ? { validation } : {}) }, options.onRound ? (round) => options.onRound?.(round + 1, rounds) : undefined));
    const { bytes: stored } = await deps.artifacts.getBytes(actor, meta.artifactId, projectId);
    const difference = firstModelDifference(stored, reproduced);
    const cwd = options.cwd ?? process.cwd();
    const git = await captureGit(cwd);
    const env = captureEnvironment(cwd);
    const kept = options.keep
      ? await deps.artifacts.putBytes(actor, reproduced, { projectId, mediaType: meta.mediaType, name: `${meta.name ?? meta.artifactId}-reproduced`, auditDetails: { reproducedFrom: meta.artifactId, component: component.componentId } })
      : undefined;
    const report: ReproductionReport = {
      model: { artifactId: meta.artifactId, name: meta.name ?? null, version: meta.version ?? null, sha256: meta.sha256 },
      componentId: component.componentId,
      componentName: component.name,
      inputs: component.inputs.map((i) => ({ role: i.role, artifactId: i.artifactId, name: i.name ?? null })),
      parameters: { ...component.parameters },
      identical: difference === undefined,
      reproducedSha256: createHash('sha256').update(reproduced).digest('hex'),
      firstDifference: difference ?? null,
      environment: environmentChecks(component, { commit: git?.commit || null, lockFileHash: env.lockFileHash ?? null, runtime: env.runtime ?? null }),
      keptArtifactId: kept?.artifactId ?? null,
    };
    await recordOutcome(deps, actor, 'model:Reproduce', resource, 'allowed', {
      component: component.componentId,
      identical: report.identical,
      ...(difference ? { byteOffset: difference.byteOffset, jsonPath: difference.jsonPath ?? null } : {}),
      ...(kept ? { kept: kept.artifactId } : {}),
    });
    return report;
  } catch (error) {
    await recordOutcome(deps, actor, 'model:Reproduce', resource, 'failed', { error: error instanceof AppError ? error.code : 'INTERNAL' }).catch(() => undefined);
    throw error;
  }
}

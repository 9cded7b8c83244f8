/**
 * @module tracking/tracking-model
 * SageMaker Experiments' model: Experiment ⊃ Trial ⊃ TrialComponent. A component is one step
 * (processing, training, evaluation, transform, custom) with parameters, input and output
 * artifacts, metric time series, status, times, the principal who ran it, its code commit and its
 * environment. A component can belong to several trials (the paper's shared "Preprocessing").
 */
import { z } from 'zod';
import { COMPONENT_TYPES } from './tracking-names.js';

export { COMPONENT_TYPES };
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export const COMPONENT_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopped'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** Statuses after which parameters, inputs, outputs and metrics are frozen. */
export const FINAL_STATUSES: readonly ComponentStatus[] = ['Completed', 'Failed', 'Stopped'];

export type ParameterValue = string | number | boolean;
export type Tags = Record<string, string>;

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/ -]{0,127}$/;
export const TagsSchema = z.record(z.string().min(1).max(250), z.string().max(5000));
export const ParameterValueSchema = z.union([z.string().max(6000), z.number(), z.boolean()]);
export const ParametersSchema = z.record(z.string().min(1).max(250), ParameterValueSchema);

/** Source-control lineage: where the code came from (the paper's "source-control-lineage" component). */
export interface SourceInfo {
  commit: string;
  branch?: string;
  author?: string;
  date?: string;
  message?: string;
  /** Remote URL with any credentials removed. */
  remoteUrl?: string;
  dirty?: boolean;
}
export const SourceInfoSchema = z.object({
  commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'a git commit id (hex)'),
  branch: z.string().max(500).optional(),
  author: z.string().max(500).optional(),
  date: z.string().max(100).optional(),
  message: z.string().max(5000).optional(),
  remoteUrl: z.string().max(2000).optional(),
  dirty: z.boolean().optional(),
});

/** The runtime a component ran in. */
export interface EnvironmentInfo {
  runtime?: string;
  /** SHA-256 of the lock file (package-lock.json, requirements.lock …). */
  lockFileHash?: string;
  platform?: string;
}
export const EnvironmentInfoSchema = z.object({
  runtime: z.string().max(200).optional(),
  lockFileHash: z.string().max(200).optional(),
  platform: z.string().max(200).optional(),
});

export interface Experiment {
  experimentId: string;
  projectId: string;
  name: string;
  description: string;
  tags: Tags;
  createdAt: string;
  createdBy: string;
  /** MLflow's soft delete: a deleted experiment is hidden from default listings until restored. */
  lifecycleStage: LifecycleStage;
  /** Last rename, tag or lifecycle change (ISO-8601), when there was one. */
  lastUpdateTime?: string;
}

export type LifecycleStage = 'active' | 'deleted';

export interface Trial {
  trialId: string;
  projectId: string;
  experimentId: string;
  experimentName?: string;
  name: string;
  tags: Tags;
  createdAt: string;
  createdBy: string;
}

/** An input or output of a component: an Attest artifact and the role it played. */
export interface ComponentArtifact {
  /** The role, e.g. "train", "test", "model", "report". */
  role: string;
  artifactId: string;
  sha256: string;
  mediaType: string;
  /** `name@version` when the artifact is a named object (e.g. a dataset version). */
  name?: string;
}

export interface MetricPoint {
  name: string;
  value: number;
  step: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export interface MetricSummary {
  name: string;
  last: number;
  lastStep: number;
  /** Milliseconds since the epoch of the last value. */
  lastTimestamp: number;
  min: number;
  max: number;
  count: number;
}

export interface Note {
  time: string;
  principal: string;
  text: string;
}

export interface TrialComponent {
  componentId: string;
  projectId: string;
  name: string;
  type: ComponentType;
  status: ComponentStatus;
  parameters: Record<string, ParameterValue>;
  inputs: ComponentArtifact[];
  outputs: ComponentArtifact[];
  metrics: MetricSummary[];
  tags: Tags;
  notes: Note[];
  source: SourceInfo | null;
  environment: EnvironmentInfo | null;
  startTime: string;
  endTime: string | null;
  failureReason: string | null;
  trialIds: string[];
  createdAt: string;
  createdBy: string;
  lifecycleStage: LifecycleStage;
}

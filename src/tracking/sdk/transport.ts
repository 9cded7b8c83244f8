/**
 * @module tracking/sdk/transport
 * What the tracker needs from Attest, as one interface with two implementations: in-process (the
 * services directly, for the CLI, the quickstart and jobs on the server) and HTTP (the REST routes
 * of `trackingRoutes`, for data scientists' own processes).
 */
import type { ComponentArtifact, ComponentStatus, EnvironmentInfo, Experiment, MetricPoint, ParameterValue, SourceInfo, Tags, Trial, TrialComponent } from '../tracking-model.js';

export interface StartComponentRequest {
  name: string;
  type: TrialComponent['type'];
  trials?: string[];
  parameters?: Record<string, ParameterValue>;
  source?: SourceInfo;
  environment?: EnvironmentInfo;
  tags?: Tags;
}

export type MetricInput = Omit<MetricPoint, 'step' | 'timestamp'> & { step?: number; timestamp?: number };

export interface UploadedArtifact {
  artifactId: string;
  sha256: string;
  mediaType: string;
  name?: string;
  version?: number;
}

export interface TrackingTransport {
  /** Returns the experiment of that name in the transport's project, creating it if absent. */
  ensureExperiment(input: { name: string; description?: string; tags?: Tags }): Promise<Experiment>;
  createTrial(input: { experiment: string; name: string; tags?: Tags }): Promise<Trial>;
  startComponent(input: StartComponentRequest): Promise<TrialComponent>;
  addComponentToTrial(componentId: string, trial: string): Promise<void>;
  logParameters(componentId: string, parameters: Record<string, ParameterValue>): Promise<void>;
  logArtifactLink(componentId: string, direction: 'input' | 'output', link: { role: string; ref: string }): Promise<ComponentArtifact>;
  logMetrics(componentId: string, points: readonly MetricInput[]): Promise<void>;
  /** Stores a file as an encrypted artifact (optionally under a name, as its next version). */
  uploadArtifact(path: string, options: { name?: string; mediaType?: string }): Promise<UploadedArtifact>;
  endComponent(componentId: string, status: Exclude<ComponentStatus, 'InProgress'>, failureReason?: string): Promise<TrialComponent>;
  setTags(id: string, tags: Tags): Promise<void>;
  addNote(componentId: string, text: string): Promise<void>;
  getComponent(componentId: string): Promise<TrialComponent>;
}

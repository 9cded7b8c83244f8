/**
 * @module tracking/sdk/in-process-transport
 * The tracker's transport over the services themselves, acting as one principal in one project.
 */
import type { ArtifactService } from '../../artifacts/index.js';
import { isAppError } from '../../kernel/index.js';
import type { ComponentArtifact, ComponentStatus, Experiment, ParameterValue, Tags, Trial, TrialComponent } from '../tracking-model.js';
import type { TrackingContext, TrackingService } from '../tracking-service.js';
import type { MetricInput, StartComponentRequest, TrackingTransport, UploadedArtifact } from './transport.js';

export class InProcessTransport implements TrackingTransport {
  readonly #tracking: TrackingService;
  readonly #artifacts: ArtifactService;
  readonly #ctx: TrackingContext;

  constructor(services: { tracking: TrackingService; artifacts: ArtifactService }, ctx: TrackingContext) {
    this.#tracking = services.tracking;
    this.#artifacts = services.artifacts;
    this.#ctx = ctx;
  }

  async ensureExperiment(input: { name: string; description?: string; tags?: Tags }): Promise<Experiment> {
    try {
      return await this.#tracking.getExperiment(input.name, [this.#ctx.projectId], this.#ctx.projectId);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'NOT_FOUND') throw error;
      return this.#tracking.createExperiment(this.#ctx, input);
    }
  }

  createTrial(input: { experiment: string; name: string; tags?: Tags }): Promise<Trial> {
    return this.#tracking.createTrial(this.#ctx, input);
  }

  startComponent(input: StartComponentRequest): Promise<TrialComponent> {
    return this.#tracking.startComponent(this.#ctx, input);
  }

  addComponentToTrial(componentId: string, trial: string): Promise<void> {
    return this.#tracking.addComponentToTrial(this.#ctx, componentId, trial);
  }

  logParameters(componentId: string, parameters: Record<string, ParameterValue>): Promise<void> {
    return this.#tracking.logParameters(this.#ctx, componentId, parameters);
  }

  logArtifactLink(componentId: string, direction: 'input' | 'output', link: { role: string; ref: string }): Promise<ComponentArtifact> {
    return direction === 'input' ? this.#tracking.logInput(this.#ctx, componentId, link) : this.#tracking.logOutput(this.#ctx, componentId, link);
  }

  async logMetrics(componentId: string, points: readonly MetricInput[]): Promise<void> {
    await this.#tracking.logMetrics(this.#ctx, componentId, points);
  }

  async uploadArtifact(path: string, options: { name?: string; mediaType?: string }): Promise<UploadedArtifact> {
    const r = await this.#artifacts.putFile(this.#ctx.actor, path, { projectId: this.#ctx.projectId, ...options, auditDetails: { source: 'tracker' } });
    return { artifactId: r.artifactId, sha256: r.sha256, mediaType: r.mediaType, ...(r.name !== undefined ? { name: r.name, version: r.version! } : {}) };
  }

  endComponent(componentId: string, status: Exclude<ComponentStatus, 'InProgress'>, failureReason?: string): Promise<TrialComponent> {
    return this.#tracking.endComponent(this.#ctx, componentId, status, failureReason !== undefined ? { failureReason } : {});
  }

  setTags(id: string, tags: Tags): Promise<void> {
    return this.#tracking.setTags(this.#ctx, id, tags);
  }

  addNote(componentId: string, text: string): Promise<void> {
    return this.#tracking.addNote(this.#ctx, componentId, text);
  }

  getComponent(componentId: string): Promise<TrialComponent> {
    return this.#tracking.getComponent(componentId, [this.#ctx.projectId]);
  }
}

/**
 * @module tracking/http/route-deps
 * What the HTTP routes need from the server that mounts them. The routes are thin: they parse
 * (zod), ask `authorize`, call the tracking service (which audits every write), and reply. The
 * server supplies authentication (bearer tokens), the policy decision, the caller's projects and
 * the audit of denials.
 */
import type { FastifyRequest } from 'fastify';
import type { ArtifactService } from '../../artifacts/index.js';
import type { LineageService } from '../../lineage/index.js';
import type { MlflowRegistry, RegistryCaller } from '../../registry/index.js';
import type { Actor } from '../../security/audit/index.js';
import type { MlflowStore } from '../mlflow-store.js';
import type { TrackingService } from '../tracking-service.js';

/** The resource an action is checked against; the server formats it as `attest:<project>:<type>/<id>`. */
export interface TrackingResource {
  projectId: string;
  type: 'experiment' | 'trial' | 'component' | 'lineage' | 'artifact' | 'model';
  /** The resource id, or `*` for creation and listing. */
  id: string;
  /** Who created it (for `attest:ResourceCreator` conditions), when known. */
  createdBy?: string;
}

export interface TrackingRouteDeps {
  tracking: TrackingService;
  /** MLflow's extras: lifecycle stages, renames, the run artifact tree, dataset inputs. */
  mlflow: MlflowStore;
  artifacts: ArtifactService;
  lineage: LineageService;
  /** MLflow's Model Registry over Attest's registry. */
  registry: MlflowRegistry;
  /** The request's project (name and id) and its caller as the registry authorizes one. */
  registryCaller(request: FastifyRequest): Promise<{ project: string; projectId: string; caller: RegistryCaller }>;
  /** Resolves when allowed; throws AppError ACCESS_DENIED (and audits the denial) otherwise. */
  authorize(request: FastifyRequest, action: string, resource: TrackingResource): Promise<void>;
  /** The authenticated principal and request facts (source IP, user agent, request id). */
  actor(request: FastifyRequest): Actor;
  /**
   * The project a request creates things in: the `/projects/{project}/…` path prefix, an
   * `X-Attest-Project` header, or the token's default project.
   */
  project(request: FastifyRequest): Promise<string>;
  /** Every project the caller may read; nothing outside it is ever returned. */
  visibleProjects(request: FastifyRequest): Promise<readonly string[]>;
}

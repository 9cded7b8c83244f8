/**
 * @module tracking/http/tracking-openapi
 * Response schemas, operation ids and summaries of Attest's own tracking and lineage routes, so
 * that the OpenAPI document types every response. Objects are open (`looseObject`): the schemas
 * name what clients rely on and let the service add fields without breaking serialisation.
 */
import { z } from 'zod';

export const TrackingErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }) });

const Tags = z.record(z.string(), z.string());
const Parameter = z.union([z.string(), z.number(), z.boolean()]);

export const ExperimentBody = z.looseObject({ experimentId: z.string(), projectId: z.string(), name: z.string(), description: z.string(), tags: Tags, createdAt: z.string(), createdBy: z.string(), lifecycleStage: z.enum(['active', 'deleted']), lastUpdateTime: z.string().optional() });
export const TrialBody = z.looseObject({ trialId: z.string(), projectId: z.string(), experimentId: z.string(), experimentName: z.string().optional(), name: z.string(), tags: Tags, createdAt: z.string(), createdBy: z.string() });
export const ComponentArtifactBody = z.looseObject({ role: z.string(), artifactId: z.string(), sha256: z.string(), mediaType: z.string(), name: z.string().optional() });
const MetricSummary = z.looseObject({ name: z.string(), last: z.number(), lastStep: z.number(), lastTimestamp: z.number(), min: z.number(), max: z.number(), count: z.number() });
export const ComponentBody = z.looseObject({
  componentId: z.string(),
  projectId: z.string(),
  name: z.string(),
  type: z.string(),
  status: z.enum(['InProgress', 'Completed', 'Failed', 'Stopped']),
  parameters: z.record(z.string(), Parameter),
  inputs: z.array(ComponentArtifactBody),
  outputs: z.array(ComponentArtifactBody),
  metrics: z.array(MetricSummary),
  tags: Tags,
  notes: z.array(z.looseObject({ time: z.string(), principal: z.string(), text: z.string() })),
  source: z.looseObject({ commit: z.string() }).nullable(),
  environment: z.record(z.string(), z.unknown()).nullable(),
  startTime: z.string(),
  endTime: z.string().nullable(),
  failureReason: z.string().nullable(),
  trialIds: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  lifecycleStage: z.enum(['active', 'deleted']),
});
const Empty = z.object({});
const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
const LineageGraph = z.looseObject({ nodes: z.array(z.record(z.string(), z.unknown())), edges: z.array(z.record(z.string(), z.unknown())).optional() });

export const TRACKING_OPERATIONS = {
  ensureExperiment: { summary: 'Get or create an experiment by name in the request project', response: ExperimentBody },
  createTrial: { summary: 'Create a trial in an experiment', response: TrialBody },
  startComponent: { summary: 'Start a trial component (processing, training, evaluation step)', response: ComponentBody },
  getComponent: { summary: 'Read a trial component with parameters, artifacts and metric summaries', response: ComponentBody },
  addComponentToTrial: { summary: 'Add a component to a trial', response: Empty },
  logParameters: { summary: 'Log parameters of a running component', response: Empty },
  logInput: { summary: 'Log an input artifact (lineage: artifact ContributedTo component)', response: ComponentArtifactBody },
  logOutput: { summary: 'Log an output artifact (lineage: component Produced artifact)', response: ComponentArtifactBody },
  logMetrics: { summary: 'Log a batch of metric points', response: z.object({ logged: z.number().int() }) },
  endComponent: { summary: 'End a component: Completed, Failed or Stopped (it becomes immutable)', response: ComponentBody },
  addNote: { summary: 'Append a note to a component', response: Empty },
  setTags: { summary: 'Set tags on an experiment, trial or component', response: Empty },
  uploadTrackingArtifact: { summary: 'Upload an artifact (streamed, encrypted)', response: z.object({ artifactId: z.string(), sha256: z.string(), mediaType: z.string(), name: z.string().optional(), version: z.number().int().optional() }) },
  searchTrials: { summary: 'Search trials with the filter language', response: Page(TrialBody) },
  searchComponents: { summary: 'Search trial components with the filter language', response: Page(ComponentBody) },
  lineageTable: { summary: "An experiment's lineage table (JSON, or CSV with format=csv)", response: z.object({ experiment: ExperimentBody, rows: z.array(z.record(z.string(), z.unknown())) }) },
  compareTrials: { summary: 'Compare trials side by side', response: z.record(z.string(), z.unknown()) },
  lineageUpstream: { summary: 'Walk lineage upstream from a node', response: LineageGraph },
  lineageDownstream: { summary: 'Walk lineage downstream from a node', response: LineageGraph },
} as const;

export type TrackingOperationId = keyof typeof TRACKING_OPERATIONS;

/** The fastify schema of a native tracking route. */
export function trackingSchema<O extends TrackingOperationId, T extends Record<string, z.ZodType>>(operation: O, parts: T, options: { produces?: string[]; consumes?: string } = {}) {
  const op = TRACKING_OPERATIONS[operation];
  // The document gets the full schema; handlers return the service's own (interface) types, which
  // TypeScript cannot match against open objects, so the route's reply type stays unchecked here.
  const response = op.response as unknown as z.ZodType<unknown>;
  return {
    operationId: operation,
    summary: op.summary,
    tags: ['tracking'],
    ...parts,
    ...(options.produces ? { produces: options.produces } : {}),
    ...(options.consumes ? { consumes: [options.consumes] } : {}),
    response: { 200: response, '4XX': TrackingErrorBody, '5XX': TrackingErrorBody },
  };
}

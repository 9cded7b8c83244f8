/**
 * @module server/routes/reproduce-routes
 * `POST /v1/projects/{project}/reproductions`: re-run a model's recorded training and compare it
 * byte for byte (reproduce/). Authorised as `model:Reproduce`, a read, so auditors may run it;
 * keeping the re-trained model (`keep`) is a write and is authorised as `artifact:Put` as well.
 * The service audits the outcome.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { projectIdByName } from '../../app/index.js';
import { reproduceModel } from '../../reproduce/index.js';
import type { RouteKit } from '../route-kit.js';
import { requestFacts } from '../route-kit.js';
import { ProjectParams } from './schemas.js';

const ReproductionView = z.object({
  model: z.object({ artifactId: z.string(), name: z.string().nullable(), version: z.number().nullable(), sha256: z.string() }),
  componentId: z.string(),
  componentName: z.string(),
  inputs: z.array(z.object({ role: z.string(), artifactId: z.string(), name: z.string().nullable() })),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  identical: z.boolean(),
  reproducedSha256: z.string(),
  firstDifference: z
    .object({ byteOffset: z.number(), recordedBytes: z.number(), reproducedBytes: z.number(), jsonPath: z.string().optional(), recordedValue: z.unknown().optional(), reproducedValue: z.unknown().optional() })
    .nullable(),
  environment: z.array(z.object({ field: z.enum(['commit', 'lockFileHash', 'runtime']), recorded: z.string().nullable(), current: z.string().nullable(), same: z.boolean() })),
  keptArtifactId: z.string().nullable(),
});

export function registerReproduceRoutes(kit: RouteKit, app: App): void {
  kit.route({
    method: 'POST', url: '/v1/projects/:project/reproductions', summary: "Re-run a model's recorded training and report byte-identical or the first difference", tags: ['models'],
    action: 'model:Reproduce', audit: 'service', params: ProjectParams,
    body: z.object({ model: z.string().min(1).max(300).describe('model artifact: id, sha256:HEX or name[@version]'), keep: z.boolean().default(false) }),
    resource: async ({ params, body }) => {
      const projectId = await projectIdByName(app, params.project).catch(() => undefined);
      const found = projectId ? await app.artifacts.resolve(body.model, projectId).catch(() => undefined) : undefined;
      return `attest:${params.project}:model/${found?.artifactId ?? body.model.replace(/[^A-Za-z0-9._@+=,-]/g, '_')}`;
    },
    response: ReproductionView,
    handler: async ({ params, body, principal, actor, req }) => {
      if (body.keep) await app.identity.authorizer.authorize(principal, actor, 'artifact:Put', `attest:${params.project}:artifact/new`, { ...requestFacts(req, params.project) });
      return reproduceModel(app, actor, await projectIdByName(app, params.project), body.model, { keep: body.keep });
    },
  });
}

/**
 * @module server/routes/dataset-routes
 * `/v1/projects/{project}/datasets…`: the governed datasets a project holds (every version with
 * its schema, row count and hash) and a version's stored profile — the reads the web console's
 * dataset pages need. Importing and splitting stay with the CLI and jobs.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { projectIdByName } from '../../app/index.js';
import { DatasetProfileSchema } from '../../data/profile/dataset-profile.js';
import type { RouteKit } from '../route-kit.js';
import { ProjectName, ProjectParams } from './schemas.js';

const DatasetRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[0-9]{1,9})?$|^dsv_[a-z0-9]{1,64}$/, 'a dataset: NAME, NAME@VERSION or dsv_…');
const DatasetVersionView = z.object({
  datasetVersionId: z.string(),
  name: z.string(),
  version: z.number(),
  format: z.string(),
  rowCount: z.number(),
  byteCount: z.number(),
  sha256: z.string(),
  schema: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.string(),
});

export function registerDatasetRoutes(kit: RouteKit, app: App): void {
  const tags = ['datasets'];
  const view = (v: Awaited<ReturnType<App['datasets']['describe']>>) => ({
    datasetVersionId: v.datasetVersionId,
    name: v.name,
    version: v.version,
    format: v.format,
    rowCount: v.rowCount,
    byteCount: v.byteCount,
    sha256: v.sha256,
    schema: v.schema as unknown as Record<string, unknown>,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/datasets', summary: "A project's dataset versions with their schemas", tags, action: 'dataset:List', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:dataset/*`, response: z.array(DatasetVersionView),
    handler: async ({ params }) => (await app.datasets.list(await projectIdByName(app, params.project))).map(view),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/datasets/:dataset/profile', summary: "A dataset version's stored profile (per column: counts, quantiles, top categories)", tags, action: 'dataset:Describe', audit: 'server',
    params: z.object({ project: ProjectName, dataset: DatasetRef }),
    resource: ({ params }) => `attest:${params.project}:dataset/${params.dataset.startsWith('dsv_') ? params.dataset : params.dataset.split('@')[0]}`,
    response: z.object({ dataset: DatasetVersionView, profile: DatasetProfileSchema }),
    handler: async ({ params, actor }) => {
      const projectId = await projectIdByName(app, params.project);
      const version = await app.datasets.describe(projectId, params.dataset);
      return { dataset: view(version), profile: await app.datasets.profile(actor, projectId, params.dataset) };
    },
  });
}

/**
 * @module tracking/http/mlflow-registry-routes
 * MLflow's Model Registry endpoints (`registered-models/…`, `model-versions/…`) over Attest's
 * registry (registry/mlflow-registry). The registry of the request's project is the one served
 * (path prefix, `X-Attest-Project` header or the token's default project). Reads are authorized
 * here (`model:List` / `model:Describe`, audited by the server); writes are authorized and audited
 * by the registry itself: registering, tags, descriptions, renames and archiving are
 * `model:Register`, a gated alias (production) is `model:Deploy` for Approved versions only, and a
 * transition that would promote an unapproved version is decided as the approval it amounts to,
 * so its makers get PERMISSION_DENIED from the separation-of-duties rule.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from '@fastify/type-provider-zod';
import { AppError } from '../../kernel/index.js';
import type { MlflowSource, MlflowStage, MlflowVersionView } from '../../registry/index.js';
import { GroupName, MlflowRegistry, mlflowStage } from '../../registry/index.js';
import type { MlflowContext } from './mlflow-context.js';
import { runArtifactUri } from './mlflow-model.js';
import { mlflowSchema } from './mlflow-openapi.js';
import type { RegistryClause } from './mlflow-registry-model.js';
import { attestArtifactUri, matchClause, orderOf, pageOffset, pageToken, parseRegistryFilter, RegistrySchemas as S, toMlflowModelVersion, toRegisteredModel } from './mlflow-registry-model.js';

/** Files MLflow writes beside the model itself in a logged model's directory. */
const MLFLOW_MODEL_METADATA = new Set(['MLmodel', 'conda.yaml', 'python_env.yaml', 'requirements.txt', 'input_example.json', 'serving_input_example.json', 'registered_model_meta']);
/** A directory source is searched this deep and this wide for its one model file. */
const MAX_SOURCE_FILES = 1000;
const MAX_VERSIONS = 200_000;

/** `runs:/<run>/<path>` or `mlflow-artifacts:[//host]/<experiment>/<run>/artifacts/<path>`: the run and path. */
function runSource(source: string): { runId: string; path: string } | undefined {
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) return { runId: runs[1]!, path: runs[2]!.replace(/\/+$/, '') };
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/([^/]+)\/([^/]+)\/artifacts\/?(.*)$/.exec(source);
  if (proxied) return { runId: proxied[2]!, path: proxied[3]!.replace(/\/+$/, '') };
  return undefined;
}

export async function mlflowRegistryRoutes(app: FastifyInstance, mc: MlflowContext): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deps } = mc;
  const reg = deps.registry;

  /** Authorizes a read of the request's registry (audited by the server) and gives its project. */
  const read = async (request: FastifyRequest, action: 'model:List' | 'model:Describe', id: string) => {
    const group = id.split('/')[0]!;
    // A name the registry could never hold names nothing (and no policy resource).
    if (group !== '*' && !GroupName.safeParse(group).success) throw new AppError('MODEL_GROUP_NOT_FOUND', { message: `Registered Model with name=${group.slice(0, 200)} not found` });
    const scope = await deps.registryCaller(request);
    await deps.authorize(request, action, { projectId: scope.projectId, type: 'model', id });
    return scope;
  };
  const modelBody = async (projectId: string, name: string) => ({ registered_model: toRegisteredModel(await reg.model(await reg.groupRow(projectId, name))) });

  // ——— registered models ———

  r.post('/registered-models/create', { schema: mlflowSchema('createRegisteredModel', { body: S.createModel }) }, async (request) => {
    const { caller, project, projectId } = await deps.registryCaller(request);
    const b = request.body;
    const group = await reg.createModel(caller, project, { name: b.name, ...(b.description !== undefined ? { description: b.description } : {}), ...(b.tags ? { tags: b.tags } : {}) });
    return modelBody(projectId, group.name);
  });
  r.get('/registered-models/get', { schema: mlflowSchema('getRegisteredModel', { querystring: S.name }) }, async (request) => {
    const { projectId } = await read(request, 'model:Describe', request.query.name);
    return modelBody(projectId, request.query.name);
  });
  r.post('/registered-models/rename', { schema: mlflowSchema('renameRegisteredModel', { body: S.rename }) }, async (request) => {
    const { caller, project, projectId } = await deps.registryCaller(request);
    const group = await reg.renameModel(caller, project, request.body.name, request.body.new_name);
    return modelBody(projectId, group.name);
  });
  r.patch('/registered-models/update', { schema: mlflowSchema('updateRegisteredModel', { body: S.updateModel }) }, async (request) => {
    const { caller, project, projectId } = await deps.registryCaller(request);
    const group = await reg.updateModel(caller, project, request.body.name, request.body.description);
    return modelBody(projectId, group.name);
  });
  r.delete('/registered-models/delete', { schema: mlflowSchema('deleteRegisteredModel', { body: S.name.optional(), querystring: S.name.partial() }) }, async (request) => {
    const name = request.body?.name ?? request.query.name;
    if (!name) throw new AppError('INVALID_INPUT', { message: 'name is required' });
    const { caller, project } = await deps.registryCaller(request);
    await reg.deleteModel(caller, project, name);
    return {};
  });
  r.get('/registered-models/search', { schema: mlflowSchema('searchRegisteredModels', { querystring: S.search }) }, async (request) => {
    const { projectId } = await read(request, 'model:List', '*');
    const q = request.query;
    const clauses = parseRegistryFilter(q.filter, ['name']);
    const limit = q.max_results ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('INVALID_INPUT', { message: 'max_results must be from 1 to 1000' });
    const order = orderOf(q.order_by, ['name', 'last_updated_timestamp', 'timestamp', 'creation_timestamp']);
    const models: Awaited<ReturnType<typeof reg.model>>[] = [];
    for (const group of await reg.groupRows(projectId)) {
      const m = await reg.model(group);
      if (clauses.every((c) => matchClause(c.field === 'name' ? group.name : m.tags[c.field.slice(5)], c))) models.push(m);
    }
    const key = (m: (typeof models)[number], k: string): string | number => (k === 'name' ? m.group.name : k === 'creation_timestamp' ? Date.parse(m.group.created_at) : Date.parse(m.lastUpdatedAt));
    models.sort((a, b) => {
      for (const o of [...order, { key: 'name', desc: false }]) {
        const x = key(a, o.key);
        const y = key(b, o.key);
        if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
      }
      return 0;
    });
    const offset = pageOffset(q.page_token, models.length);
    const page = models.slice(offset, offset + limit);
    return { registered_models: page.map(toRegisteredModel), ...(models.length > offset + limit ? { next_page_token: pageToken(offset + limit) } : {}) };
  });
  const latest = async (request: FastifyRequest, input: { name: string; stages?: string[] | undefined }) => {
    const { projectId } = await read(request, 'model:List', `${input.name}/*`);
    const stages: MlflowStage[] = (input.stages ?? []).map(mlflowStage);
    const versions = await reg.versions(await reg.groupRow(projectId, input.name));
    return { model_versions: MlflowRegistry.latest(versions, stages).map(toMlflowModelVersion) };
  };
  r.post('/registered-models/get-latest-versions', { schema: mlflowSchema('getLatestVersions', { body: S.latest }) }, (request) => latest(request, request.body));
  r.get('/registered-models/get-latest-versions', { schema: mlflowSchema('getLatestVersionsGet', { querystring: S.latest }) }, (request) => latest(request, request.query));
  r.post('/registered-models/set-tag', { schema: mlflowSchema('setRegisteredModelTag', { body: S.modelTag }) }, async (request) => {
    const { caller, project } = await deps.registryCaller(request);
    await reg.setModelTag(caller, project, request.body.name, request.body.key, request.body.value);
    return {};
  });
  r.delete('/registered-models/delete-tag', { schema: mlflowSchema('deleteRegisteredModelTag', { body: S.modelTagKey.optional(), querystring: S.modelTagKey.partial() }) }, async (request) => {
    const b = { ...request.query, ...request.body };
    if (!b.name || !b.key) throw new AppError('INVALID_INPUT', { message: 'name and key are required' });
    const { caller, project } = await deps.registryCaller(request);
    await reg.deleteModelTag(caller, project, b.name, b.key);
    return {};
  });
  r.post('/registered-models/alias', { schema: mlflowSchema('setRegisteredModelAlias', { body: S.alias }) }, async (request) => {
    const { caller, project } = await deps.registryCaller(request);
    await reg.setAlias(caller, project, request.body.name, request.body.alias, request.body.version);
    return {};
  });
  r.delete('/registered-models/alias', { schema: mlflowSchema('deleteRegisteredModelAlias', { body: S.aliasName.optional(), querystring: S.aliasName.partial() }) }, async (request) => {
    const b = { ...request.query, ...request.body };
    if (!b.name || !b.alias) throw new AppError('INVALID_INPUT', { message: 'name and alias are required' });
    const { caller, project } = await deps.registryCaller(request);
    await reg.deleteAlias(caller, project, b.name, b.alias);
    return {};
  });
  r.get('/registered-models/alias', { schema: mlflowSchema('getModelVersionByAlias', { querystring: S.aliasName }) }, async (request) => {
    const { projectId } = await read(request, 'model:Describe', request.query.name);
    return { model_version: toMlflowModelVersion(await reg.versionByAlias(projectId, request.query.name, request.query.alias)) };
  });

  // ——— model versions ———

  /**
   * What `source` names, as an Attest artifact reference: a run's file (`runs:/…`,
   * `mlflow-artifacts:/…`; a directory must hold exactly one file besides MLflow's metadata), or an
   * Attest reference (`art_…`, `name@version`, `sha256:…`, `job_…`). The run must be readable by the
   * caller and belong to the request's project.
   */
  const resolveSource = async (request: FastifyRequest, projectId: string, body: { source: string; run_id?: string | undefined; run_link?: string | undefined }): Promise<{ model: string; source: MlflowSource | null }> => {
    const run = runSource(body.source);
    if (!run) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(body.source) || body.source.startsWith('/') || body.source.startsWith('models:')) {
        throw new AppError('INVALID_INPUT', { message: `Attest registers models it stores: give source as runs:/<run_id>/<path>, mlflow-artifacts:/<experiment>/<run_id>/artifacts/<path>, or an Attest artifact reference (art_…, name@version); got ${body.source.slice(0, 200)}` });
      }
      return { model: body.source, source: { source: body.source, runId: body.run_id ?? null, runLink: body.run_link ?? null, artifactUri: '' } };
    }
    const { component, experimentId } = await mc.run(request, { run_id: run.runId }, 'component:Describe');
    if (component.projectId !== projectId) throw new AppError('INVALID_INPUT', { message: `Run ${run.runId} belongs to another project than this registry` });
    let file = run.path === '' ? undefined : await deps.mlflow.artifactFile(run.runId, run.path);
    let path = run.path;
    if (!file) {
      const found: string[] = [];
      const queue = [run.path];
      while (queue.length > 0 && found.length + queue.length <= MAX_SOURCE_FILES) {
        const dir = queue.shift()!;
        for (const entry of await deps.mlflow.listArtifactFiles(run.runId, dir)) {
          const full = dir === '' ? entry.path : `${dir}/${entry.path}`;
          if (entry.isDir) queue.push(full);
          else if (!MLFLOW_MODEL_METADATA.has(entry.path)) found.push(full);
        }
      }
      if (found.length !== 1) {
        throw new AppError('INVALID_INPUT', {
          message:
            found.length === 0
              ? `Run ${run.runId} has no model file at ${run.path || 'its artifact root'}`
              : `Run ${run.runId} has ${found.length} files at ${run.path || 'its artifact root'} (${found.slice(0, 10).join(', ')}); name the model file in source`,
        });
      }
      path = found[0]!;
      file = await deps.mlflow.artifactFile(run.runId, path);
      if (!file) throw new AppError('NOT_FOUND', { message: `Run ${run.runId} has no file ${path}` });
    }
    const root = runArtifactUri(experimentId, run.runId);
    return { model: file.artifactId, source: { source: body.source, runId: run.runId, runLink: body.run_link ?? null, artifactUri: path ? `${root}/${path}` : root } };
  };

  r.post('/model-versions/create', { schema: mlflowSchema('createModelVersion', { body: S.createVersion }) }, async (request) => {
    const { caller, project, projectId } = await deps.registryCaller(request);
    const b = request.body;
    const { model, source } = await resolveSource(request, projectId, b);
    const v = await reg.createVersion(caller, project, { name: b.name, model, source, ...(b.description !== undefined ? { description: b.description } : {}), ...(b.tags ? { tags: b.tags } : {}) });
    return { model_version: toMlflowModelVersion(v) };
  });
  r.get('/model-versions/get', { schema: mlflowSchema('getModelVersion', { querystring: S.version }) }, async (request) => {
    const { projectId } = await read(request, 'model:Describe', `${request.query.name}/${request.query.version}`);
    return { model_version: toMlflowModelVersion(await reg.version(projectId, request.query.name, request.query.version)) };
  });
  r.patch('/model-versions/update', { schema: mlflowSchema('updateModelVersion', { body: S.updateVersion }) }, async (request) => {
    const { caller, project } = await deps.registryCaller(request);
    return { model_version: toMlflowModelVersion(await reg.updateVersion(caller, project, request.body.name, request.body.version, request.body.description)) };
  });
  r.delete('/model-versions/delete', { schema: mlflowSchema('deleteModelVersion', { body: S.version.optional(), querystring: S.version.partial() }) }, async (request) => {
    const b = { ...request.query, ...request.body };
    if (!b.name || !b.version) throw new AppError('INVALID_INPUT', { message: 'name and version are required' });
    const { caller, project } = await deps.registryCaller(request);
    await reg.deleteVersion(caller, project, b.name, b.version);
    return {};
  });
  r.post('/model-versions/transition-stage', { schema: mlflowSchema('transitionModelVersionStage', { body: S.transition }) }, async (request) => {
    const { caller, project } = await deps.registryCaller(request);
    const b = request.body;
    return { model_version: toMlflowModelVersion(await reg.transition(caller, project, b.name, b.version, b.stage, b.archive_existing_versions ?? false)) };
  });
  r.get('/model-versions/search', { schema: mlflowSchema('searchModelVersions', { querystring: S.search }) }, async (request) => {
    const { projectId } = await read(request, 'model:List', '*');
    const q = request.query;
    const clauses = parseRegistryFilter(q.filter, ['name', 'run_id', 'source_path', 'version_number']);
    const limit = q.max_results ?? 10_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_VERSIONS) throw new AppError('INVALID_INPUT', { message: `max_results must be from 1 to ${MAX_VERSIONS}` });
    const order = orderOf(q.order_by, ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp']);
    const names = clauses.filter((c): c is RegistryClause & { value: string } => c.field === 'name' && c.op === '=' && typeof c.value === 'string').map((c) => c.value);
    const groups = (await reg.groupRows(projectId)).filter((g) => names.every((n) => g.name === n));
    const found: MlflowVersionView[] = [];
    for (const g of groups) {
      for (const v of await reg.versions(g)) {
        const fieldOf = (c: RegistryClause): string | undefined => {
          if (c.field === 'name') return g.name;
          if (c.field === 'run_id') return v.source?.runId ?? v.row.source_component_id ?? undefined;
          if (c.field === 'source_path') return v.source?.source ?? v.row.artifact_id;
          if (c.field === 'version_number') return String(v.row.version);
          return v.tags[c.field.slice(5)];
        };
        if (clauses.every((c) => matchClause(fieldOf(c), c))) found.push(v);
      }
      if (found.length > MAX_VERSIONS) throw new AppError('INVALID_INPUT', { message: `More than ${MAX_VERSIONS} versions match; narrow the filter` });
    }
    const key = (v: MlflowVersionView, k: string): string | number =>
      k === 'name' ? v.group.name : k === 'version_number' ? Number(v.row.version) : Date.parse(k === 'creation_timestamp' ? v.row.created_at : v.row.updated_at);
    found.sort((a, b) => {
      for (const o of [...order, { key: 'name', desc: false }, { key: 'version_number', desc: true }]) {
        const x = key(a, o.key);
        const y = key(b, o.key);
        if (x !== y) return (x < y ? -1 : 1) * (o.desc ? -1 : 1);
      }
      return 0;
    });
    const offset = pageOffset(q.page_token, found.length);
    const page = found.slice(offset, offset + limit);
    return { model_versions: page.map(toMlflowModelVersion), ...(found.length > offset + limit ? { next_page_token: pageToken(offset + limit) } : {}) };
  });
  r.get('/model-versions/get-download-uri', { schema: mlflowSchema('getModelVersionDownloadUri', { querystring: S.version }) }, async (request) => {
    const { projectId } = await read(request, 'model:Describe', `${request.query.name}/${request.query.version}`);
    const v = await reg.version(projectId, request.query.name, request.query.version);
    return { artifact_uri: v.source?.artifactUri || attestArtifactUri(v.row.artifact_id) };
  });
  r.post('/model-versions/set-tag', { schema: mlflowSchema('setModelVersionTag', { body: S.versionTag }) }, async (request) => {
    const { caller, project } = await deps.registryCaller(request);
    await reg.setVersionTag(caller, project, request.body.name, request.body.version, request.body.key, request.body.value);
    return {};
  });
  r.delete('/model-versions/delete-tag', { schema: mlflowSchema('deleteModelVersionTag', { body: S.versionTagKey.optional(), querystring: S.versionTagKey.partial() }) }, async (request) => {
    const b = { ...request.query, ...request.body };
    if (!b.name || !b.version || !b.key) throw new AppError('INVALID_INPUT', { message: 'name, version and key are required' });
    const { caller, project } = await deps.registryCaller(request);
    await reg.deleteVersionTag(caller, project, b.name, b.version, b.key);
    return {};
  });
}

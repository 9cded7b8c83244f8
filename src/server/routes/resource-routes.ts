/**
 * @module server/routes/resource-routes
 * Keys (the KMS part), artifacts (streaming put and get, retention, legal hold, presigned
 * downloads), the audit ledger (list, verify, export) and config history.
 */
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { projectIdByName } from '../../app/index.js';
import { AppError, isAppError } from '../../kernel/index.js';
import { resolveReference } from '../../references/index.js';
import { AUDIT_OUTCOMES, AuditEntrySchema, EvidenceBundleSchema, listConfigChanges, recordOutcome, SignedTreeHeadSchema } from '../../security/audit/index.js';
import type { RouteKit } from '../route-kit.js';
import { BindSourceIp, signPresigned } from '../presigned-url.js';
import { ProjectName, ProjectParams } from './schemas.js';

const KeyView = z.object({
  keyId: z.string(),
  alias: z.string().nullable(),
  description: z.string(),
  usage: z.string(),
  state: z.string(),
  currentVersion: z.number(),
  versions: z.array(z.number()),
  deletionDate: z.string().nullable(),
  provider: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
});
const ArtifactView = z.object({
  artifactId: z.string(),
  projectId: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  mediaType: z.string(),
  keyId: z.string(),
  keyVersion: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
  retentionUntil: z.string().nullable(),
  legalHold: z.boolean(),
  deletedAt: z.string().nullable(),
  name: z.string().optional(),
  version: z.number().optional(),
});
const KeyParams = z.object({ key: z.string().min(1).max(256).regex(/^[A-Za-z0-9._/-]+$/) });
const ArtifactParams = z.object({ project: ProjectName, ref: z.string().min(1).max(300) });
const AuditQuery = z.object({
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  principal: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  resource: z.string().max(2048).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export interface ResourceRouteOptions {
  /** Largest artifact accepted by a streaming put. */
  readonly maxArtifactBytes: number;
  readonly presignSecret: Buffer;
  /** Longest lifetime a presigned URL may ask for. */
  readonly maxPresignSeconds: number;
}

/** Counts bytes of an upload and stops it past the limit. */
async function* limited(source: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max) throw new AppError('INVALID_INPUT', { message: `The artifact exceeds the ${max}-byte upload limit` });
    yield chunk;
  }
}

export function registerResourceRoutes(kit: RouteKit, app: App, options: ResourceRouteOptions): void {
  const keyTags = ['keys'];
  /** Keys are named by id in policies and the ledger alike, whether the request used the id or an alias. */
  const keyRes = async (key: string) => `attest::key/${await app.keys.describe(key).then((k) => k.keyId, () => key.replace(/[^A-Za-z0-9._@+=,/-]/g, '_'))}`;
  kit.route({ method: 'GET', url: '/v1/keys', summary: 'List customer-managed keys', tags: keyTags, action: 'key:List', audit: 'server', resource: () => 'attest::key/*', response: z.array(KeyView), handler: () => app.keys.list() });
  kit.route({
    method: 'POST', url: '/v1/keys', summary: 'Create a key', tags: keyTags, action: 'key:Create', audit: 'service',
    body: z.object({ alias: z.string().max(256).optional(), description: z.string().max(500).optional() }).nullish(),
    resource: () => 'attest::key/new', response: KeyView,
    handler: ({ actor, body }) => app.keys.create(actor, { description: body?.description ?? '', ...(body?.alias ? { alias: body.alias } : {}) }),
  });
  kit.route({ method: 'GET', url: '/v1/keys/:key', summary: 'Describe a key (id or alias, URL-encoded)', tags: keyTags, action: 'key:Describe', audit: 'server', params: KeyParams, resource: ({ params }) => keyRes(params.key), response: KeyView, handler: ({ params }) => app.keys.describe(params.key) });
  const transitions = [
    ['enable', 'key:Enable', 'Enable a key', 'enable'],
    ['disable', 'key:Disable', 'Disable a key: its objects become unreadable until enabled', 'disable'],
    ['rotate', 'key:Rotate', 'Add a new key version', 'rotate'],
    ['cancel-deletion', 'key:CancelDeletion', 'Cancel a scheduled deletion', 'cancelDeletion'],
  ] as const;
  for (const [path, action, summary, method] of transitions) {
    kit.route({
      method: 'POST', url: `/v1/keys/:key/${path}`, summary, tags: keyTags, action, audit: 'service', params: KeyParams,
      resource: ({ params }) => keyRes(params.key), response: KeyView, handler: ({ actor, params }) => app.keys[method](actor, params.key),
    });
  }
  kit.route({
    method: 'POST', url: '/v1/keys/:key/schedule-deletion', summary: 'Schedule deletion after a waiting period (7–30 days)', tags: keyTags, action: 'key:ScheduleDeletion', audit: 'service', params: KeyParams,
    body: z.object({ days: z.number().int().optional() }).nullish(),
    resource: ({ params }) => keyRes(params.key), response: KeyView, handler: ({ actor, params, body }) => app.keys.scheduleDeletion(actor, params.key, body?.days ?? 30),
  });
  kit.route({
    method: 'POST', url: '/v1/keys/:key/rewrap', summary: 'Re-wrap data keys under the newest key version', tags: keyTags, action: 'key:Rewrap', audit: 'service', params: KeyParams,
    resource: ({ params }) => keyRes(params.key), response: z.object({ rewrapped: z.number(), keys: z.array(z.string()) }),
    handler: ({ actor, params }) => app.artifacts.rewrap(actor, params.key),
  });

  // artifacts
  const tags = ['artifacts'];
  /** Resolves a ref once per request; authorisation names the artifact id and knows its creator. */
  const lookup = async (req: FastifyRequest, project: string, ref: string) => {
    const cached = (req as FastifyRequest & { artifactLookup?: Awaited<ReturnType<typeof app.artifacts.resolve>> | null }).artifactLookup;
    if (cached !== undefined) return cached;
    const found = await projectIdByName(app, project)
      .then(async (projectId) => (await resolveReference(app, projectId, ref)).artifact)
      .catch(() => null);
    (req as FastifyRequest & { artifactLookup?: unknown }).artifactLookup = found;
    return found;
  };
  const artifactResource = async ({ params, req }: { params: z.output<typeof ArtifactParams>; req: FastifyRequest }) => {
    const found = await lookup(req, params.project, params.ref);
    return `attest:${params.project}:artifact/${found?.artifactId ?? params.ref.replace(/[^A-Za-z0-9._@+=,-]/g, '_')}`;
  };
  /** The artifact id a ref names (any reference form, via the one resolver), for the handlers. */
  const artifactIdOf = async (req: FastifyRequest, params: z.output<typeof ArtifactParams>) => (await lookup(req, params.project, params.ref))?.artifactId ?? params.ref;
  const creatorFacts = async ({ params, req }: { params: z.output<typeof ArtifactParams>; req: FastifyRequest }) => {
    const found = await lookup(req, params.project, params.ref);
    return found ? { resourceCreator: found.createdBy.replace(/^(user|service):/, '') } : {};
  };

  kit.route({
    method: 'POST', url: '/v1/projects/:project/artifacts', summary: 'Store the request body (application/octet-stream) as an encrypted artifact', tags, action: 'artifact:Put', audit: 'service',
    params: ProjectParams, rawBody: true,
    query: z.object({ name: z.string().max(200).optional(), mediaType: z.string().max(200).default('application/octet-stream'), key: z.string().max(256).optional(), retainUntil: z.string().max(40).optional() }),
    resource: ({ params }) => `attest:${params.project}:artifact/new`,
    response: ArtifactView.extend({ deduplicated: z.boolean() }),
    handler: async ({ actor, params, query, req }) => {
      const projectId = await projectIdByName(app, params.project);
      const length = Number(req.headers['content-length']);
      // A request without a body stores an empty artifact rather than failing on a missing stream.
      const body = req.body instanceof Readable ? req.body : Readable.from([]);
      return app.artifacts.put(actor, limited(body, options.maxArtifactBytes), {
        projectId,
        mediaType: query.mediaType,
        ...(Number.isFinite(length) ? { sizeHint: length } : {}),
        ...(query.name ? { name: query.name } : {}),
        ...(query.key ? { key: query.key } : {}),
        ...(query.retainUntil ? { retentionUntil: query.retainUntil } : {}),
        auditDetails: { source: 'api' },
      });
    },
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/artifacts', summary: "List a project's artifacts", tags, action: 'artifact:List', audit: 'server', params: ProjectParams,
    query: z.object({ all: z.enum(['true', 'false']).default('false') }),
    resource: ({ params }) => `attest:${params.project}:artifact/*`, response: z.array(ArtifactView),
    handler: async ({ params, query }) => app.artifacts.list({ projectId: await projectIdByName(app, params.project), includeDeleted: query.all === 'true' }),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/artifacts/:ref', summary: "An artifact's metadata (ref: id, sha256:HEX or name[@version])", tags, action: 'artifact:Describe', audit: 'server', params: ArtifactParams,
    resource: artifactResource, facts: creatorFacts, response: ArtifactView,
    handler: async ({ params, req }) => app.artifacts.describe(await artifactIdOf(req, params), await projectIdByName(app, params.project)),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/artifacts/:ref/content', summary: 'Download (decrypt and verify) an artifact', tags, action: 'artifact:Get', audit: 'service', params: ArtifactParams,
    resource: artifactResource, facts: creatorFacts, response: z.string().describe('the artifact bytes'), produces: 'application/octet-stream',
    handler: async ({ actor, params, reply, req }) => {
      const { meta, body } = await app.artifacts.get(actor, await artifactIdOf(req, params), await projectIdByName(app, params.project));
      reply.header('content-type', meta.mediaType).header('content-length', meta.sizeBytes).header('x-attest-sha256', meta.sha256);
      return reply.send(Readable.from(body)) as never;
    },
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/artifacts/:ref/retention', summary: 'Set or extend the retention date', tags, action: 'artifact:SetRetention', audit: 'service', params: ArtifactParams,
    body: z.object({ until: z.string().min(4).max(40) }), resource: artifactResource, facts: creatorFacts, response: ArtifactView,
    handler: async ({ actor, params, body }) => app.artifacts.setRetention(actor, params.ref, body.until, await projectIdByName(app, params.project)),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/artifacts/:ref/hold', summary: 'Place a legal hold', tags, action: 'artifact:SetLegalHold', audit: 'service', params: ArtifactParams,
    resource: artifactResource, response: ArtifactView,
    handler: async ({ actor, params }) => app.artifacts.setLegalHold(actor, params.ref, true, await projectIdByName(app, params.project)),
  });
  kit.route({
    method: 'DELETE', url: '/v1/projects/:project/artifacts/:ref/hold', summary: 'Release a legal hold', tags, action: 'artifact:SetLegalHold', audit: 'service', params: ArtifactParams,
    resource: artifactResource, response: ArtifactView,
    handler: async ({ actor, params }) => app.artifacts.setLegalHold(actor, params.ref, false, await projectIdByName(app, params.project)),
  });
  kit.route({
    method: 'DELETE', url: '/v1/projects/:project/artifacts/:ref', summary: 'Delete an artifact (refused under retention or legal hold)', tags, action: 'artifact:Delete', audit: 'service', params: ArtifactParams,
    resource: artifactResource, facts: creatorFacts, response: ArtifactView,
    handler: async ({ actor, params }) => app.artifacts.delete(actor, params.ref, await projectIdByName(app, params.project)),
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/artifacts/:ref/presign', summary: 'A presigned, expiring URL to download this one artifact', tags, action: 'artifact:Get', audit: 'server', params: ArtifactParams,
    body: z.object({ expiresInSeconds: z.number().int().min(1).max(86_400).optional(), bindSourceIp: BindSourceIp.optional().describe('only this client address (IPv4 or IPv6) may use the URL') }).nullish(),
    resource: artifactResource, facts: creatorFacts, response: z.object({ url: z.string(), expiresAt: z.string() }),
    handler: async ({ params, body, principal, req }) => {
      // The URL lives only as long as the token that signs it: identity-provider tokens are not stored, so they cannot sign.
      if (!principal.token) throw new AppError('ACCESS_DENIED', { message: 'Presigned URLs are signed with an Attest API or session token; identity-provider tokens cannot sign them' });
      const seconds = body?.expiresInSeconds ?? 900;
      if (seconds > options.maxPresignSeconds) throw new AppError('INVALID_INPUT', { message: `A presigned URL may live at most ${options.maxPresignSeconds} s` });
      const meta = await app.artifacts.describe(await artifactIdOf(req, params), await projectIdByName(app, params.project));
      const expiresAt = Date.now() + seconds * 1000;
      const token = signPresigned(options.presignSecret, {
        purpose: 'artifact:Get',
        artifactId: meta.artifactId,
        project: params.project,
        issuer: principal.auditName,
        token: principal.token.prefix,
        expiresAt,
        ...(body?.bindSourceIp ? { sourceIp: body.bindSourceIp } : {}),
      });
      return { url: `/v1/presigned/${token}`, expiresAt: new Date(expiresAt).toISOString() };
    },
  });

  // audit ledger and config history
  const auditTags = ['audit'];
  kit.route({
    method: 'GET', url: '/v1/audit', summary: 'List audit entries (oldest first) with filters', tags: auditTags, action: 'audit:Read', audit: 'server', query: AuditQuery,
    resource: () => 'attest::audit/ledger', response: z.array(AuditEntrySchema),
    handler: ({ query }) => app.ledger.list(query),
  });
  kit.route({
    method: 'POST', url: '/v1/audit/verify', summary: 'Verify the hash chain and signed checkpoints', tags: auditTags, action: 'audit:Verify', audit: 'service',
    resource: () => 'attest::audit/ledger',
    response: z.object({ ok: z.boolean(), entriesChecked: z.number(), checkpointsChecked: z.number(), headSeq: z.number(), firstProblem: z.object({ seq: z.number(), entryId: z.string().optional(), reason: z.string() }).optional(), problems: z.array(z.object({ seq: z.number(), entryId: z.string().optional(), reason: z.string() })) }),
    handler: async ({ actor }) => {
      // A refused checkpoint is recorded by app.checkpoint and alerted by the detective controls;
      // the caller gets the full report naming the damage.
      await app.checkpoint({ alert: false }).catch((error: unknown) => {
        if (!(isAppError(error) && error.code === 'AUDIT_CHAIN_BROKEN')) throw error;
      });
      const report = await app.verifyAudit();
      await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'audit:Verify', 'attest::audit/ledger', report.ok ? 'allowed' : 'failed', { entriesChecked: report.entriesChecked, ...(report.firstProblem ? { firstProblem: report.firstProblem } : {}) });
      return report;
    },
  });
  const Hex = z.string().regex(/^[0-9a-f]{64}$/);
  kit.route({
    method: 'GET', url: '/v1/audit/proofs/:seq', summary: 'An entry, its Merkle inclusion proof and the signed tree head it is proven against', tags: auditTags, action: 'audit:Read', audit: 'server',
    params: z.object({ seq: z.coerce.number().int().positive() }),
    resource: () => 'attest::audit/ledger',
    response: z.object({ entry: AuditEntrySchema, leafIndex: z.number(), treeHead: SignedTreeHeadSchema, inclusionProof: z.array(Hex), publicKey: z.object({ keyId: z.string(), keyVersion: z.number(), spki: z.string() }) }),
    handler: async ({ params }) => app.auditTrust.prove(params.seq),
  });
  kit.route({
    method: 'GET', url: '/v1/audit/bundle', summary: 'An evidence bundle (docs/audit-evidence.md) for entries fromSeq..toSeq, verifiable offline', tags: auditTags, action: 'audit:Export', audit: 'server',
    query: z.object({ fromSeq: z.coerce.number().int().positive().optional(), toSeq: z.coerce.number().int().positive().optional() }),
    resource: () => 'attest::audit/ledger',
    response: EvidenceBundleSchema,
    handler: async ({ query }) => app.auditTrust.bundle({ ...(query.fromSeq !== undefined ? { fromSeq: query.fromSeq } : {}), ...(query.toSeq !== undefined ? { toSeq: query.toSeq } : {}) }),
  });
  kit.route({
    method: 'GET', url: '/v1/audit/export', summary: 'Export entries as JSON Lines for a SIEM', tags: auditTags, action: 'audit:Export', audit: 'server', query: AuditQuery.omit({ limit: true }),
    resource: () => 'attest::audit/ledger', response: z.string().describe('JSON Lines'), produces: 'application/x-ndjson',
    handler: async ({ query, reply }) => {
      const rows = await app.ledger.list(query);
      reply.header('content-type', 'application/x-ndjson');
      return reply.send(rows.map((e) => `${JSON.stringify(e)}\n`).join('')) as never;
    },
  });
  kit.route({
    method: 'GET', url: '/v1/config/history', summary: 'Config history: every change with before and after', tags: auditTags, action: 'config:Read', audit: 'server',
    query: z.object({ type: z.string().max(64).optional(), id: z.string().max(300).optional() }),
    resource: () => 'attest::config/history',
    response: z.array(z.object({ id: z.string(), time: z.string(), principal: z.string(), resourceType: z.string(), resourceId: z.string(), change: z.string(), before: z.unknown(), after: z.unknown(), auditSeq: z.number() })),
    handler: ({ query }) => listConfigChanges(app.db, { ...(query.type ? { resourceType: query.type } : {}), ...(query.id ? { resourceId: query.id } : {}) }),
  });
}

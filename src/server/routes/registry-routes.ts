/**
 * @module server/routes/registry-routes
 * `/v1/projects/{project}/model-groups…`, `…/model-versions/{version}…` (a version is `mp_…` or
 * `GROUP@N` / `GROUP@alias`), `…/model-aliases/{alias}` and `…/registry-settings`: the model
 * registry, its auditor questions, model cards and the validation workspace. Checker routes
 * (approve, reject, sign-off) give the policy engine the version's makers as request facts, so
 * separation of duties decides them at the route; alias moves are authorized by the service
 * (`model:Deploy` for a gated alias such as production, else `model:Register`).
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import type { RegistryCaller } from '../../registry/index.js';
import {
  AliasHistoryEntrySchema,
  AliasName,
  CardFieldsSchema,
  DecisionRequestSchema,
  DecisionSchema,
  EvidenceRequestSchema,
  EvidenceSchema,
  GroupName,
  MODEL_STATUSES,
  ModelGroupSchema,
  ModelVersionSchema,
  makerFacts,
  RegisterRequestSchema,
  RegistrySettingsSchema,
  validationResource,
  versionResource,
} from '../../registry/index.js';
import { CommentRequestSchema, CommentSchema, createRegistryServices, FindingRequestSchema, FindingSchema, FindingUpdateSchema, SignOffRequestSchema, SignOffSchema, ValidationWorkspaceSchema } from '../../validation/index.js';
import type { HandlerInput, RouteKit } from '../route-kit.js';
import { requestFacts } from '../route-kit.js';
import { ProjectName, ProjectParams } from './schemas.js';

const GroupParams = z.object({ project: ProjectName, group: GroupName });
const AliasParams = z.object({ project: ProjectName, group: GroupName, alias: AliasName });
const VersionRef = z.string().regex(/^[a-z0-9][A-Za-z0-9._@-]{0,200}$/, 'a model version: mp_…, GROUP@N or GROUP@alias');
const VersionParams = z.object({ project: ProjectName, version: VersionRef });
const FindingParams = z.object({ project: ProjectName, version: VersionRef, finding: z.string().regex(/^fnd_[a-z0-9]{1,64}$/) });
const SettingsResponse = z.object({ settings: RegistrySettingsSchema, revision: z.number() });
const Loose = z.record(z.string(), z.unknown());

export function registerRegistryRoutes(kit: RouteKit, app: App): void {
  const s = createRegistryServices(app);
  const tags = ['registry'];
  const caller = (input: Pick<HandlerInput<{ project: string }, unknown, unknown>, 'actor' | 'principal' | 'req' | 'params'>): RegistryCaller => ({ actor: input.actor, principal: input.principal, facts: requestFacts(input.req, input.params.project) });
  const versionName = async (project: string, ref: string) => {
    const { group, row } = await s.registry.locate(project, ref);
    return versionResource(project, group.name, Number(row.version));
  };
  /** Who made the version, for separation of duties at the route (a missing version gets no facts and 404s in the handler). */
  const checkerFacts = async ({ params }: { params: { project: string; version: string } }) => {
    try {
      const { projectId, row } = await s.registry.locate(params.project, params.version);
      return (await makerFacts(app, projectId, row, (await s.registry.settings(projectId)).settings)).facts;
    } catch {
      return {};
    }
  };
  const G = (p: string) => `/v1/projects/:project/model-groups${p}`;
  const V = (p: string) => `/v1/projects/:project/model-versions/:version${p}`;

  kit.route({ method: 'GET', url: G(''), summary: "List a project's model groups", tags, action: 'model:List', audit: 'server', params: ProjectParams, resource: ({ params }) => `attest:${params.project}:model/*`, response: z.array(ModelGroupSchema), handler: (i) => s.registry.listGroups(caller(i), i.params.project) });
  kit.route({
    method: 'POST', url: G(''), summary: 'Create a model group (optionally with a risk tier)', tags, action: 'model:Register', audit: 'service', params: ProjectParams,
    body: z.object({ name: GroupName, description: z.string().max(2000).optional(), riskTier: z.number().int().min(1).max(5).optional() }),
    resource: ({ params, body }) => `attest:${params.project}:model/${body.name}`, response: ModelGroupSchema,
    handler: (i) => s.registry.createGroup(caller(i), i.params.project, { name: i.body.name, ...(i.body.description !== undefined ? { description: i.body.description } : {}), ...(i.body.riskTier !== undefined ? { riskTier: i.body.riskTier } : {}) }),
  });
  kit.route({ method: 'GET', url: G('/:group'), summary: 'A model group with its aliases', tags, action: 'model:Describe', audit: 'server', params: GroupParams, resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: ModelGroupSchema, handler: (i) => s.registry.describeGroup(caller(i), i.params.project, i.params.group) });
  kit.route({
    method: 'PUT', url: G('/:group'), summary: "Change a group's description or risk tier", tags, action: 'model:Register', audit: 'service', params: GroupParams,
    body: z.object({ description: z.string().max(2000).optional(), riskTier: z.number().int().min(1).max(5).nullable().optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: ModelGroupSchema,
    handler: (i) => s.registry.updateGroup(caller(i), i.params.project, i.params.group, { ...(i.body.description !== undefined ? { description: i.body.description } : {}), ...(i.body.riskTier !== undefined ? { riskTier: i.body.riskTier } : {}) }),
  });
  kit.route({
    method: 'GET', url: G('/:group/versions'), summary: "A group's versions", tags, action: 'model:List', audit: 'server', params: GroupParams, query: z.object({ status: z.enum(MODEL_STATUSES).optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}/*`, response: z.array(ModelVersionSchema),
    handler: (i) => s.registry.listVersions(caller(i), i.params.project, i.params.group, i.query.status ? { status: i.query.status } : {}),
  });
  kit.route({
    method: 'POST', url: G('/:group/versions'), summary: "Register a model version from a training job's output (or an external model)", tags, action: 'model:Register', audit: 'service', params: GroupParams,
    body: RegisterRequestSchema.omit({ group: true }), resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: ModelVersionSchema,
    handler: (i) => s.registry.register(caller(i), i.params.project, { ...i.body, group: i.params.group }),
  });
  kit.route({
    method: 'GET', url: G('/:group/alias-history'), summary: "Every move of a group's aliases (or of one), oldest first", tags, action: 'model:Describe', audit: 'server', params: GroupParams, query: z.object({ alias: AliasName.optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: z.array(AliasHistoryEntrySchema),
    handler: (i) => s.registry.aliasHistory(caller(i), i.params.project, i.params.group, i.query.alias),
  });
  kit.route({
    method: 'GET', url: G('/:group/aliases/:alias'), summary: 'The version an alias names now, or at `at` (who moved it there, on what evidence)', tags, action: 'model:Describe', audit: 'server', params: AliasParams, query: z.object({ at: z.string().max(40).optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: z.object({ group: z.string(), alias: z.string(), at: z.string(), version: ModelVersionSchema.nullable(), movedBy: AliasHistoryEntrySchema.nullable() }),
    handler: (i) => s.registry.aliasAt(caller(i), i.params.project, i.params.group, i.params.alias, i.query.at ?? new Date().toISOString()),
  });
  kit.route({
    method: 'PUT', url: G('/:group/aliases/:alias'), summary: 'Point an alias at a version or another alias (gated aliases check the evidence of the risk tier)', tags, action: 'model:Describe', audit: 'service', params: AliasParams,
    body: z.object({ version: z.number().int().min(1).optional(), alias: AliasName.optional(), reason: z.string().max(2000).optional(), overrideJustification: z.string().max(5000).optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: AliasHistoryEntrySchema,
    handler: (i) => s.registry.setAlias(caller(i), i.params.project, i.params.group, i.params.alias, i.body),
  });
  kit.route({
    method: 'DELETE', url: G('/:group/aliases/:alias'), summary: 'Remove an alias (kept in its history)', tags, action: 'model:Describe', audit: 'service', params: AliasParams, query: z.object({ reason: z.string().max(2000).optional() }),
    resource: ({ params }) => `attest:${params.project}:model/${params.group}`, response: AliasHistoryEntrySchema,
    handler: (i) => s.registry.removeAlias(caller(i), i.params.project, i.params.group, i.params.alias, i.query.reason ? { reason: i.query.reason } : {}),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/model-aliases/:alias', summary: 'Which models an alias (e.g. production) names now, since when and moved by whom', tags, action: 'model:List', audit: 'server',
    params: z.object({ project: ProjectName, alias: AliasName }), resource: ({ params }) => `attest:${params.project}:model/*`, response: z.array(Loose),
    handler: async (i) => (await s.auditor.inProduction(caller(i), i.params.project, i.params.alias)) as unknown as Record<string, unknown>[],
  });
  kit.route({ method: 'GET', url: '/v1/projects/:project/registry-settings', summary: "The project's independence rule and evidence gates per risk tier", tags, action: 'project:Describe', audit: 'server', params: ProjectParams, resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: SettingsResponse, handler: (i) => s.registry.getSettings(caller(i), i.params.project) });
  kit.route({ method: 'PUT', url: '/v1/projects/:project/registry-settings', summary: "Replace the project's registry settings (versioned in config history)", tags, action: 'project:Update', audit: 'service', params: ProjectParams, body: Loose, resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: SettingsResponse, handler: (i) => s.registry.setSettings(caller(i), i.params.project, i.body as never) });

  kit.route({ method: 'GET', url: V(''), summary: 'A model version: artifact, provenance, metrics, signature, status, aliases', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: ModelVersionSchema, handler: (i) => s.registry.describeVersion(caller(i), i.params.project, i.params.version) });
  kit.route({ method: 'POST', url: V('/approve'), summary: 'Approve a version (denied to its makers: separation of duties)', tags, action: 'model:Approve', audit: 'service', params: VersionParams, body: DecisionRequestSchema, facts: checkerFacts, resource: ({ params }) => versionName(params.project, params.version), response: DecisionSchema, handler: (i) => s.registry.approve(caller(i), i.params.project, i.params.version, i.body) });
  kit.route({ method: 'POST', url: V('/reject'), summary: 'Reject a version (denied to its makers)', tags, action: 'model:Reject', audit: 'service', params: VersionParams, body: DecisionRequestSchema, facts: checkerFacts, resource: ({ params }) => versionName(params.project, params.version), response: DecisionSchema, handler: (i) => s.registry.reject(caller(i), i.params.project, i.params.version, i.body) });
  kit.route({ method: 'POST', url: V('/archive'), summary: 'Archive a version no alias names', tags, action: 'model:Register', audit: 'service', params: VersionParams, body: z.object({ reason: z.string().max(2000).optional() }), resource: ({ params }) => versionName(params.project, params.version), response: ModelVersionSchema, handler: (i) => s.registry.archive(caller(i), i.params.project, i.params.version, i.body.reason ? { reason: i.body.reason } : {}) });
  kit.route({ method: 'GET', url: V('/gates'), summary: "The version's risk-tier evidence gates, evaluated now", tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: Loose, handler: async (i) => (await s.registry.gates(caller(i), i.params.project, i.params.version)) as unknown as Record<string, unknown> });
  kit.route({ method: 'GET', url: V('/decisions'), summary: 'Who approved or rejected the version, and were they independent', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: z.array(DecisionSchema), handler: (i) => s.auditor.decisions(caller(i), i.params.project, i.params.version) });
  kit.route({ method: 'GET', url: V('/evidence-at-approval'), summary: 'The evidence snapshot taken when the version was approved', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: DecisionSchema, handler: (i) => s.auditor.evidenceAtApproval(caller(i), i.params.project, i.params.version) });
  kit.route({ method: 'GET', url: V('/evidence'), summary: 'Evidence attached to the version', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: z.array(EvidenceSchema), handler: (i) => s.evidence.list(caller(i), i.params.project, i.params.version) });
  kit.route({ method: 'POST', url: V('/evidence'), summary: 'Attach evidence (an artifact, or every output of a job)', tags, action: 'model:Evaluate', audit: 'service', params: VersionParams, body: EvidenceRequestSchema, resource: ({ params }) => versionName(params.project, params.version), response: z.array(EvidenceSchema), handler: (i) => s.evidence.attach(caller(i), i.params.project, i.params.version, i.body) });
  kit.route({ method: 'GET', url: V('/card'), summary: 'The model card, generated from lineage', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: Loose, handler: async (i) => (await s.cards.generate(caller(i), i.params.project, i.params.version)) as unknown as Record<string, unknown> });
  kit.route({ method: 'PUT', url: V('/card'), summary: "Edit the card's fields (intended use, limitations, owner, risk tier); a new revision", tags, action: 'model:Register', audit: 'service', params: VersionParams, body: CardFieldsSchema, resource: ({ params }) => versionName(params.project, params.version), response: Loose, handler: async (i) => (await s.cards.edit(caller(i), i.params.project, i.params.version, i.body)) as unknown as Record<string, unknown> });
  kit.route({ method: 'GET', url: V('/card/revisions'), summary: "Every revision of the card's editable fields", tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => versionName(params.project, params.version), response: z.array(Loose), handler: async (i) => (await s.cards.revisions(caller(i), i.params.project, i.params.version)) as unknown as Record<string, unknown>[] });

  // What the caller may decide on this version, answered by the same policy decision (with the
  // version's makers as facts) the checker routes enforce: the console disables a button with
  // this reason instead of guessing from roles. Side-effect free; the read itself is audited.
  const CHECKER_ACTIONS = ['model:Approve', 'model:Reject', 'validation:SignOff'] as const;
  kit.route({
    method: 'GET', url: V('/my-permissions'), summary: 'Whether the caller may approve, reject or sign off the version, and why not', tags, action: 'model:Describe', audit: 'server', params: VersionParams,
    resource: ({ params }) => versionName(params.project, params.version),
    response: z.array(z.object({ action: z.string(), allowed: z.boolean(), reason: z.string().nullable() })),
    handler: async (i) => {
      const facts = { ...requestFacts(i.req, i.params.project), ...(await checkerFacts(i)) };
      return Promise.all(
        CHECKER_ACTIONS.map(async (action) => {
          const resource = action === 'validation:SignOff' ? await validationName(i.params.project, i.params.version) : await versionName(i.params.project, i.params.version);
          const d = await app.identity.authorizer.decide(i.principal, action, resource, facts);
          const allowed = d.decision === 'Allow';
          const reason = allowed
            ? null
            : d.separationOfDuties && !d.separationOfDuties.allowed
              ? d.separationOfDuties.reason
              : d.decidingStatement
                ? `denied by ${d.decidingStatement.policyName}#${d.decidingStatement.sid ?? d.decidingStatement.index}`
                : `no policy of yours allows ${action}`;
          return { action, allowed, reason };
        }),
      );
    },
  });

  const validationName = async (project: string, ref: string) => {
    const { group, row } = await s.registry.locate(project, ref);
    return validationResource(project, group.name, Number(row.version));
  };
  kit.route({ method: 'GET', url: V('/validation'), summary: 'The validation workspace: findings, comments, sign-offs, evidence', tags, action: 'model:Describe', audit: 'server', params: VersionParams, resource: ({ params }) => validationName(params.project, params.version), response: ValidationWorkspaceSchema, handler: (i) => s.validation.workspace(caller(i), i.params.project, i.params.version) });
  kit.route({ method: 'POST', url: V('/validation/findings'), summary: 'Record a finding', tags, action: 'model:Review', audit: 'service', params: VersionParams, body: FindingRequestSchema, resource: ({ params }) => validationName(params.project, params.version), response: FindingSchema, handler: (i) => s.validation.addFinding(caller(i), i.params.project, i.params.version, i.body) });
  kit.route({ method: 'PUT', url: V('/validation/findings/:finding'), summary: "Change a finding's status or severity", tags, action: 'model:Review', audit: 'service', params: FindingParams, body: FindingUpdateSchema, resource: ({ params }) => validationName(params.project, params.version), response: FindingSchema, handler: (i) => s.validation.updateFinding(caller(i), i.params.project, i.params.version, i.params.finding, i.body) });
  kit.route({ method: 'POST', url: V('/validation/comments'), summary: 'Comment on the validation or a finding', tags, action: 'model:Review', audit: 'service', params: VersionParams, body: CommentRequestSchema, resource: ({ params }) => validationName(params.project, params.version), response: CommentSchema, handler: (i) => s.validation.comment(caller(i), i.params.project, i.params.version, i.body) });
  kit.route({ method: 'POST', url: V('/validation/sign-off'), summary: 'Sign off the validation (denied to the makers; refused with open high findings)', tags, action: 'validation:SignOff', audit: 'service', params: VersionParams, body: SignOffRequestSchema, facts: checkerFacts, resource: ({ params }) => validationName(params.project, params.version), response: SignOffSchema, handler: (i) => s.validation.signOff(caller(i), i.params.project, i.params.version, i.body) });
}

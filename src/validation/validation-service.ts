/**
 * @module validation/validation-service
 * The independent validation workspace of a model version (SR 11-7's effective challenge):
 * findings with severity and status, comments, and the validator's sign-off. Evidence (reports,
 * job outputs) is attached through the registry's evidence service. Recording findings is
 * `model:Review`; signing off is `validation:SignOff`, a checker action denied to the version's
 * makers by the same separation-of-duties rule as approval.
 */
import type { App } from '../app/index.js';
import { AppError, newId } from '../kernel/index.js';
import type { Evidence, RegistryCaller, RegistryService, ValidationFindingsTable } from '../registry/index.js';
import { authorize, authorizeChecker, EvidenceService, registryDb, registryTx, toEvidence, validationResource } from '../registry/index.js';
import { governed } from '../security/audit/index.js';
import type { Comment, Finding, FindingStatus, SignOff, ValidationWorkspace } from './validation-model.js';
import { FindingRequestSchema, FindingUpdateSchema } from './validation-model.js';

function toFinding(r: ValidationFindingsTable): Finding {
  return { findingId: r.id, versionId: r.version_id, title: r.title, severity: r.severity as Finding['severity'], status: r.status as FindingStatus, description: r.description, createdAt: r.created_at, createdBy: r.created_by, updatedAt: r.updated_at, updatedBy: r.updated_by };
}

function invalid(issues: { path: PropertyKey[]; message: string }[]): AppError {
  const i = issues[0];
  return new AppError('INVALID_INPUT', { message: `Invalid input${i?.path.length ? ` at ${i.path.map(String).join('.')}` : ''}: ${i?.message ?? 'not valid'}` });
}

export class ValidationService {
  readonly #app: App;
  readonly #registry: RegistryService;

  constructor(app: App, registry: RegistryService) {
    this.#app = app;
    this.#registry = registry;
  }

  get #audit() {
    return { db: this.#app.db, ledger: this.#app.ledger };
  }

  async #locate(project: string, ref: string) {
    const found = await this.#registry.locate(project, ref);
    return { ...found, resource: validationResource(project, found.group.name, Number(found.row.version)) };
  }

  async addFinding(caller: RegistryCaller, project: string, ref: string, input: { title: string; severity: string; description?: string }): Promise<Finding> {
    const parsed = FindingRequestSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues);
    const { projectId, row, resource } = await this.#locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Review', resource);
    const now = new Date().toISOString();
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    const finding: ValidationFindingsTable = { id: newId('fnd'), project_id: projectId, version_id: row.id, title: parsed.data.title, severity: parsed.data.severity, status: 'open', description: parsed.data.description, created_at: now, created_by: principal, updated_at: now, updated_by: principal };
    await governed(this.#audit, caller.actor, 'model:Review', resource, async (tx) => {
      await registryTx(tx).insertInto('validation_findings').values(finding).execute();
      return { result: undefined, details: { finding: finding.id, severity: finding.severity, title: finding.title }, configChanges: [{ resourceType: 'validation-finding', resourceId: finding.id, change: 'create', before: null, after: finding }] };
    });
    return toFinding(finding);
  }

  /** Changes a finding's status (open → remediated / accepted / closed, or reopened) or severity, with a comment. */
  async updateFinding(caller: RegistryCaller, project: string, ref: string, findingId: string, input: { status?: string; severity?: string; comment?: string }): Promise<Finding> {
    const parsed = FindingUpdateSchema.safeParse(input);
    if (!parsed.success) throw invalid(parsed.error.issues);
    const { projectId, row, resource } = await this.#locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Review', resource);
    const k = registryDb(this.#app.db);
    const before = await k.selectFrom('validation_findings').selectAll().where('id', '=', findingId).where('version_id', '=', row.id).executeTakeFirst();
    if (!before) throw new AppError('FINDING_NOT_FOUND', { message: `No finding ${findingId} on this model version`, details: { findingId } });
    const now = new Date().toISOString();
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    const after = { ...before, status: parsed.data.status ?? before.status, severity: parsed.data.severity ?? before.severity, updated_at: now, updated_by: principal };
    await governed(this.#audit, caller.actor, 'model:Review', resource, async (tx) => {
      await registryTx(tx).updateTable('validation_findings').set({ status: after.status, severity: after.severity, updated_at: now, updated_by: principal }).where('id', '=', findingId).execute();
      if (parsed.data.comment) await registryTx(tx).insertInto('validation_comments').values({ id: newId('cmt'), project_id: projectId, version_id: row.id, finding_id: findingId, text: parsed.data.comment, at: now, by: principal }).execute();
      return { result: undefined, details: { finding: findingId, status: after.status, severity: after.severity }, configChanges: [{ resourceType: 'validation-finding', resourceId: findingId, change: 'update', before: { status: before.status, severity: before.severity }, after: { status: after.status, severity: after.severity } }] };
    });
    return toFinding(after);
  }

  async comment(caller: RegistryCaller, project: string, ref: string, input: { text: string; findingId?: string }): Promise<Comment> {
    if (typeof input.text !== 'string' || input.text.trim() === '' || input.text.length > 10_000) throw new AppError('INVALID_INPUT', { message: 'A comment is 1 to 10000 characters' });
    const { projectId, row, resource } = await this.#locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Review', resource);
    if (input.findingId) {
      const f = await registryDb(this.#app.db).selectFrom('validation_findings').select('id').where('id', '=', input.findingId).where('version_id', '=', row.id).executeTakeFirst();
      if (!f) throw new AppError('FINDING_NOT_FOUND', { message: `No finding ${input.findingId} on this model version` });
    }
    const c = { id: newId('cmt'), project_id: projectId, version_id: row.id, finding_id: input.findingId ?? null, text: input.text, at: new Date().toISOString(), by: caller.principal?.auditName ?? caller.actor.principal };
    await governed(this.#audit, caller.actor, 'model:Review', resource, async (tx) => {
      await registryTx(tx).insertInto('validation_comments').values(c).execute();
      return { result: undefined, details: { comment: c.id, finding: c.finding_id } };
    });
    return { commentId: c.id, findingId: c.finding_id, text: c.text, at: c.at, by: c.by };
  }

  /**
   * Signs off the validation. Denied to the version's makers (separation of duties); refused while
   * a high finding is open. The report, when given, is attached as `validation-report` evidence.
   */
  async signOff(caller: RegistryCaller, project: string, ref: string, input: { comment: string; report?: string }): Promise<SignOff> {
    if (typeof input.comment !== 'string' || input.comment.trim() === '') throw new AppError('INVALID_INPUT', { message: 'A sign-off needs a comment' });
    const { projectId, group, row, resource } = await this.#locate(project, ref);
    const { settings } = await this.#registry.settings(projectId);
    const { independence } = await authorizeChecker(this.#app, caller, project, projectId, 'validation:SignOff', resource, row, settings);
    if (row.status === 'Archived') throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is Archived` });
    const open = await registryDb(this.#app.db).selectFrom('validation_findings').select(['id', 'title']).where('version_id', '=', row.id).where('status', '=', 'open').where('severity', '=', 'high').execute();
    if (open.length > 0) throw new AppError('EVIDENCE_MISSING', { message: `Cannot sign off ${group.name} version ${row.version}: ${open.length} high finding(s) are open (${open.map((f) => f.title).join('; ')})`, details: { missing: open.map((f) => `open high finding ${f.id}: ${f.title}`) } });
    let reportArtifactId: string | null = null;
    if (input.report) {
      const [attached] = await new EvidenceService(this.#app, this.#registry).attach({ ...caller }, project, row.id, { kind: 'validation-report', ref: input.report, note: 'attached at sign-off' });
      reportArtifactId = attached?.artifactId ?? null;
    }
    const s = { id: newId('sgn'), project_id: projectId, version_id: row.id, principal: caller.principal?.auditName ?? caller.actor.principal, comment: input.comment, report_artifact_id: reportArtifactId, independence: JSON.stringify(independence), at: new Date().toISOString() };
    await governed(this.#audit, caller.actor, 'validation:SignOff', resource, async (tx) => {
      await registryTx(tx).insertInto('validation_signoffs').values(s).execute();
      return { result: undefined, details: { signOff: s.id, report: reportArtifactId, independent: independence.independent }, configChanges: [{ resourceType: 'validation-signoff', resourceId: s.id, change: 'create', before: null, after: { versionId: row.id, principal: s.principal, report: reportArtifactId } }] };
    });
    return { signOffId: s.id, principal: s.principal, comment: s.comment, reportArtifactId, at: s.at, independence };
  }

  /** Everything recorded in the workspace of a version. */
  async workspace(caller: RegistryCaller, project: string, ref: string): Promise<ValidationWorkspace> {
    const { group, row, resource } = await this.#locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', resource);
    const k = registryDb(this.#app.db);
    const findings = (await k.selectFrom('validation_findings').selectAll().where('version_id', '=', row.id).orderBy('created_at').execute()).map(toFinding);
    const comments = (await k.selectFrom('validation_comments').selectAll().where('version_id', '=', row.id).orderBy('at').execute()).map((c) => ({ commentId: c.id, findingId: c.finding_id, text: c.text, at: c.at, by: c.by }));
    const signOffs = (await k.selectFrom('validation_signoffs').selectAll().where('version_id', '=', row.id).orderBy('at').execute()).map((s) => ({ signOffId: s.id, principal: s.principal, comment: s.comment, reportArtifactId: s.report_artifact_id, at: s.at, independence: JSON.parse(s.independence) }));
    const evidence: Evidence[] = (await k.selectFrom('model_evidence').selectAll().where('version_id', '=', row.id).orderBy('attached_at').execute()).map(toEvidence);
    return { group: group.name, version: Number(row.version), versionId: row.id, status: row.status, findings, comments, signOffs, evidence };
  }
}

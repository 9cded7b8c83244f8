/**
 * @module registry/evidence-service
 * Evidence attached to a model version (validation report, bias report, explanation report,
 * monitoring baseline, evaluation, challenger comparison, back-test, stress test): an artifact or
 * every output of a job, recorded with its hash and linked in lineage as `version AssociatedWith
 * artifact` (downstream of the model, so evidence never makes its producer a maker of the model).
 */
import type { App } from '../app/index.js';
import { AppError, newId } from '../kernel/index.js';
import { recordAssociation } from '../lineage/index.js';
import { resolveReference } from '../references/index.js';
import { governed } from '../security/audit/index.js';
import type { RegistryCaller } from './registry-caller.js';
import { authorize, versionResource } from './registry-caller.js';
import type { Evidence, EvidenceKind } from './registry-model.js';
import { EvidenceRequestSchema } from './registry-model.js';
import type { RegistryService } from './registry-service.js';
import type { ModelEvidenceTable } from './registry-tables.js';
import { registryDb, registryTx } from './registry-tables.js';

export function toEvidence(r: ModelEvidenceTable): Evidence {
  return { evidenceId: r.id, versionId: r.version_id, kind: r.kind as EvidenceKind, artifactId: r.artifact_id, sha256: r.sha256, jobId: r.job_id, note: r.note, attachedAt: r.attached_at, attachedBy: r.attached_by };
}

export class EvidenceService {
  readonly #app: App;
  readonly #registry: RegistryService;

  constructor(app: App, registry: RegistryService) {
    this.#app = app;
    this.#registry = registry;
  }

  async attach(caller: RegistryCaller, project: string, ref: string, request: { kind: string; ref: string; note?: string }): Promise<Evidence[]> {
    const parsed = EvidenceRequestSchema.safeParse(request);
    if (!parsed.success) throw new AppError('INVALID_INPUT', { message: `Invalid evidence: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
    const r = parsed.data;
    const { projectId, group, row } = await this.#registry.locate(project, ref);
    const resource = versionResource(project, group.name, Number(row.version));
    await authorize(this.#app, caller, project, 'model:Evaluate', resource);
    if (row.status === 'Archived') throw new AppError('MODEL_STATUS_CONFLICT', { message: `${group.name} version ${row.version} is Archived; evidence can no longer be attached` });
    const items: { artifactId: string; sha256: string; jobId: string | null }[] = [];
    if (r.ref.startsWith('job_')) {
      const job = await this.#app.db.kysely.selectFrom('jobs').select(['id', 'status']).where('id', '=', r.ref).where('project_id', '=', projectId).executeTakeFirst();
      if (!job) throw new AppError('JOB_NOT_FOUND', { message: `No job ${r.ref} in this project` });
      if (job.status !== 'succeeded') throw new AppError('INVALID_INPUT', { message: `Job ${r.ref} is ${job.status}; only a succeeded job's outputs are evidence` });
      const outputs = await this.#app.db.kysely.selectFrom('job_outputs').innerJoin('artifacts', 'artifacts.id', 'job_outputs.artifact_id').select(['artifacts.id as id', 'artifacts.sha256 as sha256']).where('job_outputs.job_id', '=', r.ref).execute();
      if (outputs.length === 0) throw new AppError('INVALID_INPUT', { message: `Job ${r.ref} has no outputs to attach` });
      for (const o of outputs) items.push({ artifactId: o.id, sha256: o.sha256, jobId: r.ref });
    } else {
      const resolved = await resolveReference(this.#app, projectId, r.ref);
      items.push({ artifactId: resolved.artifactId, sha256: resolved.artifact.sha256, jobId: null });
    }
    const now = new Date().toISOString();
    const principal = caller.principal?.auditName ?? caller.actor.principal;
    const rows: ModelEvidenceTable[] = items.map((i) => ({ id: newId('evd'), project_id: projectId, version_id: row.id, kind: r.kind, artifact_id: i.artifactId, sha256: i.sha256, job_id: i.jobId, note: r.note, attached_at: now, attached_by: principal }));
    await governed({ db: this.#app.db, ledger: this.#app.ledger }, caller.actor, 'model:Evaluate', resource, async (tx) => {
      for (const e of rows) {
        await registryTx(tx).insertInto('model_evidence').values(e).execute();
        if (e.artifact_id !== row.artifact_id) await recordAssociation(tx, { projectId, sourceId: row.id, destId: e.artifact_id, type: 'AssociatedWith', principal, time: now });
      }
      return { result: undefined, details: { evidence: rows.map((e) => ({ kind: e.kind, artifactId: e.artifact_id, sha256: e.sha256, job: e.job_id })) } };
    });
    return rows.map(toEvidence);
  }

  async list(caller: RegistryCaller, project: string, ref: string): Promise<Evidence[]> {
    const { group, row } = await this.#registry.locate(project, ref);
    await authorize(this.#app, caller, project, 'model:Describe', versionResource(project, group.name, Number(row.version)));
    return (await registryDb(this.#app.db).selectFrom('model_evidence').selectAll().where('version_id', '=', row.id).orderBy('attached_at').execute()).map(toEvidence);
  }
}

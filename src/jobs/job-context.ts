/**
 * @module jobs/job-context
 * What a running job sees: its resolved inputs (read through the services, so every read is
 * authorized by project and audited as `artifact:Get`), its trial component (parameters, inputs,
 * outputs and metrics recorded as it goes, which writes the lineage edges), and output commit.
 *
 * Outputs are committed exactly once per (job, role): the named version and the job's
 * `job_outputs` row are written in one transaction, and a retried attempt finds the row and
 * reuses that version instead of creating another. Outputs are encrypted like every artifact.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { App } from '../app/index.js';
import type { ColumnFrame } from '../data/index.js';
import { parseCsvFrame, writeCsv } from '../data/index.js';
import type { DatasetVersion } from '../datasets/index.js';
import { AppError } from '../kernel/index.js';
import type { Tx } from '../platform/db/index.js';
import type { ResolvedReference } from '../references/index.js';
import type { Actor } from '../security/audit/index.js';
import type { ComponentLogger } from '../tracking/index.js';
import type { Job, JobOutput } from './job-model.js';
import type { JobModel } from './job-models.js';
import { parseJobModel } from './job-models.js';

export interface JobContextInit {
  app: App;
  job: Job;
  actor: Actor;
  component: ComponentLogger;
  inputs: ReadonlyMap<string, ResolvedReference>;
  scratch: string;
  log: (line: string) => void;
  /** How input files are kept read-only (see job-isolation.ts); default `file-mode`. */
  readOnlyInputs?: 'bind-mount' | 'file-mode';
}

export class JobContext {
  readonly app: App;
  readonly job: Job;
  readonly actor: Actor;
  readonly component: ComponentLogger;
  readonly scratch: string;
  readonly metrics: Record<string, number> = {};
  readonly #inputs: ReadonlyMap<string, ResolvedReference>;
  readonly #log: (line: string) => void;
  readonly #readOnly: 'bind-mount' | 'file-mode';
  readonly #inputFiles = new Map<string, string>();
  readonly #mounts: string[] = [];
  readonly #succeeded: (() => Promise<void>)[] = [];

  constructor(init: JobContextInit) {
    this.app = init.app;
    this.job = init.job;
    this.actor = init.actor;
    this.component = init.component;
    this.scratch = init.scratch;
    this.#inputs = init.inputs;
    this.#log = init.log;
    this.#readOnly = init.readOnlyInputs ?? 'file-mode';
  }

  get projectId(): string {
    return this.job.projectId;
  }

  log(line: string): void {
    this.#log(line);
  }

  hasInput(role: string): boolean {
    return this.#inputs.has(role);
  }

  input(role: string): ResolvedReference {
    const r = this.#inputs.get(role);
    if (!r) throw new AppError('INVALID_INPUT', { message: `This ${this.job.type} job needs an input "${role}" (--input ${role}=REF)` });
    return r;
  }

  /** The rows of a dataset-version input (or a CSV/Parquet artifact input). */
  async frame(role: string): Promise<ColumnFrame> {
    const r = this.input(role);
    if (r.datasetVersion) return this.app.datasets.readFrame(this.actor, this.projectId, r.datasetVersion);
    const { bytes } = await this.app.artifacts.getBytes(this.actor, r.artifactId, this.projectId);
    return parseCsvFrame(bytes);
  }

  async bytes(role: string): Promise<Buffer> {
    return (await this.app.artifacts.getBytes(this.actor, this.input(role).artifactId, this.projectId)).bytes;
  }

  /**
   * The input as a read-only file in the job's directory (decrypted; for scripts and tools that
   * want a path): mode 0400 in a directory of mode 0500, and bind-mounted read-only over itself
   * when the process has its own mount namespace, so writing it fails even as root. Removed with
   * the job directory when the attempt ends.
   */
  async inputPath(role: string): Promise<string> {
    const known = this.#inputFiles.get(role);
    if (known) return known;
    const r = this.input(role);
    const dir = join(this.scratch, 'inputs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ext = r.datasetVersion ? '.csv' : extname(r.artifact.name ?? '') || '.bin';
    const path = join(dir, `${role}${ext}`);
    const bytes = r.datasetVersion ? Buffer.from(writeCsv(await this.frame(role))) : await this.bytes(role);
    writeFileSync(path, bytes, { mode: 0o400 });
    chmodSync(dir, 0o500);
    if (this.#readOnly === 'bind-mount') {
      execFileSync('mount', ['--bind', '-o', 'ro', path, path], { stdio: 'ignore' });
      this.#mounts.push(path);
    }
    this.#inputFiles.set(role, path);
    return path;
  }

  /**
   * Work to do once the job has succeeded (its completion committed), such as attaching its
   * outputs as evidence, which only a succeeded job's outputs may be. Run in order by the
   * executor; a failure is logged and leaves the job succeeded.
   */
  onSucceeded(fn: () => Promise<void>): void {
    this.#succeeded.push(fn);
  }

  async runSucceeded(): Promise<void> {
    for (const fn of this.#succeeded.splice(0)) {
      try {
        await fn();
      } catch (error) {
        this.log(`after success: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Unmounts the read-only input files, so the job directory can be removed. */
  releaseInputs(): void {
    for (const path of this.#mounts.splice(0)) spawnSync('umount', [path], { stdio: 'ignore' });
    if (this.#inputFiles.size > 0) chmodSync(join(this.scratch, 'inputs'), 0o700);
  }

  async model(role = 'model'): Promise<JobModel> {
    return parseJobModel(await this.bytes(role));
  }

  /** A name for outputs derived from an input: its dataset or artifact name, else the role. */
  inputName(role: string): string {
    const r = this.input(role);
    return r.datasetVersion?.name ?? r.artifact.name?.replace(/[^A-Za-z0-9._-]/g, '-') ?? role;
  }

  metric(name: string, value: number, step?: number): void {
    if (!Number.isFinite(value)) return;
    if (step === undefined) this.metrics[name] = value;
    this.component.logMetric(name, value, step);
  }

  async #committed(role: string): Promise<JobOutput | undefined> {
    const row = await this.app.db.kysely.selectFrom('job_outputs').selectAll().where('job_id', '=', this.job.jobId).where('role', '=', role).executeTakeFirst();
    if (!row) return undefined;
    return { role, artifactId: row.artifact_id, datasetVersionId: row.dataset_version_id, name: row.name, version: row.version === null ? null : Number(row.version) };
  }

  async #record(tx: Tx, output: JobOutput): Promise<void> {
    await tx
      .insertInto('job_outputs')
      .values({ job_id: this.job.jobId, role: output.role, artifact_id: output.artifactId, dataset_version_id: output.datasetVersionId, name: output.name, version: output.version, created_at: new Date().toISOString() })
      .execute();
  }

  /** Stores `frame` as the next version of dataset `name` (once per role, whatever the retries). */
  async outputDataset(role: string, name: string, frame: ColumnFrame): Promise<JobOutput> {
    const existing = await this.#committed(role);
    if (existing) {
      this.log(`output ${role}: reusing ${existing.name}@${existing.version} committed by an earlier attempt`);
      await this.component.logOutput(role, existing.artifactId);
      return existing;
    }
    const path = join(this.scratch, `${role}.csv`);
    writeFileSync(path, writeCsv(frame));
    let output: JobOutput | undefined;
    const version: DatasetVersion = await this.app.datasets.importFile(this.actor, path, {
      projectId: this.projectId,
      name,
      source: { job: this.job.jobId, component: this.component.componentId, role },
      onCommit: async (tx, v) => {
        output = { role, artifactId: v.artifactId, datasetVersionId: v.datasetVersionId, name: v.name, version: v.version };
        await this.#record(tx, output);
      },
    });
    await this.component.logOutput(role, version.artifactId);
    this.log(`output ${role}: dataset ${version.name}@${version.version} (${version.rowCount} rows, ${version.datasetVersionId})`);
    return output!;
  }

  /** Stores `bytes` encrypted as the next version of artifact `name` (once per role). */
  async outputArtifact(role: string, name: string, bytes: Uint8Array, mediaType: string): Promise<JobOutput> {
    const existing = await this.#committed(role);
    if (existing) {
      this.log(`output ${role}: reusing ${existing.name}@${existing.version} committed by an earlier attempt`);
      await this.component.logOutput(role, existing.artifactId);
      return existing;
    }
    let output: JobOutput | undefined;
    const stored = await this.app.artifacts.putBytes(this.actor, bytes, {
      projectId: this.projectId,
      name,
      mediaType,
      auditDetails: { job: this.job.jobId, role },
      onCommit: async (tx, meta) => {
        output = { role, artifactId: meta.artifactId, datasetVersionId: null, name: meta.name ?? null, version: meta.version ?? null };
        await this.#record(tx, output);
      },
    });
    await this.component.logOutput(role, stored.artifactId);
    this.log(`output ${role}: ${stored.name}@${stored.version} (${stored.artifactId})`);
    return output!;
  }

  /**
   * Records an output that a service stored itself (a baseline's signed manifest). The service
   * cannot join the job's transaction, so a runner lost between the two writes leaves one extra
   * version; a retry still reports one output per role.
   */
  async adoptOutput(role: string, produce: () => Promise<{ artifactId: string; name?: string; version?: number }>): Promise<JobOutput> {
    const existing = await this.#committed(role);
    if (existing) {
      await this.component.logOutput(role, existing.artifactId);
      return existing;
    }
    const made = await produce();
    const output: JobOutput = { role, artifactId: made.artifactId, datasetVersionId: null, name: made.name ?? null, version: made.version ?? null };
    await this.#record(this.app.db.kysely, output);
    await this.component.logOutput(role, made.artifactId);
    return output;
  }
}

/**
 * @module datasets/dataset-service
 * The governed dataset registry (issue 5, item 1). Importing a file first scans it once with
 * bounded memory — SHA-256, RFC 4180 validation, type inference, profile — so malformed input is
 * refused before anything is stored; then the bytes are stored as an encrypted artifact and the
 * immutable dataset version (schema, profile, hash) is recorded with its audit entry in one
 * transaction. A version is never modified; importing changed data makes a new version.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ArtifactService } from '../artifacts/index.js';
import type { ColumnFrame, DataSchema, DatasetFormat, DatasetProfile } from '../data/index.js';
import { detectFormat, parseCsvFrame, readParquet, scanDataset } from '../data/index.js';
import { AppError, newId } from '../kernel/index.js';
import type { Db, DatasetVersionsTable, Tx } from '../platform/db/index.js';
import type { Actor, AuditLedger } from '../security/audit/index.js';
import { governed, projectResourceName } from '../security/audit/index.js';

export interface DatasetVersion {
  datasetId: string;
  datasetVersionId: string;
  projectId: string;
  name: string;
  version: number;
  artifactId: string;
  sha256: string;
  format: DatasetFormat;
  rowCount: number;
  byteCount: number;
  schema: DataSchema;
  /** The profile's encrypted artifact; read it with {@link DatasetService.profile}. */
  profileArtifactId: string;
  source: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/** The first `n` bytes of a file (format sniffing without reading the whole file). */
async function readHead(path: string, n: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface DatasetServiceDeps {
  db: Db;
  ledger: AuditLedger;
  artifacts: ArtifactService;
  now?: () => Date;
}

export interface ImportOptions {
  projectId: string;
  name: string;
  description?: string;
  /** Provenance recorded with the version (e.g. the component that produced it). */
  source?: Record<string, unknown>;
  /** Called with the rows read so far while a CSV file is scanned (progress displays). */
  onRowsRead?: (rowsRead: number) => void;
  /** Runs inside the transaction that records the version (see PutOptions.onCommit). */
  onCommit?: (tx: Tx, version: DatasetVersion) => Promise<void>;
}

function toVersion(row: DatasetVersionsTable, ds: { project_id: string; name: string }): DatasetVersion {
  return {
    datasetId: row.dataset_id,
    datasetVersionId: row.id,
    projectId: ds.project_id,
    name: ds.name,
    version: row.version,
    artifactId: row.artifact_id,
    sha256: row.sha256,
    format: row.format as DatasetFormat,
    rowCount: Number(row.row_count),
    byteCount: Number(row.byte_count),
    schema: JSON.parse(row.schema) as DataSchema,
    profileArtifactId: row.profile_artifact_id,
    source: JSON.parse(row.source) as Record<string, unknown>,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export class DatasetService {
  readonly #db: Db;
  readonly #ledger: AuditLedger;
  readonly #artifacts: ArtifactService;
  readonly #now: () => Date;

  constructor(deps: DatasetServiceDeps) {
    this.#db = deps.db;
    this.#ledger = deps.ledger;
    this.#artifacts = deps.artifacts;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Imports a CSV or Parquet file as the next version of dataset `name`. */
  async importFile(actor: Actor, path: string, options: ImportOptions): Promise<DatasetVersion> {
    if (!NAME_PATTERN.test(options.name)) throw new AppError('INVALID_INPUT', { message: `Invalid dataset name "${options.name}": letters, digits, . _ - (up to 128)` });
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new AppError('INVALID_INPUT', { message: `No such file: ${path}` });
    const head = await readHead(path, 4);
    const format = detectFormat(path, head);
    const scan =
      format === 'csv'
        ? await scanDataset('csv', createReadStream(path, { highWaterMark: 1 << 20 }), options.onRowsRead ? { onRows: options.onRowsRead } : {})
        : await scanDataset('parquet', new Uint8Array(await readFile(path)));
    const mediaType = format === 'csv' ? 'text/csv' : 'application/vnd.apache.parquet';
    const artifact = await this.#artifacts.putFile(actor, path, { projectId: options.projectId, mediaType, auditDetails: { dataset: options.name } });
    if (artifact.sha256 !== scan.sha256) {
      throw new AppError('ARTIFACT_INTEGRITY', { message: `${path} changed while it was being imported; import it again` });
    }
    const profileArtifact = await this.#artifacts.putBytes(actor, Buffer.from(JSON.stringify(scan.profile)), {
      projectId: options.projectId,
      mediaType: 'application/vnd.attest.dataset-profile+json',
      auditDetails: { dataset: options.name, of: artifact.artifactId },
    });
    const source = options.source ?? { file: basename(path) };
    // Named by the dataset's name: known before the first version exists and unique in its project.
    const resource = await projectResourceName(this.#db, options.projectId, 'dataset', options.name);
    return governed({ db: this.#db, ledger: this.#ledger }, actor, 'dataset:CreateVersion', resource, async (tx) => {
      let ds = await tx.selectFrom('datasets').selectAll().where('project_id', '=', options.projectId).where('name', '=', options.name).executeTakeFirst();
      const now = this.#now().toISOString();
      if (!ds) {
        ds = { id: newId('ds'), project_id: options.projectId, name: options.name, description: options.description ?? '', created_at: now, created_by: actor.principal };
        await tx.insertInto('datasets').values(ds).execute();
      }
      const last = await tx.selectFrom('dataset_versions').select('version').where('dataset_id', '=', ds.id).orderBy('version', 'desc').limit(1).executeTakeFirst();
      const row: DatasetVersionsTable = {
        id: newId('dsv'),
        dataset_id: ds.id,
        version: (last?.version ?? 0) + 1,
        artifact_id: artifact.artifactId,
        sha256: scan.sha256,
        format,
        row_count: scan.rowCount,
        byte_count: scan.byteCount,
        schema: JSON.stringify(scan.schema),
        profile_artifact_id: profileArtifact.artifactId,
        source: JSON.stringify(source),
        created_at: now,
        created_by: actor.principal,
      };
      await tx.insertInto('dataset_versions').values(row).execute();
      const version = toVersion(row, ds);
      if (options.onCommit) await options.onCommit(tx, version);
      return {
        result: version,
        details: { name: ds.name, datasetId: ds.id, version: row.version, datasetVersionId: row.id, artifactId: artifact.artifactId, sha256: scan.sha256, rows: scan.rowCount },
      };
    });
  }

  /** Resolves `name` (latest version) or `name@version`, or a dataset version id. */
  async describe(projectId: string, ref: string): Promise<DatasetVersion> {
    let q = this.#db.kysely
      .selectFrom('dataset_versions')
      .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .selectAll('dataset_versions')
      .select(['datasets.project_id as ds_project', 'datasets.name as ds_name'])
      .where('datasets.project_id', '=', projectId);
    if (ref.startsWith('dsv_')) q = q.where('dataset_versions.id', '=', ref);
    else {
      const at = ref.lastIndexOf('@');
      const name = at > 0 ? ref.slice(0, at) : ref;
      q = q.where('datasets.name', '=', name);
      if (at > 0) {
        const v = Number(ref.slice(at + 1));
        if (!Number.isInteger(v) || v < 1) throw new AppError('INVALID_INPUT', { message: `Invalid version in ${ref}` });
        q = q.where('dataset_versions.version', '=', v);
      }
    }
    const row = await q.orderBy('dataset_versions.version', 'desc').limit(1).executeTakeFirst();
    if (!row) throw new AppError('DATASET_NOT_FOUND', { message: `No dataset ${ref}`, details: { ref } });
    return toVersion(row, { project_id: row.ds_project, name: row.ds_name });
  }

  /** The profile of a dataset version (decrypted; the read is audited). */
  async profile(actor: Actor, projectId: string, ref: string): Promise<DatasetProfile> {
    const version = await this.describe(projectId, ref);
    const { bytes } = await this.#artifacts.getBytes(actor, version.profileArtifactId, projectId);
    return JSON.parse(bytes.toString('utf8')) as DatasetProfile;
  }

  /** Reads a dataset version's rows into a column frame (decrypted; the read is audited). */
  async readFrame(actor: Actor, projectId: string, version: DatasetVersion): Promise<ColumnFrame> {
    const { bytes } = await this.#artifacts.getBytes(actor, version.artifactId, projectId);
    return version.format === 'parquet' ? readParquet(new Uint8Array(bytes)) : parseCsvFrame(bytes);
  }

  async list(projectId: string): Promise<DatasetVersion[]> {
    const rows = await this.#db.kysely
      .selectFrom('dataset_versions')
      .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
      .selectAll('dataset_versions')
      .select(['datasets.project_id as ds_project', 'datasets.name as ds_name'])
      .where('datasets.project_id', '=', projectId)
      .orderBy('datasets.name', 'asc')
      .orderBy('dataset_versions.version', 'asc')
      .execute();
    return rows.map((r) => toVersion(r, { project_id: r.ds_project, name: r.ds_name }));
  }
}

/**
 * @module baselines/baseline-service
 * Governed monitoring baselines (issue 7, item 3): a baseline is suggested from a dataset version,
 * stored as a versioned pair of encrypted artifacts in Model Monitor's formats (statistics.json,
 * constraints.json) plus a manifest naming both by SHA-256, the source dataset and the model it is
 * attached to — and the manifest is signed with the installation's Ed25519 signing key, so a
 * baseline that was edited after the fact fails verification. Thresholds are overridden per
 * feature by creating a new version (no code). Lineage: dataset version → ContributedTo →
 * baseline; baseline → AssociatedWith → model.
 */
import { createPublicKey, verify as edVerify } from 'node:crypto';
import type { ArtifactService } from '../artifacts/index.js';
import type { ColumnFrame } from '../data/index.js';
import type { DatasetService } from '../datasets/index.js';
import { AppError, canonicalJson } from '../kernel/index.js';
import type { LineageService } from '../lineage/index.js';
import type { Baseline, MonitoringConfigOverrides } from '../monitoring/index.js';
import type { Db } from '../platform/db/index.js';
import type { Actor } from '../security/audit/index.js';
import type { KeyProvider, KeyService } from '../security/keys/index.js';

/** The monitoring statistics, loaded on first use: opening an installation does not need them. */
const monitoring = () => import('../monitoring/index.js');

export interface BaselineManifest {
  format: 'attest-baseline/1';
  name: string;
  version: number;
  projectId: string;
  statistics: { artifactId: string; sha256: string };
  constraints: { artifactId: string; sha256: string };
  dataset: { datasetVersionId: string; artifactId: string; sha256: string } | null;
  model: { artifactId: string } | null;
  overrides: Record<string, MonitoringConfigOverrides>;
  createdAt: string;
  createdBy: string;
  signature?: { keyId: string; keyVersion: number; algorithm: 'Ed25519'; value: string };
}

export interface StoredBaseline extends Baseline {
  manifest: BaselineManifest;
  manifestArtifactId: string;
}

export interface BaselineServiceDeps {
  db: Db;
  artifacts: ArtifactService;
  datasets: DatasetService;
  lineage: LineageService;
  keys: KeyService;
  provider: KeyProvider;
}

function manifestPayload(m: BaselineManifest): Buffer {
  const { signature: _signature, ...unsigned } = m;
  return Buffer.from(canonicalJson(unsigned));
}

export class BaselineService {
  readonly #deps: BaselineServiceDeps;

  constructor(deps: BaselineServiceDeps) {
    this.#deps = deps;
  }

  /** Reads a dataset version's rows (decrypted; the read is audited). */
  async #frame(actor: Actor, projectId: string, datasetRef: string): Promise<{ frame: ColumnFrame; version: Awaited<ReturnType<DatasetService['describe']>> }> {
    const version = await this.#deps.datasets.describe(projectId, datasetRef);
    return { frame: await this.#deps.datasets.readFrame(actor, projectId, version), version };
  }

  /** Suggests a baseline from a dataset version, stores it signed, records lineage. */
  async create(
    actor: Actor,
    projectId: string,
    input: { name: string; dataset: string; model?: string; exclude?: readonly string[]; overrides?: Record<string, MonitoringConfigOverrides> },
  ): Promise<StoredBaseline> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(input.name)) throw new AppError('INVALID_INPUT', { message: `Invalid baseline name "${input.name}"` });
    const { frame, version } = await this.#frame(actor, projectId, input.dataset);
    const excluded = new Set(input.exclude ?? []);
    const features: ColumnFrame = { rowCount: frame.rowCount, columns: frame.columns.filter((c) => !excluded.has(c.name)) };
    const { suggestBaseline, withOverrides } = await monitoring();
    const suggested = suggestBaseline(features);
    const constraints = input.overrides ? withOverrides(suggested.constraints, input.overrides) : suggested.constraints;
    const model = input.model ? await this.#deps.artifacts.resolve(input.model, projectId) : undefined;
    return this.#store(actor, projectId, input.name, { statistics: suggested.statistics, constraints }, {
      dataset: { datasetVersionId: version.datasetVersionId, artifactId: version.artifactId, sha256: version.sha256 },
      model: model ? { artifactId: model.artifactId } : null,
      overrides: input.overrides ?? {},
    });
  }

  /** A new version of a baseline with per-feature threshold overrides (statistics unchanged). */
  async override(actor: Actor, projectId: string, ref: string, overrides: Record<string, MonitoringConfigOverrides>): Promise<StoredBaseline> {
    const current = await this.get(actor, projectId, ref);
    const merged = { ...current.manifest.overrides, ...overrides };
    const { withOverrides } = await monitoring();
    return this.#store(actor, projectId, current.manifest.name, { statistics: current.statistics, constraints: withOverrides(current.constraints, overrides) }, {
      dataset: current.manifest.dataset,
      model: current.manifest.model,
      overrides: merged,
    });
  }

  async #store(
    actor: Actor,
    projectId: string,
    name: string,
    baseline: Baseline,
    rest: Pick<BaselineManifest, 'dataset' | 'model' | 'overrides'>,
  ): Promise<StoredBaseline> {
    const { artifacts } = this.#deps;
    const put = (file: string, value: unknown) =>
      artifacts.putBytes(actor, Buffer.from(`${JSON.stringify(value, null, 2)}\n`), { projectId, name: `baselines/${name}/${file}`, mediaType: 'application/json' });
    const stats = await put('statistics.json', baseline.statistics);
    const cons = await put('constraints.json', baseline.constraints);
    const unsigned: BaselineManifest = {
      format: 'attest-baseline/1',
      name,
      version: stats.version ?? 1,
      projectId,
      statistics: { artifactId: stats.artifactId, sha256: stats.sha256 },
      constraints: { artifactId: cons.artifactId, sha256: cons.sha256 },
      ...rest,
      createdAt: new Date().toISOString(),
      createdBy: actor.principal,
    };
    const signed = await this.#deps.keys.sign(manifestPayload(unsigned));
    const manifest: BaselineManifest = { ...unsigned, signature: { keyId: signed.keyId, keyVersion: signed.keyVersion, algorithm: 'Ed25519', value: signed.signature.toString('base64') } };
    const stored = await put('manifest.json', manifest);
    const lineage = this.#deps.lineage;
    if (rest.dataset) await lineage.associate(actor, { sourceId: rest.dataset.artifactId, destId: stored.artifactId, type: 'ContributedTo', projectId });
    await lineage.associate(actor, { sourceId: stats.artifactId, destId: stored.artifactId, type: 'ContributedTo', projectId });
    await lineage.associate(actor, { sourceId: cons.artifactId, destId: stored.artifactId, type: 'ContributedTo', projectId });
    if (rest.model) await lineage.associate(actor, { sourceId: stored.artifactId, destId: rest.model.artifactId, type: 'AssociatedWith', projectId });
    return { ...baseline, manifest, manifestArtifactId: stored.artifactId };
  }

  /**
   * Loads a baseline (`name` for the newest version, `name@version`) and verifies it: the manifest's
   * signature against a key the key provider vouches for, and both documents against the hashes it names.
   */
  async get(actor: Actor, projectId: string, ref: string): Promise<StoredBaseline> {
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : ref;
    const version = at > 0 ? `@${ref.slice(at + 1)}` : '';
    const { artifacts } = this.#deps;
    let manifestBytes: Buffer;
    let manifestArtifactId: string;
    try {
      const m = await artifacts.getBytes(actor, `baselines/${name}/manifest.json${version}`, projectId);
      manifestBytes = m.bytes;
      manifestArtifactId = m.meta.artifactId;
    } catch (error) {
      if (error instanceof AppError && error.code === 'ARTIFACT_NOT_FOUND') throw new AppError('NOT_FOUND', { message: `No baseline ${ref}` });
      throw error;
    }
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as BaselineManifest;
    const sig = manifest.signature;
    const publicKey = sig ? await this.#deps.provider.trustedPublicKey(sig.keyId, sig.keyVersion) : undefined;
    const valid =
      sig !== undefined &&
      publicKey !== undefined &&
      edVerify(null, manifestPayload(manifest), createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' }), Buffer.from(sig.value, 'base64'));
    if (!valid) throw new AppError('ARTIFACT_INTEGRITY', { message: `Baseline ${ref} has no valid signature from a trusted key` });
    const stats = await artifacts.getBytes(actor, manifest.statistics.artifactId, projectId);
    const cons = await artifacts.getBytes(actor, manifest.constraints.artifactId, projectId);
    if (stats.meta.sha256 !== manifest.statistics.sha256 || cons.meta.sha256 !== manifest.constraints.sha256) {
      throw new AppError('ARTIFACT_INTEGRITY', { message: `Baseline ${ref}: its documents do not match the signed manifest` });
    }
    const { parseConstraints, parseStatistics } = await monitoring();
    return {
      statistics: parseStatistics(JSON.parse(stats.bytes.toString('utf8'))),
      constraints: parseConstraints(JSON.parse(cons.bytes.toString('utf8'))),
      manifest,
      manifestArtifactId,
    };
  }

  /**
   * The rows a baseline was computed from (its reference dataset version, read and audited), the
   * comparison basis of exact drift (`monitor check --exact-drift`).
   */
  async reference(actor: Actor, projectId: string, baseline: StoredBaseline): Promise<ColumnFrame> {
    const dataset = baseline.manifest.dataset;
    if (dataset === null) throw new AppError('INVALID_INPUT', { message: `Baseline ${baseline.manifest.name}@${baseline.manifest.version} names no reference dataset; exact drift needs one` });
    const { frame, version } = await this.#frame(actor, projectId, dataset.datasetVersionId);
    if (version.sha256 !== dataset.sha256) throw new AppError('ARTIFACT_INTEGRITY', { message: `The reference dataset of baseline ${baseline.manifest.name} does not match the signed manifest` });
    return frame;
  }

  /** A dataset version as a monitoring window, for checks against a stored baseline. */
  async window(actor: Actor, projectId: string, datasetRef: string): Promise<ColumnFrame> {
    return (await this.#frame(actor, projectId, datasetRef)).frame;
  }
}

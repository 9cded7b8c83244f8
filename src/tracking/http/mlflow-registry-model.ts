/**
 * @module tracking/http/mlflow-registry-model
 * The shapes of MLflow's Model Registry REST API (model_registry.proto, API 2.0) — requests as zod
 * schemas, responses built from the registry's views — and its search filters and paging. A
 * version's Attest approval status, id and hash are shown as read-only `attest.*` tags, and its
 * MLflow `status` is READY once stored (registration is synchronous here).
 */
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import { checkLikePattern } from '../../platform/db/index.js';
import type { MlflowModelView, MlflowVersionView } from '../../registry/index.js';
import { MlflowRegistry } from '../../registry/index.js';
import { likeRegExp } from './mlflow-experiment-routes.js';

const Tag = z.object({ key: z.string().min(1).max(250), value: z.string().max(5000) });
const Name = z.string().min(1).max(256);
/** Versions travel as strings in proto JSON; some clients send numbers. */
const Version = z.union([z.string().min(1).max(20), z.number().int()]).transform((v) => String(v));
const Int = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .transform((v) => Number(v))
  .refine((n) => Number.isSafeInteger(n), 'must be an integer within ±2^53');
/** A repeated query parameter arrives as a string once and as an array more than once. */
const Repeated = z.union([z.array(z.string().max(100)), z.string().max(100)]).transform((v) => (Array.isArray(v) ? v : [v]));
const Bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).transform((v) => v === true || v === 'true' || v === 'True');

export const RegistrySchemas = {
  createModel: z.object({ name: Name, tags: z.array(Tag).max(100).optional(), description: z.string().max(5000).optional() }),
  name: z.object({ name: Name }),
  rename: z.object({ name: Name, new_name: Name }),
  updateModel: z.object({ name: Name, description: z.string().max(5000).optional() }),
  search: z.object({ filter: z.string().max(5000).optional(), max_results: Int.optional(), order_by: Repeated.optional(), page_token: z.string().max(100).optional() }),
  latest: z.object({ name: Name, stages: Repeated.optional() }),
  modelTag: z.object({ name: Name, key: z.string().min(1).max(250), value: z.string().max(5000) }),
  modelTagKey: z.object({ name: Name, key: z.string().min(1).max(250) }),
  alias: z.object({ name: Name, alias: z.string().min(1).max(256), version: Version }),
  aliasName: z.object({ name: Name, alias: z.string().min(1).max(256) }),
  createVersion: z.object({
    name: Name,
    source: z.string().min(1).max(2000),
    run_id: z.string().max(100).optional(),
    tags: z.array(Tag).max(100).optional(),
    run_link: z.string().max(2000).optional(),
    description: z.string().max(5000).optional(),
  }),
  version: z.object({ name: Name, version: Version }),
  updateVersion: z.object({ name: Name, version: Version, description: z.string().max(5000).optional() }),
  transition: z.object({ name: Name, version: Version, stage: z.string().min(1).max(50), archive_existing_versions: Bool.optional() }),
  versionTag: z.object({ name: Name, version: Version, key: z.string().min(1).max(250), value: z.string().max(5000) }),
  versionTagKey: z.object({ name: Name, version: Version, key: z.string().min(1).max(250) }),
};

const KeyValue = z.object({ key: z.string(), value: z.string() });

export const MlflowModelVersion = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string(),
  current_stage: z.enum(['None', 'Staging', 'Production', 'Archived']),
  description: z.string(),
  source: z.string(),
  run_id: z.string(),
  status: z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']),
  status_message: z.string(),
  tags: z.array(KeyValue),
  run_link: z.string().optional(),
  aliases: z.array(z.string()),
});

export const MlflowRegisteredModel = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string(),
  description: z.string(),
  latest_versions: z.array(MlflowModelVersion),
  tags: z.array(KeyValue),
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })),
});

/** An Attest-registered version's files are an Attest artifact, not an MLflow run's tree. */
export const attestArtifactUri = (artifactId: string) => `attest-artifacts:/${artifactId}`;

export function toMlflowModelVersion(v: MlflowVersionView): z.infer<typeof MlflowModelVersion> {
  const tags = [
    ...Object.entries(v.tags).map(([key, value]) => ({ key, value })),
    { key: 'attest.approval_status', value: v.row.status },
    { key: 'attest.version_id', value: v.row.id },
    { key: 'attest.sha256', value: v.row.sha256 },
  ];
  return {
    name: v.group.name,
    version: String(v.row.version),
    creation_timestamp: Date.parse(v.row.created_at),
    last_updated_timestamp: Date.parse(v.row.updated_at),
    user_id: v.row.created_by,
    current_stage: v.stage,
    description: v.row.description,
    source: v.source?.source ?? v.row.artifact_id,
    run_id: v.source?.runId ?? v.row.source_component_id ?? '',
    status: 'READY',
    status_message: `Attest approval status: ${v.row.status}`,
    tags,
    ...(v.source?.runLink ? { run_link: v.source.runLink } : {}),
    aliases: [...v.aliases],
  };
}

export function toRegisteredModel(m: MlflowModelView): z.infer<typeof MlflowRegisteredModel> {
  return {
    name: m.group.name,
    creation_timestamp: Date.parse(m.group.created_at),
    last_updated_timestamp: Date.parse(m.lastUpdatedAt),
    user_id: m.group.created_by,
    description: m.group.description,
    latest_versions: MlflowRegistry.latest(m.versions).map(toMlflowModelVersion),
    tags: Object.entries(m.tags).map(([key, value]) => ({ key, value })),
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
}

// ——— search filters ———

export interface RegistryClause {
  /** `name`, `run_id`, `source_path`, `version_number`, or `tags.<key>`. */
  field: string;
  op: '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN';
  value: string | string[];
}

/** Splits on AND outside quotes (MLflow's registry filters are conjunctions of single comparisons). */
function splitAnd(filter: string): string[] {
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (/\s/.test(ch) && /^\s+and\s+/i.test(filter.slice(i))) {
      const m = /^\s+and\s+/i.exec(filter.slice(i))!;
      parts.push(filter.slice(start, i));
      i += m[0].length - 1;
      start = i + 1;
    }
  }
  parts.push(filter.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const unquote = (s: string): string | undefined => {
  const m = /^'((?:[^']|'')*)'$|^"((?:[^"]|"")*)"$/.exec(s.trim());
  return m ? (m[1] ?? m[2] ?? '') : undefined;
};

/** Parses `name LIKE 'credit%' AND tags.team = 'risk'`, allowing the fields given. */
export function parseRegistryFilter(filter: string | undefined, fields: readonly string[]): RegistryClause[] {
  if (!filter || filter.trim() === '') return [];
  return splitAnd(filter).map((clause) => {
    const m = /^(tags?\.(?:`[^`]+`|"[^"]+"|[\w.:/-]+)|[a-z_]+)\s*(!=|<>|=|\bnot\s+in\b|\bin\b|\bilike\b|\blike\b)\s*([\s\S]+)$/i.exec(clause);
    if (!m) throw new AppError('INVALID_INPUT', { message: `Invalid filter clause "${clause.slice(0, 200)}": use FIELD = 'value', FIELD LIKE 'pattern%' or FIELD IN ('a', 'b')` });
    const rawField = m[1]!;
    const field = /^tags?\./i.test(rawField) ? `tags.${rawField.slice(rawField.indexOf('.') + 1).replace(/^[`"]|[`"]$/g, '')}` : rawField.toLowerCase();
    if (!field.startsWith('tags.') && !fields.includes(field)) throw new AppError('INVALID_INPUT', { message: `Invalid filter field ${rawField}; use ${fields.join(', ')} or tags.<key>` });
    const opText = m[2]!.toUpperCase().replace(/\s+/g, ' ');
    if (opText === 'NOT IN') throw new AppError('INVALID_INPUT', { message: 'NOT IN is not supported in registry filters' });
    const op = (opText === '<>' ? '!=' : opText) as RegistryClause['op'];
    const rawValue = m[3]!.trim();
    if (op === 'IN') {
      const list = /^\(([\s\S]*)\)$/.exec(rawValue);
      const items = list ? list[1]!.split(',').map((x) => unquote(x)) : [];
      if (!list || items.length === 0 || items.some((x) => x === undefined)) throw new AppError('INVALID_INPUT', { message: `IN needs a list of quoted strings: ${field} IN ('a', 'b')` });
      return { field, op, value: items as string[] };
    }
    const value = field === 'version_number' && /^\d+$/.test(rawValue) ? rawValue : unquote(rawValue);
    if (value === undefined) throw new AppError('INVALID_INPUT', { message: `Invalid value ${rawValue.slice(0, 100)} for ${field}: put strings in single quotes` });
    if (op === 'LIKE' || op === 'ILIKE') checkLikePattern(value);
    return { field, op, value };
  });
}

export function matchClause(actual: string | undefined, clause: RegistryClause): boolean {
  if (actual === undefined) return false;
  const v = clause.value;
  switch (clause.op) {
    case '=':
      return actual === v;
    case '!=':
      return actual !== v;
    case 'LIKE':
      return likeRegExp(String(v), false).test(actual);
    case 'ILIKE':
      return likeRegExp(String(v), true).test(actual);
    case 'IN':
      return (v as string[]).includes(actual);
  }
}

// ——— paging ———

export function pageOffset(token: string | undefined, max: number): number {
  if (!token) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > max) throw new AppError('INVALID_INPUT', { message: 'Invalid page_token; pass the next_page_token of the previous page unchanged' });
  return offset;
}

export const pageToken = (offset: number): string => Buffer.from(String(offset)).toString('base64url');

/** `order_by` entries: `name`, `name DESC`, `last_updated_timestamp ASC`… */
export function orderOf(orderBy: readonly string[] | undefined, keys: readonly string[]): { key: string; desc: boolean }[] {
  return (orderBy ?? []).map((o) => {
    const m = /^\s*([a-z_]+)(?:\s+(ASC|DESC))?\s*$/i.exec(o);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !keys.includes(key)) throw new AppError('INVALID_INPUT', { message: `Invalid order_by ${o.slice(0, 100)}; use ${keys.join(', ')} with an optional ASC or DESC` });
    return { key, desc: m[2]?.toUpperCase() === 'DESC' };
  });
}

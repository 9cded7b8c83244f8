/**
 * @module security/policy/resource-name
 * Attest resource names (the ARN analogue) and their grammar.
 *
 * ```text
 * resource-name = "attest:" project ":" type "/" id
 * project       = ""                                 ; installation-wide (users, keys, audit, …)
 *               / [a-z0-9] *61([a-z0-9-]) [a-z0-9]?  ; 1–63 chars, lower case, digits, hyphens
 * type          = [a-z] *31([a-z0-9-])               ; dataset, model, token, audit, …
 * id            = segment *("/" segment) ["/*"] / "*"
 * segment       = 1*( ALPHA / DIGIT / "." / "_" / "-" / "@" / "+" / "=" / "," )
 * ```
 * Examples: `attest:credit-risk:dataset/ds_abc`, `attest::user/usr_x`, `attest::token/usr_x/k3f9a2bc`,
 * `attest::audit/ledger`. A request for a list action names the collection: `attest:credit-risk:dataset/*`.
 *
 * Patterns in policies use the same shape plus `*` (any run of characters) and `?` (one character);
 * in the `attest` and project segments a wildcard never crosses a `:`, so `attest:*:dataset/*` means
 * "datasets of every project" and cannot reach installation-wide resources by accident, while in the
 * type/id part `*` spans `/`. A lone `*` matches every resource. `${key}` inserts a request-context
 * value literally (see compile-pattern.ts).
 */
import { AppError } from '../../kernel/index.js';

/** The parts of a resource name. `project` is `''` for installation-wide resources. */
export interface ResourceName {
  readonly project: string;
  readonly type: string;
  readonly id: string;
}

const PROJECT_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$/;
const TYPE_RE = /^[a-z][a-z0-9-]{0,31}$/;
const ID_RE = /^(?:\*|[A-Za-z0-9._\-@+=,]+(?:\/[A-Za-z0-9._\-@+=,]+)*(?:\/\*)?)$/;
const NAME_RE = /^attest:([^:]*):([^/:]+)\/(.+)$/;

/** True if `project` is a valid project name (non-empty). */
export function isProjectName(project: string): boolean {
  return project.length > 0 && PROJECT_RE.test(project);
}

/** Parses a resource name; returns `undefined` if it does not follow the grammar. */
export function tryParseResourceName(name: string): ResourceName | undefined {
  const m = NAME_RE.exec(name);
  if (!m) return undefined;
  const [, project = '', type = '', id = ''] = m;
  if (!PROJECT_RE.test(project) || !TYPE_RE.test(type) || !ID_RE.test(id)) return undefined;
  return { project, type, id };
}

/** Parses a resource name or throws INVALID_INPUT naming the grammar. */
export function parseResourceName(name: string): ResourceName {
  const parsed = tryParseResourceName(name);
  if (!parsed) {
    throw new AppError('INVALID_INPUT', {
      message: `Not a resource name: "${name}" (expected attest:<project>:<type>/<id>)`,
      details: { resource: name },
    });
  }
  return parsed;
}

/**
 * Formats a resource name, validating each part.
 * @example formatResourceName({ project: 'credit', type: 'model', id: 'mp_1' }) // 'attest:credit:model/mp_1'
 */
export function formatResourceName(parts: ResourceName): string {
  const name = `attest:${parts.project}:${parts.type}/${parts.id}`;
  parseResourceName(name);
  return name;
}

/** The project segment of a resource name without full validation (`''` if none or malformed). */
export function projectOf(name: string): string {
  if (!name.startsWith('attest:')) return '';
  const end = name.indexOf(':', 7);
  return end < 0 ? '' : name.slice(7, end);
}

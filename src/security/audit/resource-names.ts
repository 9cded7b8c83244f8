/**
 * @module security/audit/resource-names
 * The one name an audit entry gives an object: its policy resource name
 * (`attest:<project>:<type>/<id>`, grammar in security/policy/resource-name.ts). Routes authorise
 * on that name and denials are recorded under it, so the services that write the allowed and failed
 * entries use it too: an auditor filtering on one name finds every entry about the object.
 * Capabilities know a project by its id; the name is looked up once per process and kept (a
 * project's name never changes).
 */
import { AppError } from '../../kernel/index.js';
import type { Db } from '../../platform/db/index.js';

const projectNames = new WeakMap<Db, Map<string, string>>();

/** `attest:<project name>:<type>/<id>` for an object of the project with id `projectId`. */
export async function projectResourceName(db: Db, projectId: string, type: string, id: string): Promise<string> {
  let names = projectNames.get(db);
  if (!names) {
    names = new Map();
    projectNames.set(db, names);
  }
  let name = names.get(projectId);
  if (name === undefined) {
    const row = await db.kysely.selectFrom('projects').select('name').where('id', '=', projectId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No project ${projectId}` });
    name = row.name;
    names.set(projectId, name);
  }
  return `attest:${name}:${type}/${id}`;
}

/** `attest::<type>/<id>` for an installation-wide object (keys, users, policies, the ledger). */
export function installationResourceName(type: string, id: string): string {
  return `attest::${type}/${id}`;
}

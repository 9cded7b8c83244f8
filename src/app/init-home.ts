/**
 * @module app/init-home
 * `attest init`: creates an embedded installation — home directory (0700), configuration file,
 * local keyring (0600), SQLite database with migrations, the default project, the default
 * customer-managed key and the audit signing key. Refuses to touch an existing installation.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/index.js';
import { CONFIG_FILE_NAME, checkHomePath, loadConfig } from '../config/index.js';
import { AppError, newId } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import { governed } from '../security/audit/index.js';
import { AUDIT_SIGNING_KEY_ALIAS, DEFAULT_KEY_ALIAS, LocalKeyring, writeOwnerOnlyFile } from '../security/keys/index.js';
import type { App } from './app.js';
import { openApp } from './app.js';
import { DEFAULT_PROJECT } from './defaults.js';

export { DEFAULT_PROJECT };

/** The initial administrator's user name. */
export const INITIAL_ADMIN = 'admin';
/** Where `attest init` writes the initial administrator's generated password, once, readable only by its owner. */
export const INITIAL_ADMIN_FILE = 'initial-admin.txt';

export interface InitResult {
  home: string;
  config: ResolvedConfig;
  defaultKeyId: string;
  auditKeyId: string;
  defaultProjectId: string;
  /** The initial administrator's user name; the generated password is only in {@link INITIAL_ADMIN_FILE}. */
  adminUser: string;
  adminPasswordFile: string;
}

export async function initHome(home: string, actor: Actor, env: NodeJS.ProcessEnv = process.env): Promise<InitResult> {
  if (existsSync(join(home, CONFIG_FILE_NAME))) {
    throw new AppError('HOME_EXISTS', { message: `An Attest installation already exists in ${home}` });
  }
  checkHomePath(home);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('HOME_PATH_INVALID', { message: `The home ${home} cannot be created (${code ?? (error as Error).message})`, details: { home }, cause: error });
  }
  const config = loadConfig(home, env, false);
  if (existsSync(config.keyringPath)) {
    throw new AppError('HOME_EXISTS', { message: `A keyring already exists at ${config.keyringPath}; refusing to replace it` });
  }
  LocalKeyring.create({ path: config.keyringPath, ...(config.keyringPassphrase !== undefined ? { passphrase: config.keyringPassphrase } : {}) });
  const app = await openApp(config, { systemActor: actor });
  try {
    const result = await bootstrap(app, actor);
    const admin = await createInitialAdmin(app, actor, home);
    // The configuration file is written last: its presence marks a complete installation.
    writeOwnerOnlyFile(join(home, CONFIG_FILE_NAME), `${JSON.stringify({ version: 1 }, null, 2)}\n`, true);
    await app.checkpoint();
    return { home, config, ...result, ...admin };
  } finally {
    await app.close();
  }
}

/**
 * Creates the initial administrator with a generated password (never a default), written once to
 * an owner-only file in the home with exclusive create, so an existing file is never overwritten.
 */
async function createInitialAdmin(app: App, actor: Actor, home: string): Promise<{ adminUser: string; adminPasswordFile: string }> {
  const password = randomBytes(24).toString('base64url');
  const file = join(home, INITIAL_ADMIN_FILE);
  writeOwnerOnlyFile(file, `user: ${INITIAL_ADMIN}\npassword: ${password}\n# Log in with \`attest login --server URL --user ${INITIAL_ADMIN}\`, then change this password and delete this file.\n`, true);
  await app.identity.users.create(actor, { name: INITIAL_ADMIN, displayName: 'Initial administrator', password });
  await app.identity.access.assignRole(actor, { subjectType: 'user', subject: INITIAL_ADMIN, role: 'administrator' });
  return { adminUser: INITIAL_ADMIN, adminPasswordFile: file };
}

async function bootstrap(app: App, actor: Actor): Promise<Omit<InitResult, 'home' | 'config' | 'adminUser' | 'adminPasswordFile'>> {
  const existingDefault = await app.db.kysely.selectFrom('keys').select('id').where('alias', '=', DEFAULT_KEY_ALIAS).executeTakeFirst();
  if (existingDefault) {
    throw new AppError('HOME_EXISTS', { message: `The metadata store ${app.db.location} already holds an installation` });
  }
  const defaultKey = await app.keys.create(actor, { alias: DEFAULT_KEY_ALIAS, description: 'Default key for artifacts' });
  const auditKey = await app.keys.create(actor, { alias: AUDIT_SIGNING_KEY_ALIAS, description: 'Signs audit ledger checkpoints', usage: 'SIGN_VERIFY' });
  const projectId = await ensureProject(app, actor, DEFAULT_PROJECT, 'Default project');
  return { defaultKeyId: defaultKey.keyId, auditKeyId: auditKey.keyId, defaultProjectId: projectId };
}

/** Creates a project if absent and returns its id. */
export async function ensureProject(app: App, actor: Actor, name: string, description: string): Promise<string> {
  const existing = await app.db.kysely.selectFrom('projects').select('id').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.id;
  const id = newId('prj');
  return governed({ db: app.db, ledger: app.ledger }, actor, 'project:Create', `attest:${name}:project/${name}`, async (tx) => {
    const row = { id, name, description, created_at: new Date().toISOString(), created_by: actor.principal };
    await tx.insertInto('projects').values(row).execute();
    return { result: id, details: { name }, configChanges: [{ resourceType: 'project', resourceId: id, change: 'create', before: null, after: row }] };
  });
}

/** The id of the project called `name`. */
export async function projectIdByName(app: App, name: string): Promise<string> {
  const row = await app.db.kysely.selectFrom('projects').select('id').where((eb) => eb.or([eb('name', '=', name), eb('id', '=', name)])).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', { message: `No project ${name}` });
  return row.id;
}

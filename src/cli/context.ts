/**
 * @module cli/context
 * What every command shares: the home, opening the installation, and who is acting. On the
 * embedded home the actor is the operating-system user who can read the home's keyring.
 * Start-up cost matters here: this module and the command modules load only commander and
 * light helpers; the installation (configuration, database, store, capabilities) is imported
 * when a command actually opens it.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { App } from '../app/index.js';
import { newId } from '../kernel/index.js';
import type { Actor } from '../security/audit/index.js';
import type { CliIo } from './io.js';

export const CLI_VERSION = '0.1.0';

export interface CommonOptions {
  home?: string;
  json?: boolean;
  /** Remote mode: the API server (else $ATTEST_URL); see cli/remote.ts. */
  server?: string;
}

export interface CliContext {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  /** Opens the installation in `--home`, runs `fn`, signs a checkpoint over new audit entries, closes. */
  withApp<T>(options: CommonOptions, fn: (app: App, actor: Actor) => Promise<T>): Promise<T>;
  actor(): Actor;
}

export function createContext(io: CliIo, env: NodeJS.ProcessEnv = process.env): CliContext {
  const actor = (): Actor => {
    let user = 'unknown';
    try {
      user = userInfo().username;
    } catch {
      user = env.USER ?? 'unknown';
    }
    return { principal: `os:${user}`, sourceIp: 'local', userAgent: `attest-cli/${CLI_VERSION}`, requestId: newId('req') };
  };
  return {
    io,
    env,
    actor,
    async withApp(options, fn) {
      const [{ loadConfig, resolveHome }, { openApp }] = await Promise.all([import('../config/index.js'), import('../app/index.js')]);
      const config = loadConfig(resolveHome(options.home, env), env);
      const who = actor();
      const app = await openApp(config, { systemActor: who });
      try {
        const result = await fn(app, who);
        await app.checkpoint();
        return result;
      } finally {
        await app.close();
      }
    },
  };
}

/** Adds the options every command takes. */
export function common(command: Command): Command {
  return command.option('--home <dir>', 'installation home (default $ATTEST_HOME or ./.attest)').option('--json', 'print JSON for scripts');
}

/** The id of the project called `name` in an open installation (app/index `projectIdByName`, loaded with the app). */
export async function projectIdByName(app: App, name: string): Promise<string> {
  return (await import('../app/index.js')).projectIdByName(app, name);
}

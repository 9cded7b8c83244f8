/**
 * @module jobs/job-isolation
 * The paper's "no internet access" for training: on Linux, a job process can run in a new
 * network namespace (`unshare --net`), where it has no interface that reaches anything, not even
 * the host's loopback. That is only possible when everything the job needs is reachable without
 * the network — a SQLite metadata store and a local artifact directory; with PostgreSQL or an
 * object store the job runs without isolation, and the component records `isolation: none`.
 */
import { spawnSync } from 'node:child_process';
import type { ResolvedConfig } from '../config/index.js';
import { parseDbUrl } from '../platform/db/index.js';

/** `auto`: a network namespace when possible, else none (with a warning); `network`: the same; `none`: never isolate. */
export type IsolationMode = 'auto' | 'none' | 'network';

export interface IsolationPlan {
  /** Command prefix that starts the process isolated. */
  wrap?: string[];
  /** What the component records: `network-namespace` or `none`. */
  recorded: string;
  warning?: string;
}

let unshareWorks: boolean | undefined;

function canUnshareNetwork(): boolean {
  if (process.platform !== 'linux') return false;
  unshareWorks ??= spawnSync('unshare', ['--net', '--', 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return unshareWorks;
}

export function isolationPlan(mode: IsolationMode, config: Pick<ResolvedConfig, 'databaseUrl' | 'storeUrl'>): IsolationPlan {
  if (mode === 'none') return { recorded: 'none' };
  const local = parseDbUrl(config.databaseUrl).dialect === 'sqlite' && !/^s3:/i.test(config.storeUrl) && !/^https?:/i.test(config.storeUrl);
  if (!local) return { recorded: 'none', warning: 'isolation: none — the job needs the network to reach PostgreSQL or the object store, so it runs without a network namespace' };
  if (!canUnshareNetwork()) return { recorded: 'none', warning: 'isolation: none — this system does not permit `unshare --net` (needs Linux and CAP_SYS_ADMIN or user namespaces)' };
  return { wrap: ['unshare', '--net', '--'], recorded: 'network-namespace' };
}

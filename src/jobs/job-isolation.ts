/**
 * @module jobs/job-isolation
 * The paper's "no internet access" for training, and the limits of a job process.
 *
 * Network: on Linux, a job process can run in a new network namespace (`unshare --net`), where
 * it has no interface that reaches anything, not even the host's loopback. That is only possible
 * when everything the job needs is reachable without the network — a SQLite metadata store and a
 * local artifact directory; with PostgreSQL or an object store the job runs without network
 * isolation, and the component records `isolation: none`.
 *
 * Inputs read-only: a job reads its inputs through the services (in-memory copies; the stored
 * versions are immutable, encrypted and hash-checked on every read). When a job asks for an
 * input as a file (`ctx.inputPath`), the file is written mode 0400 and, in the job's own mount
 * namespace (`unshare --mount`, also when the network cannot be isolated), bind-mounted
 * read-only over itself — so a write fails with EROFS even for a job running as root, which file
 * modes alone do not stop.
 *
 * Limits: memory (V8's heap through `--max-old-space-size`, and the whole data segment through
 * `prlimit --data` where prlimit exists, which also bounds typed arrays and native buffers) and a
 * wall-time limit per attempt, enforced by the runner (the process is killed and the job fails
 * with JOB_TIMEOUT). What was applied is recorded on the job's trial component.
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
  /** The process has a mount namespace of its own, where input files are bind-mounted read-only. */
  mountNamespace?: boolean;
}

/** The limits a job process runs under. */
export interface JobLimits {
  memoryMb: number;
  timeoutSeconds: number;
}

const probes = new Map<string, boolean>();

function works(command: string, args: readonly string[]): boolean {
  const key = `${command} ${args.join(' ')}`;
  let ok = probes.get(key);
  if (ok === undefined) {
    ok = spawnSync(command, args, { stdio: 'ignore', timeout: 5000 }).status === 0;
    probes.set(key, ok);
  }
  return ok;
}

const canUnshare = (flags: readonly string[]) => process.platform === 'linux' && works('unshare', [...flags, '--', 'true']);

export function isolationPlan(mode: IsolationMode, config: Pick<ResolvedConfig, 'databaseUrl' | 'storeUrl'>): IsolationPlan {
  if (mode === 'none') return { recorded: 'none' };
  const mount = canUnshare(['--mount']);
  const withMount = (plan: IsolationPlan): IsolationPlan => {
    if (!mount) return plan;
    return { ...plan, wrap: plan.wrap ? [...plan.wrap.slice(0, -1), '--mount', '--'] : ['unshare', '--mount', '--'], mountNamespace: true };
  };
  const local = parseDbUrl(config.databaseUrl).dialect === 'sqlite' && !/^s3:/i.test(config.storeUrl) && !/^https?:/i.test(config.storeUrl);
  if (!local) return withMount({ recorded: 'none', warning: 'isolation: none — the job needs the network to reach PostgreSQL or the object store, so it runs without a network namespace' });
  if (!canUnshare(['--net'])) return withMount({ recorded: 'none', warning: 'isolation: none — this system does not permit `unshare --net` (needs Linux and CAP_SYS_ADMIN or user namespaces)' });
  return withMount({ wrap: ['unshare', '--net', '--'], recorded: 'network-namespace' });
}

/** The V8 heap share of a memory limit: the rest is left to typed arrays, buffers and code. */
export function heapMb(memoryMb: number): number {
  return Math.max(64, Math.floor(memoryMb * 0.75));
}

/** The command prefix that applies the memory limit to the whole process (empty without prlimit). */
export function memoryLimitWrap(memoryMb: number): string[] {
  if (process.platform !== 'linux' || !works('prlimit', ['--data=unlimited', '--', 'true'])) return [];
  return ['prlimit', `--data=${memoryMb * 1024 * 1024}`, '--'];
}

/**
 * @module jobs/job-runner
 * The embedded execution engine: claims jobs from the queue and runs each attempt in a child
 * process of its own (started by the API server, or by `attest jobs run --wait`), so a job that
 * crashes or is killed takes nothing else down. The child's output is captured line by line
 * into the job's log. A child that dies without finishing leaves its lease to expire; the job is
 * then claimed again (by this runner or any other) and retried.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { App } from '../app/index.js';
import { newId } from '../kernel/index.js';
import type { ClaimedJob, JobQueue } from './job-queue.js';
import { isolationPlan } from './job-isolation.js';
import type { IsolationMode, IsolationPlan } from './job-isolation.js';
import { SqlJobQueue } from './sql-job-queue.js';

const HERE = fileURLToPath(import.meta.url);
const CHILD_ENTRY = join(dirname(HERE), `job-child${extname(HERE)}`);

export interface JobRunnerOptions {
  app: App;
  queue?: JobQueue;
  /** Environment of the job processes (ATTEST_HOME is set from the app's home). */
  env?: NodeJS.ProcessEnv;
  leaseMs?: number;
  pollMs?: number;
  concurrency?: number;
  /** Retry backoff base (doubled per attempt). */
  backoffMs?: number;
  isolation?: IsolationMode;
  /** Each log line as it is captured (e.g. printed by `jobs run --wait`). */
  onLog?: (jobId: string, line: string) => void;
  /** Working directory of the job processes (git capture). */
  cwd?: string;
  /** Keep one job process started and waiting, so a job does not wait for Node's start-up (default true). */
  warm?: boolean;
  /** The job-process entry (default: job-child beside this module; from TypeScript sources it is run through tsx). */
  entry?: string;
}

export class JobRunner {
  readonly owner = newId('runner');
  readonly #options: JobRunnerOptions;
  readonly #queue: JobQueue;
  readonly #children = new Map<string, ChildProcess>();
  readonly #finished = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #spare: JobProcess | undefined;
  #running = false;
  #polling = false;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#queue = options.queue ?? new SqlJobQueue(options.app.db);
  }

  get leaseMs(): number {
    return this.#options.leaseMs ?? 30_000;
  }

  /** The child process running `jobId`, if this runner runs it. */
  child(jobId: string): ChildProcess | undefined {
    return this.#children.get(jobId);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const tick = () => {
      if (!this.#running) return;
      void this.poll().finally(() => {
        if (this.#running) this.#timer = setTimeout(tick, this.#options.pollMs ?? 500);
      });
    };
    tick();
  }

  /** Stops claiming and waits for the running children to exit. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#spare?.child.kill('SIGTERM');
    this.#spare = undefined;
    await Promise.all([...this.#finished]);
  }

  /** Claims and starts as many jobs as free slots allow; resolves when they are started. */
  async poll(): Promise<number> {
    if (this.#polling) return 0;
    this.#polling = true;
    let started = 0;
    try {
      while (this.#children.size < (this.#options.concurrency ?? 2)) {
        const claimed = await this.#queue.claim(this.owner, this.leaseMs);
        if (!claimed) break;
        this.#spawn(claimed);
        started++;
      }
    } finally {
      this.#polling = false;
    }
    return started;
  }

  /**
   * Starts a job process that loads its modules and opens the installation, then waits for a
   * claim over IPC: with `warm`, one such process is kept ready, so a job does not wait for
   * Node's start-up and module loading.
   */
  #startProcess(): JobProcess {
    const { app } = this.#options;
    const plan = isolationPlan(this.#options.isolation ?? 'auto', app.config);
    const entry = this.#options.entry ?? CHILD_ENTRY;
    const tsx = extname(entry) === '.ts' ? ['--import', 'tsx'] : [];
    const nodeArgs = ['--no-warnings', ...tsx, entry];
    const [command, args] = plan.wrap ? [plan.wrap[0]!, [...plan.wrap.slice(1), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const env: NodeJS.ProcessEnv = {
      ...(this.#options.env ?? process.env),
      ATTEST_HOME: app.config.home,
      ATTEST_JOB_LEASE_MS: String(this.leaseMs),
      ATTEST_JOB_ISOLATION: plan.recorded,
      ...(this.#options.backoffMs !== undefined ? { ATTEST_JOB_BACKOFF_MS: String(this.#options.backoffMs) } : {}),
    };
    delete env.ATTEST_JOB_CLAIM;
    const child = spawn(command, args, { cwd: this.#options.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    child.once('message', () => markReady());
    const proc: JobProcess = { child, plan, ready, early: [], onLine: undefined, onClose: undefined, closed: false };
    const line = (stream: string) => (l: string) => (proc.onLine ? proc.onLine(stream, l) : proc.early.push({ stream, line: l }));
    createInterface({ input: child.stdout! }).on('line', line('stdout'));
    createInterface({ input: child.stderr! }).on('line', line('stderr'));
    child.on('error', (error) => line('runner')(`cannot start the job process: ${error.message}`));
    child.on('close', (code, signal) => {
      proc.closed = true;
      if (this.#spare === proc) this.#spare = undefined;
      proc.onClose?.(code, signal);
    });
    return proc;
  }

  #spawn(claimed: ClaimedJob): void {
    const spare = this.#spare && !this.#spare.closed ? this.#spare : undefined;
    this.#spare = undefined;
    const proc = spare ?? this.#startProcess();
    const { child, plan } = proc;
    const jobId = claimed.job.jobId;
    this.#children.set(jobId, child);
    const pending: { stream: string; line: string }[] = [];
    // The child stores its own stdout lines; the runner stores what the child cannot: its
    // stderr (a crash) and the runner's own notes (a kill, a lost lease).
    const emit = (stream: string, line: string) => {
      if (stream !== 'stdout') pending.push({ stream, line });
      this.#options.onLog?.(jobId, line);
    };
    if (plan.warning) emit('runner', `warning: ${plan.warning}`);
    for (const l of proc.early.splice(0)) emit(l.stream, l.line);
    proc.onLine = emit;
    let flushing = Promise.resolve();
    const flush = () => {
      const batch = pending.splice(0);
      flushing = flushing.then(() => this.#queue.appendLogs(jobId, claimed.lease.attempt, batch)).catch(() => undefined);
      return flushing;
    };
    const flusher = setInterval(() => void flush(), 500);
    // The runner keeps the lease while the process lives (also while it starts up); when the
    // process dies, nobody extends it, and the job becomes claimable once it expires.
    const heartbeat = setInterval(() => {
      void this.#queue.heartbeat(claimed.lease, this.leaseMs).then(
        async (h) => {
          if (h.held || child.exitCode !== null) return;
          clearInterval(heartbeat);
          // Not held: either the attempt finished the job itself, or another runner took it over.
          if ((await this.#queue.get(jobId))?.status !== 'running') return;
          emit('runner', 'the lease was taken over by another runner; stopping this attempt');
          child.kill('SIGKILL');
        },
        () => undefined,
      );
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    const done = new Promise<void>((resolve) => {
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        clearInterval(flusher);
        clearInterval(heartbeat);
        if (signal) emit('runner', `job process ${child.pid} was killed by ${signal}; the job is retried once its lease expires`);
        else if (code !== 0 && code !== 3) emit('runner', `job process ${child.pid} exited with code ${code}`);
        this.#children.delete(jobId);
        void flush().finally(() => {
          this.#finished.delete(done);
          resolve();
          if (this.#running) void this.poll();
        });
      };
      if (proc.closed) onClose(child.exitCode, child.signalCode);
      else proc.onClose = onClose;
    });
    this.#finished.add(done);
    void proc.ready.then(() => {
      if (!proc.closed) child.send({ claim: claimed } satisfies JobProcessMessage, () => undefined);
    });
    if (this.#running && (this.#options.warm ?? true)) this.#spare = this.#startProcess();
  }
}

interface JobProcess {
  child: ChildProcess;
  plan: IsolationPlan;
  /** Resolves when the process has loaded, opened the installation and listens for its job. */
  ready: Promise<void>;
  /** Lines printed before the process was given a job. */
  early: { stream: string; line: string }[];
  onLine: ((stream: string, line: string) => void) | undefined;
  onClose: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  closed: boolean;
}

/** What the runner sends a waiting job process. */
export interface JobProcessMessage {
  claim: ClaimedJob;
}

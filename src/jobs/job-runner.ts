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
import { recordOutcome } from '../security/audit/index.js';
import { jobProcessEnded, onJobEnqueued } from './job-events.js';
import { heapMb, isolationPlan, memoryLimitWrap } from './job-isolation.js';
import type { IsolationMode, IsolationPlan, JobLimits } from './job-isolation.js';

const HERE = fileURLToPath(import.meta.url);
const CHILD_ENTRY = join(dirname(HERE), `job-child${extname(HERE)}`);
/** V8's last words when a process reaches its heap limit (`--max-old-space-size`). */
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit/;

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
  /** The queues this runner takes jobs from (default: `default`). */
  queues?: readonly string[];
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
  #unsubscribe: (() => void) | undefined;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#queue = options.queue ?? options.app.jobQueue;
  }

  get leaseMs(): number {
    return this.#options.leaseMs ?? this.#options.app.config.jobs?.leaseMs ?? 30_000;
  }

  /** The limits a job runs under: its own, else the installation's defaults. */
  limitsOf(job: { timeoutSeconds: number | null; memoryMb: number | null }): JobLimits {
    const defaults = this.#options.app.config.jobs;
    return { timeoutSeconds: job.timeoutSeconds ?? defaults?.timeoutSeconds ?? 6 * 3600, memoryMb: job.memoryMb ?? defaults?.memoryMb ?? 4096 };
  }

  /** How many jobs this runner runs now. */
  get running(): number {
    return this.#children.size;
  }

  /** The child process running `jobId`, if this runner runs it. */
  child(jobId: string): ChildProcess | undefined {
    return this.#children.get(jobId);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // A worker's first job, too, finds a process that has loaded its modules and opened the installation.
    this.#warmSpare();
    // A job submitted in this process is claimed at once, not at the next poll.
    // A failed claim here (a busy database) is left to the next periodic poll.
    this.#unsubscribe = onJobEnqueued(() => {
      if (this.#running) this.poll().catch(() => undefined);
    });
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
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#spare?.child.kill('SIGTERM');
    this.#spare = undefined;
    await Promise.all([...this.#finished]);
  }

  /** Resolves when the warm job process (if any) has loaded its modules and waits for a job. */
  async warmed(): Promise<void> {
    await this.#spare?.ready;
  }

  /** Kills every running job process now (a second SIGTERM to a worker); their jobs are retried once their leases expire. */
  killAll(): void {
    for (const child of this.#children.values()) child.kill('SIGKILL');
  }

  /** Claims and starts as many jobs as free slots allow; resolves when they are started. */
  async poll(): Promise<number> {
    if (this.#polling) return 0;
    this.#polling = true;
    let started = 0;
    try {
      while (this.#children.size < (this.#options.concurrency ?? 2)) {
        const claimed = await this.#queue.claim(this.owner, this.leaseMs, this.#options.queues ? { queues: this.#options.queues } : {});
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
  #startProcess(memoryMb: number): JobProcess {
    const { app } = this.#options;
    const plan = isolationPlan(this.#options.isolation ?? 'auto', app.config);
    const entry = this.#options.entry ?? CHILD_ENTRY;
    const tsx = extname(entry) === '.ts' ? ['--import', 'tsx'] : [];
    const nodeArgs = ['--no-warnings', `--max-old-space-size=${heapMb(memoryMb)}`, ...tsx, entry];
    const limit = memoryLimitWrap(memoryMb);
    const wrap = [...limit, ...(plan.wrap ?? [])];
    const [command, args] = wrap.length > 0 ? [wrap[0]!, [...wrap.slice(1), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const env: NodeJS.ProcessEnv = {
      ...(this.#options.env ?? process.env),
      ATTEST_HOME: app.config.home,
      ATTEST_JOB_LEASE_MS: String(this.leaseMs),
      ATTEST_JOB_ISOLATION: plan.recorded,
      ATTEST_JOB_MOUNT_NS: plan.mountNamespace ? '1' : '0',
      ATTEST_JOB_MEMORY_ENFORCEMENT: limit.length > 0 ? 'v8-heap+rlimit-data' : 'v8-heap',
      ...(this.#options.backoffMs !== undefined ? { ATTEST_JOB_BACKOFF_MS: String(this.#options.backoffMs) } : {}),
    };
    delete env.ATTEST_JOB_CLAIM;
    const child = spawn(command, args, { cwd: this.#options.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    child.once('message', () => markReady());
    const proc: JobProcess = { child, plan, memoryMb, ready, early: [], onLine: undefined, onClose: undefined, closed: false };
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
    const limits = this.limitsOf(claimed.job);
    // The spare was started with the default memory limit; a job asking for another gets a process of its own.
    const spare = this.#spare && !this.#spare.closed && this.#spare.memoryMb === limits.memoryMb ? this.#spare : undefined;
    if (!spare) this.#spare?.child.kill('SIGTERM');
    this.#spare = undefined;
    const proc = spare ?? this.#startProcess(limits.memoryMb);
    const { child, plan } = proc;
    const jobId = claimed.job.jobId;
    this.#children.set(jobId, child);
    const pending: { stream: string; line: string }[] = [];
    // The child stores its own stdout lines; the runner stores what the child cannot: its
    // stderr (a crash) and the runner's own notes (a kill, a lost lease).
    // V8 prints this on stderr when the process reaches its heap limit, then aborts.
    let outOfMemory = false;
    const emit = (stream: string, line: string) => {
      if (stream === 'stderr' && HEAP_EXHAUSTED.test(line)) outOfMemory = true;
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
    // The wall-time limit: counted from when the process is handed the job (the runner's own
    // process start-up is not the job's time; the lease covers a process that never gets ready).
    let timedOut = false;
    let timeout: NodeJS.Timeout | undefined;
    const startClock = () => {
      timeout = setTimeout(() => {
        timedOut = true;
        emit('runner', `JOB_TIMEOUT: the attempt exceeded its wall-time limit of ${limits.timeoutSeconds} s; killing job process ${child.pid}`);
        child.kill('SIGKILL');
      }, limits.timeoutSeconds * 1000);
    };
    const done = new Promise<void>((resolve) => {
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        clearInterval(flusher);
        clearInterval(heartbeat);
        clearTimeout(timeout);
        if (timedOut) {
          // Recorded by #failLimit.
        } else if (outOfMemory) emit('runner', `JOB_MEMORY: job process ${child.pid} ran out of memory (limit ${limits.memoryMb} MiB) and was stopped`);
        else if (signal) emit('runner', `job process ${child.pid} was killed by ${signal}; the job is retried once its lease expires`);
        else if (code !== 0 && code !== 3) emit('runner', `job process ${child.pid} exited with code ${code}`);
        this.#children.delete(jobId);
        this.#warmSpare();
        const ended = timedOut
          ? this.#failLimit(claimed, 'JOB_TIMEOUT', `The attempt exceeded its wall-time limit of ${limits.timeoutSeconds} s and was killed`)
          : outOfMemory
            ? this.#failLimit(claimed, 'JOB_MEMORY', `The attempt exceeded its memory limit of ${limits.memoryMb} MiB (JavaScript heap exhausted) and was stopped`)
            : Promise.resolve();
        void ended.then(flush).finally(() => {
          this.#finished.delete(done);
          jobProcessEnded(jobId);
          resolve();
          if (this.#running) void this.poll();
        });
      };
      if (proc.closed) onClose(child.exitCode, child.signalCode);
      else proc.onClose = onClose;
    });
    this.#finished.add(done);
    void proc.ready.then(() => {
      if (proc.closed) return;
      startClock();
      child.send({ claim: claimed, limits: { ...limits, memoryEnforcement: memoryLimitWrap(limits.memoryMb).length > 0 ? 'v8-heap+rlimit-data' : 'v8-heap' } } satisfies JobProcessMessage, () => undefined);
    });
  }

  /**
   * Keeps one job process warm. Started when the runner starts and when a job process ends — not
   * while a job has just started: loading modules and opening the installation takes seconds of
   * CPU, which on a small machine would be taken from the job that is running.
   */
  #warmSpare(): void {
    if (this.#running && (this.#options.warm ?? true) && !this.#spare) this.#spare = this.#startProcess(this.limitsOf({ timeoutSeconds: null, memoryMb: null }).memoryMb);
  }

  /**
   * Fails a job whose attempt ran out of time or memory: for good (a retry would run out again),
   * with JOB_TIMEOUT or JOB_MEMORY, its component closed as Failed, audited. The runner still holds
   * the lease (it heartbeats for the process), so this is conditional on the same token as any completion.
   */
  async #failLimit(claimed: ClaimedJob, code: 'JOB_TIMEOUT' | 'JOB_MEMORY', message: string): Promise<void> {
    const { app } = this.#options;
    try {
      const outcome = await this.#queue.fail(claimed.lease, { code, message }, { retryable: false, backoffMs: 0 });
      const job = await this.#queue.get(claimed.job.jobId);
      const actor = { ...claimed.actor, userAgent: `attest-job/${claimed.job.type}`, requestId: claimed.job.jobId };
      if (job?.componentId) {
        const component = (await app.tracking.components([job.componentId], [job.projectId]))[0];
        if (component?.status === 'InProgress') await app.tracking.endComponent({ actor, projectId: job.projectId }, job.componentId, 'Failed', { failureReason: `${code}: ${message}` });
      }
      await recordOutcome({ db: app.db, ledger: app.ledger }, actor, 'job:Run', `job/${claimed.job.jobId}`, 'failed', { phase: 'attempt', attempt: claimed.lease.attempt, error: code, message, outcome });
    } catch (error) {
      this.#options.onLog?.(claimed.job.jobId, `cannot record the ${code === 'JOB_TIMEOUT' ? 'timeout' : 'memory failure'}: ${(error as Error).message}`);
    }
  }
}

interface JobProcess {
  child: ChildProcess;
  plan: IsolationPlan;
  /** The memory limit the process was started with. */
  memoryMb: number;
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
  /** The limits applied to the process (recorded on the component). */
  limits?: JobLimits & { memoryEnforcement: string };
}

/**
 * @module ml/gbdt/histogram-builder
 * Gradient histograms for the `hist` trainer (algorithms-and-formats.md §1.5): per node and bin,
 * the float64 sums of the float32 gradient pairs of the node's rows, in row order. Rows are
 * read from a row-major table of their histogram offsets (`2 · (slotPtr[f] + bin)`: the gradient
 * sum's index, the hessian sum's follows), so one pass over a row touches all its features.
 *
 * With two threads a worker shares the work by feature ranges ("chunks"): every bin is summed
 * by exactly one thread in row order, so results are bit-identical to one thread. The main
 * thread claims chunks too and does all of them when the worker is slow to wake or busy, so a
 * loaded machine never makes training wait on the worker for more than one chunk. Since the
 * kernel is unrolled, the hand-offs outweigh the shared work on small data: measured on an idle
 * second core, the paper setup (21,000 × 23 cells) took 258 ms on two threads against 235 ms on
 * one, while at 2, 3 and 4 times the rows two threads gained 3 %, 6 % and 12 %; hence training
 * uses two threads only from 1,000,000 cells on. On a saturated machine it gains nothing.
 */
import { Worker } from 'node:worker_threads';

/** One histogram to build: rows `rowIndex[begin..end)`. */
export interface HistogramJob {
  readonly hist: Float64Array;
  readonly begin: number;
  readonly end: number;
}

/** Features per straight-line block of a chunk kernel; wider chunks loop over such blocks. */
const KERNEL_BLOCK = 64;

/**
 * Source of the kernel for the features `[f0, f1)` of a row-major offset table `F` wide, run by the
 * main thread and the worker alike: adds `grad`/`hess` of each job's rows into the job's histogram.
 *
 * The features of a row are unrolled into straight-line code, one load–add–store per feature.
 * A loop over the features runs one static load and store for all of them; on AMD Zen 4 that loop
 * slowed down ~2.5× when consecutive rows shared bins (as categorical features do), apparently as
 * the per-instruction memory-dependence predictor then made every load wait for the previous
 * iteration's store. With one instruction pair per feature only the true dependencies remain:
 * on the paper setup's builds the unrolled kernel takes ~0.55× the loop's time (same sums, in row order).
 */
function kernelSource(F: number, f0: number, f1: number): string {
  const width = f1 - f0;
  const blocks = Math.floor(width / KERNEL_BLOCK);
  const updates = (n: number): string => {
    let code = '';
    for (let k = 0; k < n; k++) code += `const b${k} = offsets[o + ${k}];\n`;
    for (let k = 0; k < n; k++) code += `hist[b${k}] += gi; hist[b${k} + 1] += hi;\n`;
    return code;
  };
  const blockLoop = blocks === 0 ? '' : `for (const e = o + ${blocks * KERNEL_BLOCK}; o < e; o += ${KERNEL_BLOCK}) {\n${updates(KERNEL_BLOCK)}}\n`;
  return `function buildChunk(offsets, rowIndex, grad, hess, hists, tasks) {
  const jobs = tasks[0];
  for (let j = 0; j < jobs; j++) {
    const begin = tasks[1 + 3 * j];
    const end = tasks[2 + 3 * j];
    const hist = hists[tasks[3 + 3 * j]];
    for (let i = begin; i < end; i++) {
      const r = rowIndex[i];
      const gi = grad[r];
      const hi = hess[r];
      let o = r * ${F} + ${f0};
      ${blockLoop}${updates(width - blocks * KERNEL_BLOCK)}
    }
  }
}`;
}

type ChunkKernel = (offsets: Uint16Array | Int32Array, rowIndex: Int32Array, grad: Float32Array, hess: Float32Array, hists: Float64Array[], tasks: Int32Array) => void;

/**
 * Claims chunks of generation `gen` (a chunk is claimed by moving its flag from gen-1 to gen,
 * so a participant still finishing an older generation can never take a newer one), builds them
 * and counts them done.
 */
function runGeneration(
  gen: number,
  claimed: Int32Array,
  ctrl: Int32Array,
  build: (chunk: number) => void,
): void {
  const chunks = claimed.length;
  for (let c = 0; c < chunks; c++) {
    if (Atomics.compareExchange(claimed, c, gen - 1, gen) !== gen - 1) continue;
    build(c);
    if (Atomics.add(ctrl, 1, 1) + 1 === gen * chunks) Atomics.notify(ctrl, 1);
  }
}

/** The worker's program, with the chunk kernels' sources in the order of the chunks. */
const workerSource = (kernels: readonly string[]): string => `
const { workerData } = require('node:worker_threads');
const kernels = [${kernels.join(',\n')}];
const runGeneration = ${runGeneration.toString()};
const d = workerData;
const hists = [];
for (let i = 0; i < d.capacity; i++) hists.push(new Float64Array(d.pool, i * d.histSize * 8, d.histSize));
let seen = 0;
try {
  for (;;) {
    Atomics.wait(d.ctrl, 0, seen);
    const gen = Atomics.load(d.ctrl, 0);
    if (gen < 0) break;
    seen = gen;
    runGeneration(gen, d.claimed, d.ctrl, (c) => kernels[c](d.offsets, d.rowIndex, d.grad, d.hess, hists, d.tasks));
  }
} catch {
  // Tell the main thread, which then rebuilds the generation alone and stops using this worker.
  Atomics.store(d.ctrl, 2, 1);
  Atomics.notify(d.ctrl, 1);
}
`;

function shared<T>(Type: { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number }, length: number, threaded: boolean): T {
  const bytes = Math.max(1, length) * Type.BYTES_PER_ELEMENT;
  return new Type(threaded ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** Builds histograms over one quantised training matrix, on one or two threads. */
export class HistogramBuilder {
  /** Doubles per histogram (gradient and hessian interleaved per slot). */
  readonly histSize: number;
  /** Row ids grouped by node; the tree grower partitions it in place. */
  readonly rowIndex: Int32Array;
  /** Gradient pairs of the tree being grown, one per row (set by the grower before building). */
  readonly grad: Float32Array;
  readonly hess: Float32Array;
  readonly threads: number;
  readonly #offsets: Uint16Array | Int32Array;
  /** One kernel per feature chunk. */
  readonly #kernels: ChunkKernel[];
  readonly #free: number[] = [];
  readonly #hists: Float64Array[] = [];
  readonly #index = new Map<Float64Array, number>();
  #tasks: Int32Array;
  readonly #ctrl: Int32Array;
  readonly #claimed: Int32Array;
  readonly #worker: Worker | undefined;
  /** Set when the worker failed or kept the main thread waiting: everything is then built here. */
  #alone = false;
  /** Milliseconds the main thread spent building, and waiting for the worker, in the current window. */
  #ownMs = 0;
  #waitMs = 0;
  #windowGens = 0;
  #gen = 0;

  /**
   * `offsets` is the row-major offset table (`rows * F`); `capacity` the most histograms alive at
   * once; with `threads` 2 everything the worker reads lives in shared memory.
   */
  constructor(offsets: Uint16Array | Int32Array, F: number, histSize: number, capacity: number, threads: number) {
    const rows = offsets.length / F;
    const threaded = threads > 1;
    this.threads = threaded ? 2 : 1;
    this.histSize = histSize;
    if (threaded) {
      const copy = offsets instanceof Uint16Array ? shared(Uint16Array, offsets.length, true) : shared(Int32Array, offsets.length, true);
      copy.set(offsets);
      this.#offsets = copy;
    } else {
      this.#offsets = offsets;
    }
    this.rowIndex = shared(Int32Array, rows, threaded);
    this.grad = shared(Float32Array, rows, threaded);
    this.hess = shared(Float32Array, rows, threaded);
    const pool = threaded ? new SharedArrayBuffer(Math.max(1, capacity * histSize * 8)) : undefined;
    for (let i = 0; i < capacity; i++) {
      const h = pool === undefined ? new Float64Array(histSize) : new Float64Array(pool, i * histSize * 8, histSize);
      this.#hists.push(h);
      this.#index.set(h, i);
      this.#free.push(capacity - 1 - i);
    }
    this.#tasks = shared(Int32Array, 1 + 3 * capacity, threaded);
    // ctrl: [generation (-1 = stop), chunks done (cumulative), worker failed flag]
    this.#ctrl = shared(Int32Array, 3, threaded);
    // Two feature chunks per generation, one per thread: each chunk rereads every row's gradient
    // pair, so more chunks cost CPU (measured: 4 chunks +50% overhead over 2 for little balance gain).
    const chunks = threaded ? Math.min(2, F) : 1;
    this.#claimed = shared(Int32Array, chunks, threaded);
    const sources: string[] = [];
    for (let c = 0; c < chunks; c++) sources.push(kernelSource(F, Math.round((c * F) / chunks), Math.round(((c + 1) * F) / chunks)));
    this.#kernels = sources.map((source) => new Function(`return ${source};`)() as ChunkKernel);
    if (threaded) {
      this.#worker = new Worker(workerSource(sources), {
        eval: true,
        workerData: {
          offsets: this.#offsets,
          rowIndex: this.rowIndex,
          grad: this.grad,
          hess: this.hess,
          pool,
          capacity,
          histSize,
          tasks: this.#tasks,
          ctrl: this.#ctrl,
          claimed: this.#claimed,
        },
      });
      this.#worker.unref();
    }
  }

  /** A zeroed histogram from the pool (which grows on one thread; with two it is sized by the caller). */
  acquire(): Float64Array {
    let i = this.#free.pop();
    if (i === undefined) {
      if (this.#worker !== undefined) throw new Error('histogram pool exhausted');
      i = this.#hists.length;
      const fresh = new Float64Array(this.histSize);
      this.#hists.push(fresh);
      this.#index.set(fresh, i);
      this.#tasks = shared(Int32Array, 1 + 3 * this.#hists.length, false);
    }
    const h = this.#hists[i]!;
    h.fill(0);
    return h;
  }

  release(hist: Float64Array): void {
    this.#free.push(this.#index.get(hist)!);
  }

  /** Builds every job's histogram (which must come from {@link acquire}). */
  build(jobs: readonly HistogramJob[]): void {
    if (jobs.length === 0) return;
    const tasks = this.#tasks;
    tasks[0] = jobs.length;
    jobs.forEach((job, j) => {
      tasks[1 + 3 * j] = job.begin;
      tasks[2 + 3 * j] = job.end;
      tasks[3 + 3 * j] = this.#index.get(job.hist)!;
    });
    const gen = ++this.#gen;
    const ctrl = this.#ctrl;
    const build = (c: number) => this.#kernels[c]!(this.#offsets, this.rowIndex, this.grad, this.hess, this.#hists, tasks);
    if (this.#worker === undefined || this.#alone) {
      for (let c = 0; c < this.#kernels.length; c++) build(c);
      return;
    }
    Atomics.store(ctrl, 0, gen);
    Atomics.notify(ctrl, 0);
    const t0 = performance.now();
    runGeneration(gen, this.#claimed, ctrl, build);
    const t1 = performance.now();
    const target = gen * this.#claimed.length;
    for (;;) {
      const done = Atomics.load(ctrl, 1);
      if (done >= target) {
        this.#account(t1 - t0, performance.now() - t1);
        return;
      }
      if (Atomics.load(ctrl, 2) === 1) break;
      // Bounded: the failure flag is not a change of the done count, so its wake-up can be missed.
      Atomics.wait(ctrl, 1, done, 20);
    }
    // The worker failed mid-generation: redo every job here, from zero, and stop using it.
    this.#alone = true;
    for (const job of jobs) job.hist.fill(0);
    for (let c = 0; c < this.#kernels.length; c++) build(c);
  }

  /**
   * On a machine whose cores are taken by other work the worker is often descheduled while the
   * main thread waits for its chunk; when waiting exceeds half of the main thread's own building
   * time over a window of generations, build alone from then on (results are the same either way).
   */
  #account(ownMs: number, waitMs: number): void {
    this.#ownMs += ownMs;
    this.#waitMs += waitMs;
    if (++this.#windowGens < 64) return;
    if (this.#waitMs > 0.5 * this.#ownMs) this.#alone = true;
    this.#ownMs = 0;
    this.#waitMs = 0;
    this.#windowGens = 0;
  }

  /** Stops the worker (if any). */
  close(): void {
    if (this.#worker === undefined) return;
    Atomics.store(this.#ctrl, 0, -1);
    Atomics.notify(this.#ctrl, 0);
    void this.#worker.terminate();
  }
}

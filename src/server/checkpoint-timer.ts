/**
 * @module server/checkpoint-timer
 * Signs a tree head at most every `intervalMs` (default 1 s) while entries are being written, so a
 * database-only writer can remove or rewrite at most the last interval's entries unnoticed. A tick
 * costs one indexed read of the newest sequence number when nothing moved.
 */
import type { App } from '../app/index.js';

export class CheckpointTimer {
  readonly #app: App;
  readonly #intervalMs: number;
  readonly #onError: (error: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastSeq = -1;

  constructor(app: App, options: { intervalMs: number; onError: (error: Error) => void }) {
    this.#app = app;
    this.#intervalMs = options.intervalMs;
    this.#onError = options.onError;
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Signs a head if the ledger moved since the last tick (skipped while a tick is running). */
  tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        const head = await this.#app.ledger.head();
        if (head.seq === this.#lastSeq) return;
        this.#lastSeq = head.seq;
        // The server's detective controls alert on the recorded failure; no second alert here.
        await this.#app.checkpoint({ alert: false });
      } catch (error) {
        this.#onError(error as Error);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

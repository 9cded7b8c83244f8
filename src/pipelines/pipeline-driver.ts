/**
 * @module pipelines/pipeline-driver
 * Keeps pipeline executions moving in a long-lived process (the API server): every `pollMs` it
 * advances each active execution once. The state lives in the database, so a restarted server
 * picks up where the last one stopped.
 */
import type { PipelineService } from './pipeline-service.js';

export class PipelineDriver {
  readonly #service: PipelineService;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #tick: Promise<unknown> = Promise.resolve();

  constructor(service: PipelineService, options: { pollMs?: number } = {}) {
    this.#service = service;
    this.#pollMs = options.pollMs ?? 500;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = () => {
      if (!this.#running) return;
      this.#tick = this.#service
        .advanceAll()
        .catch(() => undefined)
        .finally(() => {
          if (this.#running) this.#timer = setTimeout(loop, this.#pollMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#tick;
  }
}

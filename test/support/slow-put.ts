/**
 * A process that starts a put into a local blob store and never finishes it (for tests that kill
 * it mid-put, or need another live writer). Usage: tsx slow-put.ts STORE_ROOT
 */
import { FsBlobStore } from '../../src/platform/blob/index.js';

const store = new FsBlobStore(process.argv[2] ?? '');
async function* endless(): AsyncGenerator<Buffer> {
  for (;;) {
    yield Buffer.alloc(64 * 1024, 7);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
await store.put(`slow_${process.pid}`, endless());

// Builds the web console into dist/console-app, served by `attest server` under /console/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  // Everything is bundled and served by the API server itself: no CDN, no external font.
  build: { outDir: fileURLToPath(new URL('../dist/console-app', import.meta.url)), emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 1200, reportCompressedSize: true },
  oxc: { jsx: { runtime: 'automatic' } },
  logLevel: 'warn',
});

/**
 * The web console (issue 16): its bundle size (bytes and gzip, the figure a slow link pays), and
 * how fast the first page (the sign-in form) is up on loopback in Debian's Chromium, headless,
 * with an empty cache each time. The reference is the same built files served by a bare
 * node:http static server in the same run, so the ratio is what `attest server` adds (routing,
 * security headers) over the cheapest way to serve them; also the plain HTTP fetch of every file
 * of the page from both servers. The goal is the issue's: first page < 1 s on loopback.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { defaultConsoleDir } from '../src/console/index.js';
import { buildServer } from '../src/server/index.js';
import { createTestInstallation } from '../test/support/test-app.js';
import { median } from './measure.js';
import type { BenchResult } from './types.js';

const CHROMIUM = '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const dir = defaultConsoleDir();
  const built = files(dir);
  if (!built.has('index.html')) throw new Error(`the console is not built in ${dir}: npm run build`);
  const raw = [...built.values()].reduce((a, b) => a + b.length, 0);
  const gzip = [...built.values()].reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0);
  const results: BenchResult[] = [
    { name: 'console bundle, gzip (every file of dist/console-app)', value: gzip, unit: 'bytes', reference: { name: 'uncompressed', value: raw }, ratio: gzip / raw },
  ];

  // The reference: the same files from a bare static server (no routing table, no headers).
  const bare = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/console\//, '').split('?')[0] || 'index.html';
    const body = built.get(path) ?? built.get('index.html')!;
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const inst = await createTestInstallation('sqlite', 'fs');
  const server = await buildServer(inst.app, { controls: { enabled: false } });
  const attestBase = await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const paths = ['/console/', ...[...built.keys()].filter((k) => k !== 'index.html').map((k) => `/console/${k}`)];
    const fetchAll = async (base: string) => {
      const t = performance.now();
      for (const p of paths) await (await fetch(base + p)).arrayBuffer();
      return performance.now() - t;
    };
    const httpAttest: number[] = [];
    const httpBare: number[] = [];
    for (let i = 0; i < 5; i++) await Promise.all([fetchAll(attestBase), fetchAll(bareBase)]);
    for (let i = 0; i < 40; i++) {
      httpAttest.push(await fetchAll(attestBase));
      httpBare.push(await fetchAll(bareBase));
    }
    results.push({ name: 'console files fetched over loopback (index.html + assets)', value: median(httpAttest), unit: 'ms', reference: { name: 'bare node:http static server', value: median(httpBare) }, ratio: median(httpAttest) / median(httpBare) });

    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    } catch (error) {
      process.stderr.write(`console: first-page load not measured: ${(error as Error).message.split('\n')[0]}\n`);
    }
    if (browser) {
      // Each load in a new context: an empty cache and empty storage, as a first visit.
      const firstPage = async (base: string) => {
        const context = await browser!.newContext();
        const page = await context.newPage();
        const t = performance.now();
        await page.goto(`${base}/console/`);
        await page.getByLabel('User name').waitFor();
        const ms = performance.now() - t;
        await context.close();
        return ms;
      };
      const pageAttest: number[] = [];
      const pageBare: number[] = [];
      for (let i = 0; i < 2; i++) await Promise.all([firstPage(attestBase), firstPage(bareBase)]);
      for (let i = 0; i < 15; i++) {
        pageAttest.push(await firstPage(attestBase));
        pageBare.push(await firstPage(bareBase));
      }
      await browser.close();
      results.push({ name: 'console first page (sign-in form shown) in Chromium, empty cache', value: median(pageAttest), unit: 'ms', reference: { name: 'same files from a bare static server', value: median(pageBare) }, ratio: median(pageAttest) / median(pageBare), goal: '< 1000 ms' });
    }
  } finally {
    await server.close();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
    await inst.dispose();
  }
  return results;
}

/**
 * @module console
 * The web console (`/console/`), served by `attest server` on the API's own origin. The files are
 * the Vite build of `console/` (made by `npm run build`, so `npm ci` makes it). Only the static
 * shell is public: every piece of data it shows comes from the authenticated, authorized and
 * audited JSON API with the user's bearer token, kept in the tab's sessionStorage and sent as
 * `Authorization: Bearer` — no cookie, so no cross-site request can carry it (CSRF-safe).
 * The files are read once at start-up into a fixed map, so a request path can name nothing else.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the build puts the console, relative to the package root. */
export const CONSOLE_BUILD_DIR = join('dist', 'console-app');

/** Only the console's own origin: no inline script, no external font, image or CDN. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  readonly bytes: Buffer;
  readonly type: string;
  /** Vite names assets by their content hash: they never change under the same name. */
  readonly immutable: boolean;
}

/** The package root: the nearest folder above this module holding package.json (src/ under tsx, dist/ when compiled). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function defaultConsoleDir(): string {
  return join(packageRoot(), CONSOLE_BUILD_DIR);
}

function readTree(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(root, path).split(sep).join('/');
        files.set(rel, { bytes: readFileSync(path), type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') });
      }
    }
  };
  walk(root);
  return files;
}

export interface ConsoleMount {
  /** False when the console was not built (the API still works; `/console/` says how to build it). */
  readonly built: boolean;
  readonly files: number;
}

/**
 * Registers `GET /console/…`: the built files by exact name, and index.html for every other path
 * under it (the console routes in the browser). Returns whether a build was found.
 */
export function registerConsole(server: FastifyInstance, dir: string = defaultConsoleDir()): ConsoleMount {
  const files = existsSync(join(dir, 'index.html')) ? readTree(dir) : new Map<string, StaticFile>();
  const index = files.get('index.html');
  const send = (reply: FastifyReply, file: StaticFile) =>
    reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .type(file.type)
      .send(file.bytes);
  server.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/', 302));
  server.get('/console/*', { schema: { hide: true } }, async (req, reply) => {
    const path = (req.params as { '*': string })['*'];
    const file = files.get(path);
    if (file) return send(reply, file);
    if (!index) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'The web console is not built: run npm run build', details: {} } });
    // A missing asset is a 404, not the page: a stale bundle must fail loudly, not parse HTML as script.
    if (path.startsWith('assets/') || extname(path) !== '') return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No console file ${path}`, details: {} } });
    return send(reply, index);
  });
  return { built: index !== undefined, files: files.size };
}

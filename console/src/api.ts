// The console's only way to the server: the JSON API with the signed-in user's bearer token.
// The token lives in this tab's sessionStorage (gone when the tab closes) and travels only in the
// Authorization header, never in a cookie, so another site cannot make the browser send it.
const TOKEN_KEY = 'attest.session';

export interface Session {
  readonly token: string;
  readonly principal: string;
  readonly expiresAt: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(TOKEN_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } | string; message?: string; error_code?: string };
    if (typeof body.error === 'object' && body.error) return new ApiError(res.status, body.error.code ?? 'ERROR', body.error.message ?? res.statusText);
    return new ApiError(res.status, body.error_code ?? 'ERROR', body.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, 'ERROR', res.statusText);
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  /** The tracking routes take the project from this header. */
  readonly project?: string;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const session = loadSession();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.project) headers['x-attest-project'] = options.project;
  const res = await fetch(path, { method: options.method ?? 'GET', headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}), credentials: 'omit' });
  if (res.status === 401 && session) {
    saveSession(null);
    onUnauthenticated();
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await (await send(path, options)).json()) as T;
}

/** Downloads a binary answer (an evidence bundle) through the same authenticated call. */
export async function download(path: string, fileName: string): Promise<number> {
  const blob = await (await send(path, {})).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.size;
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch('/v1/login', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ username, password }), credentials: 'omit' });
  if (!res.ok) throw await errorOf(res);
  const body = (await res.json()) as Session;
  const session = { token: body.token, principal: body.principal, expiresAt: body.expiresAt };
  saveSession(session);
  return session;
}

export async function logout(): Promise<void> {
  try {
    await send('/v1/logout', { method: 'POST', body: {} });
  } finally {
    saveSession(null);
  }
}

export const enc = encodeURIComponent;

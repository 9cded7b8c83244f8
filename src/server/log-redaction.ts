/**
 * @module server/log-redaction
 * What the request log may say about a URL. A presigned download's path is its credential, and
 * some clients put tokens, signatures or passwords in the query string: the log keeps the route
 * and the names of the parameters, never those values.
 */
import { PRESIGNED_PATH } from './presigned-url.js';

/** Query parameters whose values are credentials (compared case-insensitively). */
const SECRET_QUERY_PARAMS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'secret',
  'client_secret',
  'password',
  'signature',
  'sig',
  'code',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
]);

const REDACTED = '[redacted]';

/** `url` as it may appear in a log line. */
export function logSafeUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const safePath = path.startsWith(PRESIGNED_PATH) ? `${PRESIGNED_PATH}${REDACTED}` : path;
  if (q < 0) return safePath;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape is logged as sent, its value still judged by the raw name.
      }
      return eq >= 0 && SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${query}`;
}

/**
 * @module platform/db/like-pattern
 * Literal text inside a LIKE pattern. Every LIKE in Attest names `escape '\'` explicitly, because
 * the engines differ without it: PostgreSQL escapes with a backslash by default, SQLite has no
 * escape character at all, so an unescaped `_` or `%` in user text would match anything.
 */
import { AppError } from '../../kernel/index.js';

/** Escapes `\`, `%` and `_` so that `text` matches only itself in a LIKE pattern with `escape '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Refuses a user-supplied LIKE pattern that ends in an unpaired escape character: PostgreSQL
 * raises an error on it (a 500 if it reached the database), SQLite silently matches nothing.
 */
export function checkLikePattern(pattern: string): string {
  const trailing = /\\*$/.exec(pattern)?.[0].length ?? 0;
  if (trailing % 2 === 1) throw new AppError('INVALID_INPUT', { message: `The LIKE pattern ${JSON.stringify(pattern)} ends with an unpaired escape character \\` });
  return pattern;
}

/**
 * @module security/identity/password-policy
 * What makes a password acceptable, after NIST SP 800-63B §5.1.1.2: a minimum length (we ask 12,
 * above NIST's 8, as banks' standards commonly do), a generous maximum, no composition rules, and a
 * check against commonly used passwords and context-specific words (the username, the product).
 */
import { AppError } from '../../kernel/index.js';

/** Tunable limits. */
export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({ minLength: 12, maxLength: 256 });

/** The result: acceptable, or the reasons it is not (phrased for the user). */
export interface PasswordCheck {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

// Frequent entries of public breach corpora plus product-specific words; a small list is enough
// because the length rule already excludes most of them.
const COMMON = new Set([
  'password', 'password1', 'password123', 'password1234', 'passw0rd', '123456789012', '1234567890', 'qwertyuiop', 'qwerty123456',
  'iloveyou', 'letmein', 'welcome', 'welcome123', 'admin', 'administrator', 'changeme', 'trustno1', 'football', 'monkey',
  'dragon', 'sunshine', 'princess', 'baseball', 'superman', 'attest', 'attestadmin', 'mlflow', 'sagemaker', 'secret',
]);

function stripDecorations(password: string): string {
  return password.toLowerCase().replace(/[^a-z0-9]+/g, '').replace(/\d+$/, '');
}

function isSequence(chars: readonly string[]): boolean {
  if (chars.length < 3) return false;
  const codes = chars.map((c) => c.codePointAt(0)!);
  const step = codes[1]! - codes[0]!;
  return Math.abs(step) <= 1 && codes.every((c, i) => i === 0 || c - codes[i - 1]! === step);
}

/**
 * Checks a candidate password.
 * @example checkPasswordPolicy('hunter2', { username: 'alice' }).problems // ['at least 12 characters']
 */
export function checkPasswordPolicy(password: string, context: { username?: string; email?: string } = {}, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): PasswordCheck {
  const chars = [...password.normalize('NFKC')];
  const problems: string[] = [];
  if (chars.length < policy.minLength) problems.push(`at least ${policy.minLength} characters`);
  if (chars.length > policy.maxLength) problems.push(`at most ${policy.maxLength} characters`);
  const lower = password.toLowerCase();
  const bare = stripDecorations(password);
  if (COMMON.has(lower) || COMMON.has(bare)) problems.push('not a commonly used password');
  if (isSequence(chars)) problems.push('not a single repeated character or a simple sequence');
  const words = [context.username, context.email?.split('@')[0]].filter((w): w is string => w !== undefined && w.length >= 4);
  if (words.some((w) => lower.includes(w.toLowerCase()))) problems.push('must not contain the username');
  return { ok: problems.length === 0, problems };
}

/** Throws PASSWORD_REJECTED listing the problems unless the password is acceptable. */
export function assertPasswordAcceptable(password: string, context: { username?: string; email?: string } = {}, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): void {
  const check = checkPasswordPolicy(password, context, policy);
  if (!check.ok) {
    throw new AppError('PASSWORD_REJECTED', { message: `The password must be: ${check.problems.join('; ')}`, details: { problems: check.problems } });
  }
}

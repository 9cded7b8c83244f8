/**
 * @module security/identity
 * Identity primitives: scrypt password hashing and the password policy, the lockout rule, API
 * tokens (shown once, stored as SHA-256, found by prefix), and OIDC bearer-token verification with
 * claim → group/role mapping. Pure or self-contained: storing users, tokens and failures is the
 * metadata store's job.
 */
export { DEFAULT_SCRYPT_PARAMS, hashPassword, needsRehash, parsePasswordHash, verifyPassword } from './password-hash.js';
export type { ScryptParams } from './password-hash.js';
export { assertPasswordAcceptable, checkPasswordPolicy, DEFAULT_PASSWORD_POLICY } from './password-policy.js';
export type { PasswordCheck, PasswordPolicy } from './password-policy.js';
export { DEFAULT_LOCKOUT_POLICY, lockoutState } from './lockout-policy.js';
export type { LockoutPolicy, LockoutState } from './lockout-policy.js';
export { ApiTokenRecord, DEFAULT_TOKEN_LIFETIME_MS, describeApiToken, hashApiToken, issueApiToken, parseApiToken, revokeApiToken, verifyApiToken } from './api-token.js';
export type { IssueApiTokenOptions } from './api-token.js';
export { createOidcVerifier } from './oidc-verifier.js';
export type { ClaimMapping, JwksSource, OidcConfig, OidcIdentity, OidcVerifier } from './oidc-verifier.js';

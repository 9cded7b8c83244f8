/**
 * @module security/keys
 * Customer-managed keys: the key provider port, the local keyring, and the key service.
 */
export type { KeyProvider, KeyVersionMaterial } from './key-provider.js';
export type { KeyringOptions } from './local-keyring.js';
export { LocalKeyring, writeOwnerOnlyFile } from './local-keyring.js';
export type { DataKey, KeyMetadata, KeyServiceDeps, KeyState, KeyUsage } from './key-service.js';
export {
  AliasSchema,
  AUDIT_SIGNING_KEY_ALIAS,
  DEFAULT_KEY_ALIAS,
  KEY_STATES,
  KeyService,
  MAX_DELETION_DAYS,
  MIN_DELETION_DAYS,
} from './key-service.js';

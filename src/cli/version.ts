/**
 * @module cli/version
 * The CLI's version, in a module of its own so that `attest --version` answers without loading
 * commander or any command declaration (src/cli/entry.ts).
 */
export const CLI_VERSION = '0.1.0';

/**
 * @module app
 * Composition root: configuration in, wired services out.
 */
export type { App } from './app.js';
export type { CheckpointOptions } from './app.js';
export { AUDIT_ANCHOR_FILE, AUDIT_ANCHOR_HISTORY_FILE, AUDIT_MAC_FILE, openApp, openKeyProvider } from './app.js';
export type { CheckStatus, DoctorCheck, DoctorReport } from './doctor.js';
export { diagnose } from './doctor.js';
export type { InitResult } from './init-home.js';
export { DEFAULT_PROJECT, ensureProject, INITIAL_ADMIN, INITIAL_ADMIN_FILE, initHome, projectIdByName } from './init-home.js';

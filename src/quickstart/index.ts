/**
 * @module quickstart
 * The main job: the whitepaper's credit-default lifecycle, end to end.
 */
export type { QuickstartOptions, QuickstartResult } from './quickstart.js';
export { CREDIT_DATA, CREDIT_PIPELINE, PROJECT, runQuickstart } from './quickstart.js';

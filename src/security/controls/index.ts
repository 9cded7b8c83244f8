/**
 * @module security/controls
 * Detective and corrective controls: rules over audit events that lock users, revoke tokens and
 * send signed alerts (webhook, log); scheduled audit verification.
 */
export type { Alert, AlertLogger, AlertSink, WebhookOptions } from './alert-sinks.js';
export { logSink, signAlertBody, verifyAlertSignature, webhookSink } from './alert-sinks.js';
export type { CorrectiveAction, DetectionRule } from './detection-rules.js';
export { BUILT_IN_RULES, RuleWindow, ruleMatches } from './detection-rules.js';
export type { DetectiveControlsDeps } from './detective-controls.js';
export { DetectiveControls } from './detective-controls.js';

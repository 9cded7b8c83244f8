/**
 * @module validation
 * Independent validation of model versions: findings, comments, evidence and an independent
 * sign-off per version.
 */
export type { Comment, Finding, FindingStatus, SignOff, ValidationWorkspace } from './validation-model.js';
export { CommentRequestSchema, CommentSchema, FINDING_STATUSES, FindingRequestSchema, FindingSchema, FindingUpdateSchema, SignOffRequestSchema, SignOffSchema, ValidationWorkspaceSchema } from './validation-model.js';
export { ValidationService } from './validation-service.js';
export { renderValidationReportHtml } from './validation-report.js';
export { createRegistryServices } from './registry-services.js';

/**
 * @module security/policy
 * IAM-style authorisation: resource names, the action catalogue, policy documents, the evaluator
 * (explicit deny > allow > implicit deny, explainable), built-in job-function roles, separation of
 * duties and the policy simulator. Pure: no I/O; the server and CLI supply policies and context.
 */
export { ACTION_CATALOGUE, ACTION_NAMES, ACTION_SERVICES, ActionName, actionsWithAccess, CHECKER_ACTIONS, isCatalogueAction, isCheckerAction } from './action-catalogue.js';
export type { AccessLevel, ActionInfo, ResourceScope } from './action-catalogue.js';
export { BUILT_IN_ROLE_NAMES, BUILT_IN_ROLES, builtInRole, grantBoundaryOf, PROJECT_PLACEHOLDER, SELF_SERVICE_POLICY, TOKEN_SCOPE_PRESETS } from './built-in-roles.js';
export type { BuiltInRoleName, RoleDefinition } from './built-in-roles.js';
export { policiesForGrants, rolePolicy, validateRoleDefinition } from './role-grants.js';
export type { RoleGrant } from './role-grants.js';
export { policyVariable } from './compile-pattern.js';
export { compilePolicy, validatePolicyDocument } from './compile-policy.js';
export { exceedsCeiling } from './grant-ceiling.js';
export type { CeilingExcess } from './grant-ceiling.js';
export type { CompiledPolicy, CompiledStatement } from './compile-policy.js';
export { CONDITION_OPERATORS } from './conditions.js';
export type { ConditionValue } from './conditions.js';
export { CONTEXT_KEYS, canonicalContextKey, requestContext } from './context-keys.js';
export type { ContextKeyType, ContextValue, RequestContext, RequestFacts } from './context-keys.js';
export { assertAllowed, evaluate, evaluateWithScope, isAllowed } from './evaluate.js';
export type { AuthorizationRequest, Decision, EvaluateOptions, NearMiss, PolicySet, StatementRef } from './evaluate.js';
export { cidrContains, parseCidr, parseIp } from './ip-address.js';
export type { CidrRange, IpValue } from './ip-address.js';
export { POLICY_VERSION, PolicyCondition, PolicyDocument, PolicyStatement, statementsOf } from './policy-document.js';
export type { NamedPolicy } from './policy-document.js';
export { formatResourceName, isProjectName, parseResourceName, projectOf, tryParseResourceName } from './resource-name.js';
export type { ResourceName } from './resource-name.js';
export { assertSeparationOfDuties, checkSeparationOfDuties, evaluateRequest, provenanceFacts, separationOfDuties, separationOfDutiesFor } from './separation-of-duties.js';
export type { ApprovalTarget, Approver, CreatorRecord, ResourceProvenance, SeparationOfDutiesInput, SodConflict, SodDecision } from './separation-of-duties.js';
export { parseContextArgs, simulate } from './simulate.js';
export type { SimulateOptions, Simulation } from './simulate.js';

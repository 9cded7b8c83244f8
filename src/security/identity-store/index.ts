/**
 * @module security/identity-store
 * Identities and access in the metadata store: users, service principals, groups, API and session
 * tokens, custom roles, role assignments (installation-wide and per project), managed policies and
 * their attachments; authentication (password with lockout, tokens, OIDC) and the authorizer.
 */
export type { AttachTarget, SubjectType } from './access-store.js';
export { AccessStore } from './access-store.js';
export type { AuthenticatorDeps, LoginResult, RequestMeta } from './authenticator.js';
export { Authenticator, DEFAULT_SESSION_TTL_MS, SYSTEM_ACTOR, TOKEN_CACHE_MS } from './authenticator.js';
export type { AuthorizerDeps, RequestFactsWithoutPrincipal } from './authorizer.js';
export { Authorizer } from './authorizer.js';
export type { IdentityOptions, IdentityServices } from './identity-services.js';
export type { BoundaryRule, PermissionBoundaryDeps, PermissionChange } from './permission-boundary.js';
export { PermissionBoundary } from './permission-boundary.js';
export { createIdentityServices, SimulationView, simulateFor, simulationView } from './identity-services.js';
export type { Principal, PrincipalKind } from './identity-model.js';
export { AssignmentView, auditNameOf, GroupView, Name, NAME_PATTERN, PolicyView, PRINCIPAL_KINDS, RoleView, TokenView, UserView } from './identity-model.js';
export type { CreateTokenInput } from './token-store.js';
export { TokenStore } from './token-store.js';
export type { CreateUserInput, StoreDeps } from './user-store.js';
export { UserStore } from './user-store.js';

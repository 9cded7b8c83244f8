/**
 * @module server/routes/access-routes
 * Roles, role assignments, managed policies, the policy simulator, and projects with their
 * members. Project listings are filtered to the projects the caller may describe.
 */
import { z } from 'zod';
import type { App } from '../../app/index.js';
import { ensureProject } from '../../app/index.js';
import { AppError } from '../../kernel/index.js';
import type { PermissionChange, Principal } from '../../security/identity-store/index.js';
import { AssignmentView, Name, PolicyView, RoleView, SimulationView, simulateFor, simulationView } from '../../security/identity-store/index.js';
import type { Actor } from '../../security/audit/index.js';
import type { FastifyRequest } from 'fastify';
import { PolicyDocument } from '../../security/policy/index.js';
import type { RouteKit } from '../route-kit.js';
import { requestFacts } from '../route-kit.js';
import { NameParams, Ok, PolicyRef, ProjectName, ProjectParams } from './schemas.js';

const Subject = z.object({ subjectType: z.enum(['user', 'group']).default('user'), subject: Name, role: Name });
const ProjectView = z.object({ id: z.string(), name: z.string(), description: z.string(), createdAt: z.string(), createdBy: z.string() });

/**
 * Refuses a change to who may do what that is outside the caller's permission boundary (its own
 * permissions, more than it may grant, the administrator role), audited as denied on the route's
 * action and resource.
 */
export async function checkBoundary(app: App, input: { principal: Principal; actor: Actor; req: FastifyRequest }, action: string, change: PermissionChange): Promise<void> {
  await app.identity.boundary.check(input.principal, input.actor, action, input.req.resourceName ?? '', change, requestFacts(input.req));
}

export function registerAccessRoutes(kit: RouteKit, app: App): void {
  const { access, authorizer } = app.identity;
  const tags = ['access'];

  // roles
  kit.route({
    method: 'GET', url: '/v1/roles', summary: 'List built-in and custom roles', tags, action: 'role:List', audit: 'server',
    resource: () => 'attest::role/*', response: z.array(RoleView), handler: () => access.listRoles(),
  });
  kit.route({
    method: 'GET', url: '/v1/roles/:name', summary: 'Describe a role', tags, action: 'role:Describe', audit: 'server', params: NameParams,
    resource: ({ params }) => `attest::role/${params.name}`, response: RoleView, handler: ({ params }) => access.describeRole(params.name),
  });
  kit.route({
    method: 'POST', url: '/v1/roles', summary: 'Create a custom role (a project role must confine every statement to the project it is granted in)', tags, action: 'role:Create', audit: 'service',
    body: z.object({ name: Name, description: z.string().max(500).optional(), scope: z.enum(['project', 'installation']), document: PolicyDocument }),
    resource: ({ body }) => `attest::role/${body.name}`, response: RoleView,
    handler: ({ actor, body }) => access.createRole(actor, { name: body.name, scope: body.scope, document: body.document, ...(body.description ? { description: body.description } : {}) }),
  });
  kit.route({
    method: 'DELETE', url: '/v1/roles/:name', summary: 'Delete a custom role and its assignments', tags, action: 'role:Delete', audit: 'service', params: NameParams,
    resource: ({ params }) => `attest::role/${params.name}`, response: RoleView,
    handler: async (input) => {
      await checkBoundary(app, input, 'role:Delete', { kind: 'delete-role', role: input.params.name });
      return access.deleteRole(input.actor, input.params.name);
    },
  });
  kit.route({
    method: 'POST', url: '/v1/roles/:name/policies', summary: 'Attach a managed policy to a role', tags, action: 'role:Update', audit: 'service', params: NameParams, body: PolicyRef,
    resource: ({ params }) => `attest::role/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params, body } = input;
      await checkBoundary(app, input, 'role:Update', { kind: 'attach-policy', target: 'role', subject: params.name, policy: body.policy });
      await access.attachPolicy(actor, body.policy, 'role', params.name);
      return { ok: true as const };
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/roles/:name/policies/:policy', summary: 'Detach a managed policy from a role', tags, action: 'role:Update', audit: 'service',
    params: z.object({ name: Name, policy: Name }),
    resource: ({ params }) => `attest::role/${params.name}`, response: Ok,
    handler: async (input) => {
      const { actor, params } = input;
      await checkBoundary(app, input, 'role:Update', { kind: 'detach-policy', target: 'role', subject: params.name, policy: params.policy });
      await access.detachPolicy(actor, params.policy, 'role', params.name);
      return { ok: true as const };
    },
  });

  // installation-wide role assignments (project grants are project membership, below)
  kit.route({
    method: 'GET', url: '/v1/role-assignments', summary: 'List installation-wide role assignments', tags, action: 'role:List', audit: 'server',
    resource: () => 'attest::role/*', response: z.array(AssignmentView), handler: () => access.listAssignments({ project: '' }),
  });
  kit.route({
    method: 'POST', url: '/v1/role-assignments', summary: 'Grant an installation-wide role to a user or group', tags, action: 'role:Assign', audit: 'service', body: Subject,
    resource: ({ body }) => `attest::role/${body.role}`, response: AssignmentView,
    handler: async (input) => {
      const { subjectType, subject, role } = input.body;
      await checkBoundary(app, input, 'role:Assign', { kind: 'assign-role', subjectType, subject, role });
      return access.assignRole(input.actor, { subjectType, subject, role });
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/role-assignments/:subjectType/:subject/:role', summary: 'Withdraw an installation-wide role', tags, action: 'role:Unassign', audit: 'service',
    params: z.object({ subjectType: z.enum(['user', 'group']), subject: Name, role: Name }),
    resource: ({ params }) => `attest::role/${params.role}`, response: AssignmentView,
    handler: async (input) => {
      await checkBoundary(app, input, 'role:Unassign', { kind: 'unassign-role', ...input.params });
      return access.unassignRole(input.actor, input.params);
    },
  });

  // managed policies
  kit.route({
    method: 'GET', url: '/v1/policies', summary: 'List managed policies', tags, action: 'policy:List', audit: 'server',
    resource: () => 'attest::policy/*', response: z.array(PolicyView), handler: () => access.listPolicies(),
  });
  kit.route({
    method: 'POST', url: '/v1/policies', summary: 'Create a managed policy', tags, action: 'policy:Create', audit: 'service',
    body: z.object({ name: Name, description: z.string().max(500).optional(), document: PolicyDocument }),
    resource: ({ body }) => `attest::policy/${body.name}`, response: PolicyView,
    handler: ({ actor, body }) => access.createPolicy(actor, { name: body.name, document: body.document, ...(body.description ? { description: body.description } : {}) }),
  });
  kit.route({
    method: 'GET', url: '/v1/policies/:name', summary: 'Describe a managed policy', tags, action: 'policy:Describe', audit: 'server', params: NameParams,
    resource: ({ params }) => `attest::policy/${params.name}`, response: PolicyView, handler: ({ params }) => access.describePolicy(params.name),
  });
  kit.route({
    method: 'PUT', url: '/v1/policies/:name', summary: "Replace a managed policy's document (a new version)", tags, action: 'policy:Update', audit: 'service', params: NameParams,
    body: z.object({ document: PolicyDocument }),
    resource: ({ params }) => `attest::policy/${params.name}`, response: PolicyView,
    handler: async (input) => {
      await checkBoundary(app, input, 'policy:Update', { kind: 'update-policy', policy: input.params.name, document: input.body.document });
      return access.updatePolicy(input.actor, input.params.name, input.body.document);
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/policies/:name', summary: 'Delete a managed policy and its attachments', tags, action: 'policy:Delete', audit: 'service', params: NameParams,
    resource: ({ params }) => `attest::policy/${params.name}`, response: PolicyView,
    handler: async (input) => {
      await checkBoundary(app, input, 'policy:Delete', { kind: 'delete-policy', policy: input.params.name });
      return access.deletePolicy(input.actor, input.params.name);
    },
  });
  kit.route({
    method: 'POST', url: '/v1/policy-simulations', summary: "Simulate a decision for a principal and name the deciding statement", tags, action: 'policy:Simulate', audit: 'server',
    body: z.object({ principal: Name, action: z.string().min(1).max(128), resource: z.string().min(1).max(2048), context: z.array(z.string().max(2048)).max(64).default([]) }),
    resource: () => 'attest::policy/*',
    response: SimulationView,
    handler: async ({ body }) => simulationView(await simulateFor(app.identity, body.principal, body.action, body.resource, body.context)),
  });

  // projects
  const projectTags = ['projects'];
  const projectRow = async (name: string) => {
    const row = await app.db.kysely.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', { message: `No project ${name}` });
    return { id: row.id, name: row.name, description: row.description, createdAt: row.created_at, createdBy: row.created_by };
  };
  kit.route({
    method: 'GET', url: '/v1/projects', summary: 'List the projects the caller may see', tags: projectTags, action: 'project:List', audit: 'server',
    resource: () => 'attest::project/*', response: z.array(ProjectView),
    handler: async ({ principal, req }) => {
      const rows = await app.db.kysely.selectFrom('projects').selectAll().orderBy('name').execute();
      const visible = [];
      for (const row of rows) {
        const decision = await authorizer.decide(principal, 'project:Describe', `attest:${row.name}:project/${row.name}`, requestFacts(req, row.name));
        if (decision.decision === 'Allow') visible.push({ id: row.id, name: row.name, description: row.description, createdAt: row.created_at, createdBy: row.created_by });
      }
      return visible;
    },
  });
  kit.route({
    method: 'POST', url: '/v1/projects', summary: 'Create a project', tags: projectTags, action: 'project:Create', audit: 'service',
    body: z.object({ name: ProjectName, description: z.string().max(500).default('') }),
    resource: ({ body }) => `attest:${body.name}:project/${body.name}`, response: ProjectView,
    handler: async ({ actor, body }) => {
      if (await app.db.kysely.selectFrom('projects').select('id').where('name', '=', body.name).executeTakeFirst()) throw new AppError('CONFLICT', { message: `A project called ${body.name} already exists` });
      await ensureProject(app, actor, body.name, body.description);
      return projectRow(body.name);
    },
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project', summary: 'Describe a project', tags: projectTags, action: 'project:Describe', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: ProjectView, handler: ({ params }) => projectRow(params.project),
  });
  kit.route({
    method: 'GET', url: '/v1/projects/:project/members', summary: "List a project's members and their roles", tags: projectTags, action: 'project:ListMembers', audit: 'server', params: ProjectParams,
    resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: z.array(AssignmentView),
    handler: async ({ params }) => {
      await projectRow(params.project);
      return access.listAssignments({ project: params.project });
    },
  });
  kit.route({
    method: 'POST', url: '/v1/projects/:project/members', summary: 'Grant a user or group a project role', tags: projectTags, action: 'project:AddMember', audit: 'service', params: ProjectParams, body: Subject,
    resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: AssignmentView,
    handler: async (input) => {
      const { params, body } = input;
      await checkBoundary(app, input, 'project:AddMember', { kind: 'assign-role', subjectType: body.subjectType, subject: body.subject, role: body.role, project: params.project });
      return access.assignRole(input.actor, { ...body, project: params.project });
    },
  });
  kit.route({
    method: 'DELETE', url: '/v1/projects/:project/members/:subjectType/:subject/:role', summary: "Withdraw a member's project role", tags: projectTags, action: 'project:RemoveMember', audit: 'service',
    params: z.object({ project: ProjectName, subjectType: z.enum(['user', 'group']), subject: Name, role: Name }),
    resource: ({ params }) => `attest:${params.project}:project/${params.project}`, response: AssignmentView,
    handler: async (input) => {
      await checkBoundary(app, input, 'project:RemoveMember', { kind: 'unassign-role', ...input.params });
      return access.unassignRole(input.actor, input.params);
    },
  });
}

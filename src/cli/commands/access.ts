/**
 * `attest roles | policies | projects …` and `attest policy simulate`: who may do what, embedded
 * or through a server.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../kernel/index.js';
import type { AssignmentView, AttachTarget, PolicyView, RoleView, SimulationView } from '../../security/identity-store/index.js';
import type { PolicyDocument } from '../../security/policy/index.js';
import type { CliContext, CommonOptions } from '../context.js';
import { printJson, printRecord, printTable } from '../output.js';
import { commonRemote, embeddedOrRemote } from '../remote.js';

function readDocument(file: string): PolicyDocument {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PolicyDocument;
  } catch (error) {
    throw new AppError('POLICY_INVALID', { message: `Cannot read a policy document from ${file}: ${(error as Error).message}` });
  }
}

const ASSIGNMENT_COLUMNS = [
  { header: 'SUBJECT', value: (a: AssignmentView) => `${a.subjectType}:${a.subject}` },
  { header: 'ROLE', value: (a: AssignmentView) => a.role },
  { header: 'PROJECT', value: (a: AssignmentView) => a.project ?? '(installation)' },
  { header: 'GRANTED BY', value: (a: AssignmentView) => a.createdBy },
  { header: 'AT', value: (a: AssignmentView) => a.createdAt },
];

interface SubjectOptions extends CommonOptions {
  user?: string;
  group?: string;
  project?: string;
}

function subjectOf(o: SubjectOptions): { subjectType: 'user' | 'group'; subject: string } {
  if ((o.user === undefined) === (o.group === undefined)) throw new AppError('INVALID_INPUT', { message: 'Give exactly one of --user NAME and --group NAME' });
  return o.user ? { subjectType: 'user', subject: o.user } : { subjectType: 'group', subject: o.group! };
}

function show(ctx: CliContext, o: CommonOptions, value: object): void {
  if (o.json) printJson(ctx.io, value);
  else printRecord(ctx.io, value as Record<string, unknown>);
}

export function registerAccessCommands(program: Command, ctx: CliContext): void {
  const roles = program.command('roles').description('job-function roles and their grants');
  commonRemote(roles.command('list').description('list built-in and custom roles')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.access.listRoles(), (c) => c.json<RoleView[]>('GET', '/v1/roles'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [{ header: 'NAME', value: (r) => r.name }, { header: 'SCOPE', value: (r) => r.scope }, { header: 'BUILT-IN', value: (r) => r.builtIn }, { header: 'DESCRIPTION', value: (r) => r.description }]);
  });
  commonRemote(roles.command('describe <name>').description("show a role's policy document")).action(async (name: string, o: CommonOptions) => {
    const role = await embeddedOrRemote(ctx, o, (app) => app.identity.access.describeRole(name), (c) => c.json<RoleView>('GET', `/v1/roles/${name}`));
    if (o.json) printJson(ctx.io, role);
    else {
      printRecord(ctx.io, { name: role.name, scope: role.scope, builtIn: role.builtIn, description: role.description, attachedPolicies: role.attachedPolicies.join(',') || '-' });
      ctx.io.out(JSON.stringify(role.document, null, 2));
    }
  });
  commonRemote(roles.command('create <name>').description('create a custom role from a policy document file'))
    .requiredOption('--file <path>', 'policy document (JSON)')
    .option('--scope <scope>', 'project (bound to a project when granted) or installation', 'project')
    .option('--description <text>', 'description')
    .action(async (name: string, o: CommonOptions & { file: string; scope: string; description?: string }) => {
      if (o.scope !== 'project' && o.scope !== 'installation') throw new AppError('INVALID_INPUT', { message: '--scope must be project or installation' });
      const input = { name, scope: o.scope as 'project' | 'installation', document: readDocument(o.file), ...(o.description ? { description: o.description } : {}) };
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.createRole(actor, input), (c) => c.json<RoleView>('POST', '/v1/roles', { json: input })));
    });
  commonRemote(roles.command('delete <name>').description('delete a custom role and its grants')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.deleteRole(actor, name), (c) => c.json<RoleView>('DELETE', `/v1/roles/${name}`)));
  });
  const grant = (c: Command) => commonRemote(c).option('--user <name>', 'a user or service principal').option('--group <name>', 'a group').option('--project <name>', 'grant in this project (project roles)');
  grant(roles.command('assign <role>').description('grant a role installation-wide, or in a project with --project')).action(async (role: string, o: SubjectOptions) => {
    const input = { ...subjectOf(o), role };
    const result = await embeddedOrRemote(
      ctx,
      o,
      (app, actor) => app.identity.access.assignRole(actor, { ...input, ...(o.project ? { project: o.project } : {}) }),
      (c) => (o.project ? c.json<AssignmentView>('POST', `/v1/projects/${o.project}/members`, { json: input }) : c.json<AssignmentView>('POST', '/v1/role-assignments', { json: input })),
    );
    show(ctx, o, result);
  });
  grant(roles.command('unassign <role>').description('withdraw a role')).action(async (role: string, o: SubjectOptions) => {
    const input = { ...subjectOf(o), role };
    const path = o.project ? `/v1/projects/${o.project}/members/${input.subjectType}/${input.subject}/${role}` : `/v1/role-assignments/${input.subjectType}/${input.subject}/${role}`;
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.unassignRole(actor, { ...input, ...(o.project ? { project: o.project } : {}) }), (c) => c.json<AssignmentView>('DELETE', path)));
  });
  commonRemote(roles.command('assignments').description('list installation-wide role grants')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.access.listAssignments({ project: '' }), (c) => c.json<AssignmentView[]>('GET', '/v1/role-assignments'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, ASSIGNMENT_COLUMNS);
  });

  const policies = program.command('policies').description('managed IAM-style policies');
  commonRemote(policies.command('list').description('list managed policies')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.access.listPolicies(), (c) => c.json<PolicyView[]>('GET', '/v1/policies'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [{ header: 'NAME', value: (p) => p.name }, { header: 'VERSION', value: (p) => p.version }, { header: 'ATTACHED TO', value: (p) => p.attachments.map((a) => `${a.subjectType}:${a.subject}`).join(',') || '-' }, { header: 'UPDATED', value: (p) => p.updatedAt }]);
  });
  commonRemote(policies.command('describe <name>').description('show a policy')).action(async (name: string, o: CommonOptions) => {
    const p = await embeddedOrRemote(ctx, o, (app) => app.identity.access.describePolicy(name), (c) => c.json<PolicyView>('GET', `/v1/policies/${name}`));
    if (o.json) printJson(ctx.io, p);
    else {
      printRecord(ctx.io, { name: p.name, version: p.version, description: p.description, attachedTo: p.attachments.map((a) => `${a.subjectType}:${a.subject}`).join(',') || '-' });
      ctx.io.out(JSON.stringify(p.document, null, 2));
    }
  });
  commonRemote(policies.command('create <name>').description('create a managed policy from a JSON file'))
    .requiredOption('--file <path>', 'policy document (JSON)')
    .option('--description <text>', 'description')
    .action(async (name: string, o: CommonOptions & { file: string; description?: string }) => {
      const input = { name, document: readDocument(o.file), ...(o.description ? { description: o.description } : {}) };
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.createPolicy(actor, input), (c) => c.json<PolicyView>('POST', '/v1/policies', { json: input })));
    });
  commonRemote(policies.command('update <name>').description("replace a policy's document (a new version)"))
    .requiredOption('--file <path>', 'policy document (JSON)')
    .action(async (name: string, o: CommonOptions & { file: string }) => {
      const document = readDocument(o.file);
      show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.updatePolicy(actor, name, document), (c) => c.json<PolicyView>('PUT', `/v1/policies/${name}`, { json: { document } })));
    });
  commonRemote(policies.command('delete <name>').description('delete a policy and its attachments')).action(async (name: string, o: CommonOptions) => {
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.deletePolicy(actor, name), (c) => c.json<PolicyView>('DELETE', `/v1/policies/${name}`)));
  });
  const target = (c: Command) => commonRemote(c).option('--user <name>', 'a user').option('--group <name>', 'a group').option('--role <name>', 'a role');
  const targetOf = (o: CommonOptions & { user?: string; group?: string; role?: string }): [AttachTarget, string] => {
    const given = (['user', 'group', 'role'] as const).filter((k) => o[k] !== undefined);
    if (given.length !== 1) throw new AppError('INVALID_INPUT', { message: 'Give exactly one of --user, --group and --role' });
    return [given[0]!, o[given[0]!]!];
  };
  const PATH: Record<AttachTarget, string> = { user: 'users', group: 'groups', role: 'roles' };
  target(policies.command('attach <policy>').description('attach a policy to a user, group or role')).action(async (policy: string, o: CommonOptions & { user?: string; group?: string; role?: string }) => {
    const [type, name] = targetOf(o);
    await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.attachPolicy(actor, policy, type, name), (c) => c.json('POST', `/v1/${PATH[type]}/${name}/policies`, { json: { policy } }));
    if (!o.json) ctx.io.out(`Attached ${policy} to ${type} ${name}`);
  });
  target(policies.command('detach <policy>').description('detach a policy')).action(async (policy: string, o: CommonOptions & { user?: string; group?: string; role?: string }) => {
    const [type, name] = targetOf(o);
    await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.detachPolicy(actor, policy, type, name), (c) => c.json('DELETE', `/v1/${PATH[type]}/${name}/policies/${policy}`));
    if (!o.json) ctx.io.out(`Detached ${policy} from ${type} ${name}`);
  });

  const policy = program.command('policy').description('policy tools');
  commonRemote(policy.command('simulate').description('decide a request for a principal and print the statement that decided it'))
    .requiredOption('--principal <name>', 'user or service principal, e.g. alice or user:alice')
    .requiredOption('--action <action>', 'e.g. model:Approve')
    .requiredOption('--resource <name>', 'e.g. attest:credit-risk:model/mp_1')
    .option('--context <k=v>', 'request context, repeatable (SourceIp=10.0.0.7, MfaPresent=true, …)', (v: string, all: string[]) => [...all, v], [] as string[])
    .action(async (o: CommonOptions & { principal: string; action: string; resource: string; context: string[] }) => {
      const result = await embeddedOrRemote(
        ctx,
        o,
        async (app) => {
          const { simulateFor, simulationView } = await import('../../security/identity-store/index.js');
          return simulationView(await simulateFor(app.identity, o.principal, o.action, o.resource, o.context));
        },
        (c) => c.json<SimulationView>('POST', '/v1/policy-simulations', { json: { principal: o.principal, action: o.action, resource: o.resource, context: o.context } }),
      );
      if (o.json) printJson(ctx.io, result);
      else ctx.io.out(result.text);
    });

  const projects = program.command('projects').description('projects: the unit of isolation');
  interface ProjectRow {
    id: string;
    name: string;
    description: string;
    createdAt: string;
    createdBy: string;
  }
  const listProjects = async (app: Parameters<Parameters<typeof embeddedOrRemote>[2]>[0]): Promise<ProjectRow[]> =>
    (await app.db.kysely.selectFrom('projects').selectAll().orderBy('name').execute()).map((r) => ({ id: r.id, name: r.name, description: r.description, createdAt: r.created_at, createdBy: r.created_by }));
  commonRemote(projects.command('list').description('list projects (on a server: those you may see)')).action(async (o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => listProjects(app), (c) => c.json<ProjectRow[]>('GET', '/v1/projects'));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, [{ header: 'NAME', value: (p) => p.name }, { header: 'DESCRIPTION', value: (p) => p.description }, { header: 'CREATED', value: (p) => p.createdAt }, { header: 'BY', value: (p) => p.createdBy }]);
  });
  commonRemote(projects.command('create <name>').description('create a project'))
    .option('--description <text>', 'description', '')
    .action(async (name: string, o: CommonOptions & { description: string }) => {
      const row = await embeddedOrRemote(
        ctx,
        o,
        async (app, actor) => {
          if ((await listProjects(app)).some((p) => p.name === name)) throw new AppError('CONFLICT', { message: `A project called ${name} already exists` });
          const { ensureProject } = await import('../../app/index.js');
          await ensureProject(app, actor, name, o.description);
          return (await listProjects(app)).find((p) => p.name === name)!;
        },
        (c) => c.json<ProjectRow>('POST', '/v1/projects', { json: { name, description: o.description } }),
      );
      show(ctx, o, row);
    });
  commonRemote(projects.command('members <project>').description("list a project's members and roles")).action(async (project: string, o: CommonOptions) => {
    const rows = await embeddedOrRemote(ctx, o, (app) => app.identity.access.listAssignments({ project }), (c) => c.json<AssignmentView[]>('GET', `/v1/projects/${project}/members`));
    if (o.json) printJson(ctx.io, rows);
    else printTable(ctx.io, rows, ASSIGNMENT_COLUMNS);
  });
  const member = (c: Command) => commonRemote(c).option('--user <name>', 'a user or service principal').option('--group <name>', 'a group').requiredOption('--role <role>', 'project role, e.g. data-scientist');
  member(projects.command('add-member <project>').description('grant a user or group a role in the project')).action(async (project: string, o: SubjectOptions & { role: string }) => {
    const input = { ...subjectOf(o), role: o.role };
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.assignRole(actor, { ...input, project }), (c) => c.json<AssignmentView>('POST', `/v1/projects/${project}/members`, { json: input })));
  });
  member(projects.command('remove-member <project>').description("withdraw a member's project role")).action(async (project: string, o: SubjectOptions & { role: string }) => {
    const input = { ...subjectOf(o), role: o.role };
    show(ctx, o, await embeddedOrRemote(ctx, o, (app, actor) => app.identity.access.unassignRole(actor, { ...input, project }), (c) => c.json<AssignmentView>('DELETE', `/v1/projects/${project}/members/${input.subjectType}/${input.subject}/${o.role}`)));
  });
}

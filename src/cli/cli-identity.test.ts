/**
 * The identity and access commands on the embedded home (no server): tables by default, --json
 * for scripts, one-line errors with documented exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { createTestInstallation } from '../../test/support/test-app.js';

describe('identity commands on the home', () => {
  let t: TestInstallation;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await createTestInstallation('sqlite', 'fs');
    await t.app.close();
    env = { ...t.env };
    delete env.ATTEST_URL;
    delete env.ATTEST_TOKEN;
  }, 60_000);
  afterAll(async () => t?.dispose());

  it('users, groups, projects, roles and tokens', async () => {
    expect((await cli(['users', 'create', 'hana', '--email', 'hana@bank.example'], env)).code).toBe(0);
    expect((await cli(['users', 'create', 'etl', '--service'], env)).code).toBe(0);
    const users = await cli(['users', 'list'], env);
    expect(users.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+STATUS/);
    expect(users.stdout).toMatch(/etl\s+service\s+active/);
    expect((await cli(['groups', 'create', 'risk'], env)).code).toBe(0);
    expect((await cli(['groups', 'add-member', 'risk', 'hana'], env)).code).toBe(0);
    expect((await cli(['projects', 'create', 'credit-risk', '--description', 'PD models'], env)).code).toBe(0);
    expect((await cli(['roles', 'assign', 'model-validator', '--group', 'risk', '--project', 'credit-risk'], env)).code).toBe(0);
    const members = JSON.parse((await cli(['projects', 'members', 'credit-risk', '--json'], env)).stdout) as { subject: string; role: string }[];
    expect(members).toMatchObject([{ subject: 'risk', role: 'model-validator' }]);
    const sim = await cli(['policy', 'simulate', '--principal', 'hana', '--action', 'model:Approve', '--resource', 'attest:credit-risk:model/mp_1', '--context', 'ResourceCreator=dana'], env);
    expect(sim.stdout).toMatch(/^ALLOWED/);
    expect(sim.stdout).toContain('role/model-validator@credit-risk');
    const own = await cli(['policy', 'simulate', '--principal', 'hana', '--action', 'model:Approve', '--resource', 'attest:credit-risk:model/mp_1', '--context', 'ResourceCreator=hana', '--json'], env);
    expect(JSON.parse(own.stdout)).toMatchObject({ decision: 'ExplicitDeny', layer: 'separation-of-duties', decidingStatement: null, separationOfDuties: { allowed: false, reason: expect.stringContaining('hana created attest:credit-risk:model/mp_1') } });
    const train = await cli(['policy', 'simulate', '--principal', 'hana', '--action', 'model:Train', '--resource', 'attest:credit-risk:model/mp_1'], env);
    expect(train.stdout).toMatch(/^DENIED \(implicit deny/);
    const token = await cli(['tokens', 'create', 'nightly', '--user', 'etl', '--scope', 'read-only', '--days', '1'], env);
    expect(token.stdout).toMatch(/^attest_/);
    expect(token.stderr).toMatch(/not shown again/);
    const list = await cli(['tokens', 'list', '--user', 'etl', '--json'], env);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'nightly', scope: 'read-only' }]);
    expect(list.stdout).not.toContain(token.stdout.trim());
    const roles = await cli(['roles', 'list'], env);
    for (const r of ['administrator', 'security-administrator', 'data-scientist', 'ml-engineer', 'model-validator', 'auditor', 'viewer']) expect(roles.stdout).toContain(r);
    const history = await cli(['config', 'history', '--type', 'role-assignment'], env);
    expect(history.stdout).toContain('group:risk');
  });

  it('errors are one line with the documented exit code', async () => {
    const missing = await cli(['users', 'describe', 'nobody'], env);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('attest: error NOT_FOUND: No user or service principal nobody');
    const dup = await cli(['users', 'create', 'hana'], env);
    expect(dup.code).toBe(5);
    const weak = await cli(['users', 'create', 'ivan'], { ...env, ATTEST_NEW_PASSWORD: 'short' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/^attest: error PASSWORD_REJECTED/);
    const badScope = await cli(['roles', 'assign', 'auditor', '--user', 'hana', '--project', 'credit-risk'], env);
    expect(badScope.code).toBe(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureProject, projectIdByName } from '../app/index.js';
import { isAppError } from '../kernel/index.js';
import { createTestInstallation, TEST_ACTOR } from '../../test/support/test-app.js';
import type { TestInstallation } from '../../test/support/test-app.js';
import { testDialects } from '../../test/support/databases.js';
import type { Scenario } from '../../test/support/tracking-scenario.js';
import { putBytes, runScenario } from '../../test/support/tracking-scenario.js';
import { lineageTableCsv } from './index.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
  return 'resolved';
}

describe.each(testDialects())('tracking on %s', (dialect) => {
  let inst: TestInstallation;
  let projectA: string;
  let projectB: string;
  let s: Scenario;
  let other: Scenario;

  beforeAll(async () => {
    inst = await createTestInstallation(dialect, 'fs');
    projectA = await projectIdByName(inst.app, 'default');
    projectB = await ensureProject(inst.app, TEST_ACTOR, 'other-team', 'another project');
    s = await runScenario(inst.app, TEST_ACTOR, projectA);
    other = await runScenario(inst.app, { principal: 'user:bob' }, projectB, 'credit-default');
  }, 60_000);
  afterAll(async () => inst?.dispose());

  it('records two trials sharing one preprocessing component', async () => {
    const { tracking } = inst.app;
    const pre = await tracking.getComponent(s.preprocessing.componentId, [projectA]);
    expect(pre.trialIds.sort()).toEqual([...s.trialIds].sort());
    expect(pre.status).toBe('Completed');
    expect(pre.outputs.map((o) => o.role).sort()).toEqual(['test', 'train', 'validation']);
    const [t1] = s.training;
    expect(t1.parameters).toEqual({ eta: 0.2, max_depth: 5, num_round: 5, objective: 'binary:logistic' });
    expect(t1.inputs.find((i) => i.role === 'dataset')?.artifactId).toBe(s.datasetId);
    expect(t1.outputs.find((o) => o.role === 'model')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(t1.source?.commit).toBe('a1b2c3d4e5f60718293a4b5c6d7e8f9012345678');
    expect(t1.environment?.runtime).toBe(`node ${process.version}`);
    const auc = t1.metrics.find((m) => m.name === 'validation:auc')!;
    expect(auc.count).toBe(5);
    expect(auc.last).toBeCloseTo(0.74 + 0.04, 10);
    const history = await tracking.metricHistory(t1.componentId, 'validation:auc', [projectA]);
    expect(history.map((p) => p.step)).toEqual([0, 1, 2, 3, 4]);
  });

  it('prints and exports the lineage table', async () => {
    const { rows } = await inst.app.tracking.lineageTable('credit-default', [projectA], projectA);
    expect(rows.map((r) => r.component)).toEqual(['Preprocessing', 'Training-eta-0.2', 'Training-eta-0.1']);
    expect(rows[0]!.trials.sort()).toEqual(['eta-0.1', 'eta-0.2']);
    expect(rows[1]!.author).toBe('Dana Scientist <dana@bank.example>');
    const csv = lineageTableCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('component,type,status,trials,parameters,inputs,outputs,metrics,commit,author,date');
    expect(csv).toContain('eta=0.2;max_depth=5');
    expect(csv.split('\r\n').length).toBe(5);
  });

  it('answers which training components used the dataset, and none for the holdout', async () => {
    const { lineage } = inst.app;
    const down = await lineage.downstream(s.datasetId, { visibleProjects: [projectA], types: ['training'] });
    expect(down.nodes.map((n) => n.id).sort()).toEqual(s.training.map((t) => t.componentId).sort());
    const everything = await lineage.downstream(s.datasetId, { visibleProjects: [projectA] });
    const ids = everything.nodes.map((n) => n.id);
    for (const id of [s.preprocessing.componentId, ...s.trialIds, ...s.modelIds, s.experimentId]) expect(ids).toContain(id);
    const holdout = await lineage.downstream(s.holdoutId, { visibleProjects: [projectA], types: ['training'] });
    expect(holdout.nodes).toEqual([]);
    const up = await lineage.upstream(s.modelIds[0], { visibleProjects: [projectA], includeEdges: true });
    expect(up.nodes.map((n) => n.id)).toContain(s.datasetId);
    expect(up.nodes.find((n) => n.id === s.training[0].componentId)?.depth).toBe(1);
    expect(up.edges?.some((e) => e.type === 'Produced' && e.destId === s.modelIds[0])).toBe(true);
    const onlyDirect = await lineage.downstream(s.datasetId, { visibleProjects: [projectA], depth: 1 });
    expect(onlyDirect.nodes.every((n) => n.depth === 1)).toBe(true);
  });

  it('refuses changes to a completed component but still takes tags and notes', async () => {
    const ctx = { actor: TEST_ACTOR, projectId: projectA };
    const id = s.training[0].componentId;
    const { tracking } = inst.app;
    expect(await code(tracking.logParameters(ctx, id, { eta: 0.3 }))).toBe('COMPONENT_COMPLETED');
    expect(await code(tracking.logInput(ctx, id, { role: 'holdout', ref: s.holdoutId }))).toBe('COMPONENT_COMPLETED');
    expect(await code(tracking.logOutput(ctx, id, { role: 'model', ref: s.holdoutId }))).toBe('COMPONENT_COMPLETED');
    expect(await code(tracking.logMetrics(ctx, id, [{ name: 'x', value: 1 }]))).toBe('COMPONENT_COMPLETED');
    expect(await code(tracking.endComponent(ctx, id, 'Failed'))).toBe('COMPONENT_COMPLETED');
    await tracking.setTags(ctx, id, { reviewed: 'yes' });
    await tracking.addNote(ctx, id, 'validated by the second line');
    const c = await tracking.getComponent(id, [projectA]);
    expect(c.parameters.eta).toBe(0.2);
    expect(c.tags.reviewed).toBe('yes');
    expect(c.notes[0]?.text).toBe('validated by the second line');
    const holdout = await inst.app.lineage.downstream(s.holdoutId, { visibleProjects: [projectA] });
    expect(holdout.nodes).toEqual([]);
  });

  it('marks a component Failed when its block throws', async () => {
    const { InProcessTransport, Tracker } = await import('./index.js');
    const tracker = new Tracker(new InProcessTransport(inst.app, { actor: TEST_ACTOR, projectId: projectA }), { source: 'none' });
    const trial = await tracker.trial('credit-default', 'broken');
    let id = '';
    await expect(
      tracker.component('Training-broken', 'training', async (c) => {
        id = c.componentId;
        await c.logParameters({ eta: 1 });
        throw new Error('out of memory');
      }, { trials: [trial] }),
    ).rejects.toThrow('out of memory');
    const c = await inst.app.tracking.getComponent(id, [projectA]);
    expect(c.status).toBe('Failed');
    expect(c.failureReason).toBe('out of memory');
  });

  it('searches trials and components with filters, sorting and paging', async () => {
    const { tracking } = inst.app;
    const byEta = await tracking.searchTrials({ filter: 'parameters.eta = 0.2', visibleProjects: [projectA] });
    expect(byEta.items.map((t) => t.name)).toEqual(['eta-0.2']);
    const byAuc = await tracking.searchTrials({ filter: 'metrics.`validation:auc` > 0.76 and parameters.objective = "binary:logistic"', visibleProjects: [projectA] });
    expect(byAuc.items.map((t) => t.name)).toEqual(['eta-0.2']);
    const inTrial = await tracking.searchComponents({ filter: 'parents.trialName = eta-0.1', sortBy: 'name', sortOrder: 'asc', visibleProjects: [projectA] });
    expect(inTrial.items.map((c) => c.name)).toEqual(['Preprocessing', 'Training-eta-0.1']);
    const training = await tracking.searchComponents({ filter: `type = training and createdBy = ${TEST_ACTOR.principal} and createdAt >= 2020-01-01`, visibleProjects: [projectA] });
    expect(training.items.length).toBeGreaterThanOrEqual(2);
    const page1 = await tracking.searchComponents({ limit: 2, sortBy: 'name', sortOrder: 'asc', visibleProjects: [projectA] });
    expect(page1.nextCursor).toBeDefined();
    const page2 = await tracking.searchComponents({ limit: 2, sortBy: 'name', sortOrder: 'asc', cursor: page1.nextCursor!, visibleProjects: [projectA] });
    expect(page2.items[0]!.name > page1.items[1]!.name).toBe(true);
    const ctx = { actor: TEST_ACTOR, projectId: projectA };
    for (let i = 0; i < 3; i++) await tracking.startComponent(ctx, { name: `unfinished-${i}`, type: 'custom' });
    const all = await tracking.searchComponents({ limit: 1000, visibleProjects: [projectA] });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tracking.searchComponents({ limit: 2, sortBy: 'endTime', sortOrder: 'desc', visibleProjects: [projectA], ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.componentId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(all.items.map((c) => c.componentId).sort());
    const liked = await tracking.searchComponents({ filter: "name LIKE 'TRAINING-%'", visibleProjects: [projectA] });
    expect(liked.items.map((c) => c.name).sort()).toEqual(['Training-eta-0.1', 'Training-eta-0.2', 'Training-broken'].sort());
    expect(await code(tracking.searchComponents({ cursor: 'garbage', visibleProjects: [projectA] }))).toBe('INVALID_INPUT');
    expect(await code(tracking.searchTrials({ filter: 'metrics.auc > high', visibleProjects: [projectA] }))).toBe('INVALID_INPUT');
    expect(await code(tracking.searchTrials({ filter: 'eta = 1', visibleProjects: [projectA] }))).toBe('INVALID_INPUT');
    expect(await code(tracking.searchTrials({ filter: 'name = a or name = b', visibleProjects: [projectA] }))).toBe('INVALID_INPUT');
  });

  it('compares trials side by side', async () => {
    const cmp = await inst.app.tracking.compareTrials(s.trialIds, [projectA]);
    expect(cmp.rows.find((r) => r.key === 'training/eta')?.values).toEqual([0.2, 0.1]);
    expect(cmp.rows.some((r) => r.key === 'training/max_depth')).toBe(false);
    expect(cmp.rows.some((r) => r.kind === 'metric' && r.key === 'training/validation:auc')).toBe(true);
  });

  it('never shows another project', async () => {
    const { tracking, lineage } = inst.app;
    expect(await code(lineage.downstream(other.datasetId, { visibleProjects: [projectA] }))).toBe('NOT_FOUND');
    const mine = await lineage.downstream(s.datasetId, { visibleProjects: [projectA] });
    expect(mine.nodes.every((n) => n.projectId === projectA)).toBe(true);
    const trials = await tracking.searchTrials({ visibleProjects: [projectA], limit: 1000 });
    expect(trials.items.every((t) => t.projectId === projectA)).toBe(true);
    expect(trials.items.some((t) => t.trialId === other.trialIds[0])).toBe(false);
    expect(await code(tracking.lineageTable(other.experimentId, [projectA]))).toBe('NOT_FOUND');
    expect(await code(tracking.getComponent(other.training[0].componentId, [projectA]))).toBe('NOT_FOUND');
    expect(await code(tracking.logParameters({ actor: TEST_ACTOR, projectId: projectA }, other.training[0].componentId, { a: 1 }))).toBe('NOT_FOUND');
    expect(await code(tracking.compareTrials([s.trialIds[0], other.trialIds[0]], [projectA]))).toBe('NOT_FOUND');
    const none = await tracking.searchComponents({ visibleProjects: [] });
    expect(none.items).toEqual([]);
  });

  it('puts every write in the audit ledger', async () => {
    const entries = await inst.app.ledger.list({ limit: 100_000 });
    const c = s.training[0].componentId;
    const forComponent = entries.filter((e) => e.resource === `attest:default:component/${c}`).map((e) => e.action);
    expect(forComponent).toContain('component:Create');
    expect(forComponent).toContain('component:Update');
    expect(forComponent).toContain('component:Complete');
    expect(entries.some((e) => e.action === 'experiment:Create' && e.resource === `attest:default:experiment/${s.experimentId}`)).toBe(true);
    expect(entries.some((e) => e.action === 'trial:Create' && e.resource === `attest:default:trial/${s.trialIds[0]}`)).toBe(true);
    expect(entries.some((e) => e.resource === `attest:default:component/${c}` && e.outcome === 'failed' && (e.details as { error?: string }).error === 'COMPONENT_COMPLETED')).toBe(true);
    const report = await inst.app.verifyAudit();
    expect(report.ok).toBe(true);
  });

  it('rejects bad input with clear errors and changes nothing', async () => {
    const ctx = { actor: TEST_ACTOR, projectId: projectA };
    const { tracking } = inst.app;
    expect(await code(tracking.createExperiment(ctx, { name: 'credit-default' }))).toBe('CONFLICT');
    expect(await code(tracking.createExperiment(ctx, { name: '' }))).toBe('INVALID_INPUT');
    expect(await code(tracking.startComponent(ctx, { name: 'x', type: 'bogus' as 'custom' }))).toBe('INVALID_INPUT');
    const started = await tracking.startComponent(ctx, { name: 'scratch', type: 'custom' });
    expect(await code(tracking.logMetrics(ctx, started.componentId, [{ name: 'm', value: Number.NaN }]))).toBe('INVALID_INPUT');
    expect(await code(tracking.logInput(ctx, started.componentId, { role: 'x', ref: 'art_doesnotexist' }))).not.toBe('resolved');
    const unused = await putBytes(inst.app, TEST_ACTOR, projectA, 'unused');
    expect(await code(tracking.setSource(ctx, started.componentId, { commit: 'not-a-commit' }))).toBe('INVALID_INPUT');
    const after = await tracking.getComponent(started.componentId, [projectA]);
    expect(after.metrics).toEqual([]);
    expect(after.inputs).toEqual([]);
    expect((await inst.app.lineage.downstream(unused, { visibleProjects: [projectA] })).nodes).toEqual([]);
  });
});

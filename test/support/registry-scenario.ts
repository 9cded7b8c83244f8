/**
 * A small credit-model world for the registry and validation tests, without child processes:
 * a project with a data scientist (dana), two validators (victor; rita, who shares dana's group),
 * an ML engineer (emil) and a model-risk officer (olga, override role); a training dataset
 * imported by the tester; a tracked training component run by dana that read the dataset and
 * produced a small tree model (so lineage, metrics and signature are recorded as a job would).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../src/app/index.js';
import { ensureProject } from '../../src/app/index.js';
import { serializeXgboostModel, train } from '../../src/ml/gbdt/index.js';
import type { RegistryCaller } from '../../src/registry/index.js';
import type { Actor } from '../../src/security/audit/index.js';
import type { Principal } from '../../src/security/identity-store/index.js';
import { PROJECT_PLACEHOLDER } from '../../src/security/policy/index.js';
import { TEST_ACTOR } from './test-app.js';

export const PROJECT = 'credit';

export interface RegistryWorld {
  projectId: string;
  callers: Record<'dana' | 'victor' | 'rita' | 'emil' | 'olga', RegistryCaller>;
  principals: Record<string, Principal>;
  /** API tokens of the named users (for HTTP and CLI tests). */
  tokens: Record<string, string>;
  /** Trains and records one more model (as dana), returning the model artifact's reference. */
  trainModel(seed: number, options?: { auc?: number }): Promise<{ artifactId: string; ref: string; componentId: string }>;
}

export const actorOf = (p: Principal): Actor => ({ principal: p.auditName, sourceIp: '127.0.0.1', userAgent: 'vitest' });

export async function registryWorld(app: App, home: string): Promise<RegistryWorld> {
  const projectId = await ensureProject(app, TEST_ACTOR, PROJECT, 'credit models');
  const { users, access, tokens, authenticator } = app.identity;
  const exists = await app.identity.access.customRoles();
  if (!exists.has('model-risk-officer')) {
    await access.createRole(TEST_ACTOR, {
      name: 'model-risk-officer',
      description: 'Overrides missing evidence with a justification',
      scope: 'project',
      document: { Version: '2025-01-01', Statement: [{ Effect: 'Allow', Action: ['model:List', 'model:Describe', 'model:Deploy'], Resource: `attest:${PROJECT_PLACEHOLDER}:*` }] },
    });
  }
  await users.createGroup(TEST_ACTOR, { name: 'model-dev' });
  const principals: Record<string, Principal> = {};
  const tokenOf: Record<string, string> = {};
  const issue = async (name: string) => {
    tokenOf[name] = (await tokens.create(TEST_ACTOR, { owner: name, name: 't' })).token;
    return authenticator.authenticate(tokenOf[name]!);
  };
  const member = async (name: string, role: string) => {
    await users.create(TEST_ACTOR, { name });
    await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: name, role, project: PROJECT });
    principals[name] = await issue(name);
  };
  await member('dana', 'data-scientist');
  // Dana also holds the validator role (as a senior modeller might): policies would let her approve,
  // so only separation of duties stands between her and her own models.
  await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'dana', role: 'model-validator', project: PROJECT });
  await member('victor', 'model-validator');
  await users.addMember(TEST_ACTOR, 'model-dev', 'dana');
  await users.create(TEST_ACTOR, { name: 'rita' });
  await users.addMember(TEST_ACTOR, 'model-dev', 'rita');
  await access.assignRole(TEST_ACTOR, { subjectType: 'user', subject: 'rita', role: 'model-validator', project: PROJECT });
  principals.rita = await issue('rita');
  await member('emil', 'ml-engineer');
  await member('olga', 'model-risk-officer');
  const caller = (name: string): RegistryCaller => ({ actor: actorOf(principals[name]!), principal: principals[name]! });
  const callers = { dana: caller('dana'), victor: caller('victor'), rita: caller('rita'), emil: caller('emil'), olga: caller('olga') };

  const rows = 200;
  const lines = ['income,utilisation,default'];
  let s = 1;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < rows; i++) {
    const income = Math.round(rand() * 100_000);
    const utilisation = Math.round(rand() * 100) / 100;
    lines.push(`${income},${utilisation},${utilisation > 0.6 && income < 60_000 ? 1 : rand() < 0.1 ? 1 : 0}`);
  }
  const csv = join(home, 'credit-train.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const dataset = await app.datasets.importFile(TEST_ACTOR, csv, { projectId, name: 'credit-train' });

  const trainModel: RegistryWorld['trainModel'] = async (seed, options = {}) => {
    const x = new Float32Array(rows * 2);
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      const [income, utilisation, label] = lines[i + 1]!.split(',').map(Number) as [number, number, number];
      x[i * 2] = income;
      x[i * 2 + 1] = utilisation;
      y[i] = label;
    }
    const model = train({ x: { rows, cols: 2, values: x }, y, featureNames: ['income', 'utilisation'] }, { objective: 'binary:logistic', num_round: 3, max_depth: 2, seed });
    const ctx = { actor: actorOf(principals.dana!), projectId };
    const component = await app.tracking.startComponent(ctx, { name: `train-${seed}`, type: 'training', parameters: { label: 'default', seed } });
    await app.tracking.logInput(ctx, component.componentId, { role: 'train', ref: dataset.artifactId });
    const stored = await app.artifacts.putBytes(ctx.actor, Buffer.from(serializeXgboostModel(model.model)), { projectId, name: 'credit-model', mediaType: 'application/vnd.xgboost.model+json' });
    await app.tracking.logOutput(ctx, component.componentId, { role: 'model', ref: stored.artifactId });
    await app.tracking.logMetrics(ctx, component.componentId, [
      { name: 'train:logloss', value: 0.4 },
      { name: 'test:auc', value: options.auc ?? 0.8 },
    ]);
    await app.tracking.endComponent(ctx, component.componentId, 'Completed');
    return { artifactId: stored.artifactId, ref: `credit-model@${stored.version}`, componentId: component.componentId };
  };
  return { projectId, callers, principals, tokens: tokenOf, trainModel };
}

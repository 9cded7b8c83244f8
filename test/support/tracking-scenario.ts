/**
 * The issue-4 scenario through the SDK: an experiment with two trials sharing one preprocessing
 * component; each trial's training component logs parameters, takes a dataset version as input,
 * produces a model and logs metrics per round. A holdout dataset is stored and never used.
 */
import { Readable } from 'node:stream';
import type { App } from '../../src/app/index.js';
import type { Actor } from '../../src/security/audit/index.js';
import type { TrialComponent } from '../../src/tracking/index.js';
import { InProcessTransport, Tracker } from '../../src/tracking/index.js';

export interface Scenario {
  experimentId: string;
  trialIds: [string, string];
  datasetId: string;
  holdoutId: string;
  preprocessing: TrialComponent;
  training: [TrialComponent, TrialComponent];
  modelIds: [string, string];
}

export async function putBytes(app: App, actor: Actor, projectId: string, text: string, name?: string): Promise<string> {
  const r = await app.artifacts.put(actor, Readable.from([Buffer.from(text)]), { projectId, mediaType: 'text/csv', ...(name ? { name } : {}) });
  return r.artifactId;
}

export async function runScenario(app: App, actor: Actor, projectId: string, experimentName = 'credit-default'): Promise<Scenario> {
  const tracker = new Tracker(new InProcessTransport(app, { actor, projectId }), {
    source: { commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', branch: 'main', author: 'Dana Scientist <dana@bank.example>', dirty: false },
  });
  const datasetId = await putBytes(app, actor, projectId, `x,y\n1,0\n2,1\n${experimentName}\n`, `${experimentName}-data`);
  const holdoutId = await putBytes(app, actor, projectId, `x,y\n9,1\n${experimentName}\n`, `${experimentName}-holdout`);
  const experiment = await tracker.experiment(experimentName, { description: 'the paper example' });
  const t1 = await tracker.trial(experiment, 'eta-0.2');
  const t2 = await tracker.trial(experiment, 'eta-0.1');
  const splits: Record<string, string> = {};
  const pre = await tracker.component(
    'Preprocessing',
    'processing',
    async (c) => {
      c.logParameters({ split: '70/15/15', seed: 42, stratified: true });
      c.logInput('raw', `${experimentName}-data@1`);
      for (const role of ['train', 'validation', 'test']) {
        splits[role] = await putBytes(app, actor, projectId, `${role} of ${experimentName}\n`, `${experimentName}-${role}`);
        c.logOutput(role, splits[role]!);
      }
    },
    { trials: [t1] },
  );
  await tracker.addToTrial(pre.component, t2);
  const training: TrialComponent[] = [];
  const modelIds: string[] = [];
  for (const [trial, eta] of [[t1, 0.2], [t2, 0.1]] as const) {
    const run = await tracker.component(
      `Training-${trial.name}`,
      'training',
      async (c) => {
        c.logParameters({ objective: 'binary:logistic', max_depth: 5, eta, num_round: 5 });
        c.logInput('dataset', datasetId);
        c.logInput('train', splits.train!);
        c.logInput('validation', splits.validation!);
        for (let round = 0; round < 5; round++) {
          c.logMetric('train:logloss', 0.6 - round * 0.05, round);
          c.logMetric('validation:auc', 0.7 + eta * 0.2 + round * 0.01, round);
        }
        const model = await putBytes(app, actor, projectId, `model eta=${eta}`, `${experimentName}-model`);
        c.logOutput('model', model);
        modelIds.push(model);
      },
      { trials: [trial] },
    );
    training.push(run.component);
  }
  return {
    experimentId: experiment.experimentId,
    trialIds: [t1.trialId, t2.trialId],
    datasetId,
    holdoutId,
    preprocessing: pre.component,
    training: training as [TrialComponent, TrialComponent],
    modelIds: modelIds as [string, string],
  };
}

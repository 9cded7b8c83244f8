/**
 * @module pipelines/champion
 * The "current champion" a condition step can compare with. A port with two answers: when the
 * comparison names a model group, the model registry answers (see {@link PipelineRegistry}: the
 * metric recorded on the version the group's `champion` alias, else `production` alias, names);
 * otherwise the champion is the model of the latest succeeded execution of the same pipeline — the
 * last run that passed its gates — and its value is the metric that execution's step recorded.
 */
import type { PipelineStore } from './pipeline-store.js';
import { StepResultSchema } from './pipeline-model.js';

export interface ChampionQuery {
  projectId: string;
  pipelineId: string;
  executionId: string;
  /** The step whose metric is compared, and the metric. */
  step: string;
  metric: string;
  /** The model group whose registered champion is meant (set only for registry comparisons). */
  group?: string;
}

export interface Champion {
  value: number;
  /** What the champion is, for the record (e.g. `execution pex_… step evaluate`). */
  description: string;
}

export interface ChampionSource {
  champion(query: ChampionQuery): Promise<Champion | undefined>;
}

/** The champion from the pipeline's own record: the latest succeeded execution's value. */
export class ExecutionChampionSource implements ChampionSource {
  readonly #store: PipelineStore;
  constructor(store: PipelineStore) {
    this.#store = store;
  }

  async champion(query: ChampionQuery): Promise<Champion | undefined> {
    const last = await this.#store.lastSucceeded(query.pipelineId, query.executionId);
    if (!last) return undefined;
    const step = (await this.#store.steps(last.id)).find((s) => s.step === query.step && s.status === 'succeeded');
    if (!step?.result) return undefined;
    const value = StepResultSchema.parse(JSON.parse(step.result)).metrics[query.metric];
    if (value === undefined) return undefined;
    return { value, description: `execution ${last.id} step ${query.step}` };
  }
}

/**
 * @module serving/compiled-model
 * A model held in memory for serving: parsed once per artifact (the tree layout is flattened on
 * first use and cached by the GBDT core), scoring a feature matrix, and explaining rows with
 * TreeSHAP reason codes on demand. Endpoints share one compiled model per artifact id.
 */
import type { FeatureMatrix } from '../data/index.js';
import type { JobModel } from '../jobs/index.js';
import { parseJobModel } from '../jobs/index.js';
import { AppError } from '../kernel/index.js';
import { predict } from '../ml/gbdt/index.js';
import type { RowReasons } from '../ml/explain/index.js';
import { treeReasonCodes } from '../ml/explain/index.js';
import { predictLogistic } from '../ml/linear/index.js';

export class CompiledModel {
  readonly artifactId: string;
  readonly featureNames: readonly string[];
  readonly #model: JobModel;

  constructor(artifactId: string, model: JobModel) {
    this.artifactId = artifactId;
    this.#model = model;
    this.featureNames = model.featureNames;
    if (model.kind === 'gbdt' && model.ensemble.numGroups !== 1) {
      throw new AppError('MODEL_UNSUPPORTED', { message: 'Endpoints serve binary and regression tree models; this model has several output groups' });
    }
  }

  static fromBytes(artifactId: string, bytes: Buffer): CompiledModel {
    return new CompiledModel(artifactId, parseJobModel(bytes));
  }

  get kind(): JobModel['kind'] {
    return this.#model.kind;
  }

  /** One score per row (probability of the positive class for binary models). */
  score(x: FeatureMatrix): Float64Array {
    if (this.#model.kind === 'logistic') return predictLogistic(this.#model.logistic, { rows: x.rows, cols: x.cols, values: Float64Array.from(x.values) });
    return Float64Array.from(predict(this.#model.ensemble, x));
  }

  /** Adverse-action reason codes per row (exact TreeSHAP; tree models only). */
  reasons(x: FeatureMatrix, adverse: 'higher' | 'lower', topK = 4): RowReasons[] {
    if (this.#model.kind !== 'gbdt') throw new AppError('MODEL_UNSUPPORTED', { message: 'Reason codes on an endpoint need a tree model (TreeSHAP)' });
    return treeReasonCodes(this.#model.ensemble, x, { adverse, topK });
  }
}

import { describe, expect, it } from 'vitest';
import type { ColumnFrame } from '../../data/index.js';
import { categoricalColumn } from '../../data/index.js';
import { fitLogisticRegression, frameDesignMatrix, logisticSummaryLines, parseLogisticModel, predictLogistic, serializeLogisticModel } from './index.js';

describe('logistic model file', () => {
  const frame: ColumnFrame = {
    rowCount: 6,
    columns: [
      { kind: 'numeric', name: 'x', dtype: 'fractional', values: Float64Array.of(0, 1, 2, 3, 4, 5) },
      { kind: 'numeric', name: 'y', dtype: 'integer', values: Float64Array.of(0, 0, 1, 0, 1, 1) },
      categoricalColumn('s', ['a', 'b', 'a', 'b', 'a', 'b']),
    ],
  };

  it('round-trips through JSON and predicts the same', () => {
    const x = frameDesignMatrix(frame, ['x']);
    const model = fitLogisticRegression(x, Float64Array.of(0, 0, 1, 0, 1, 1), ['x']);
    const back = parseLogisticModel(JSON.parse(serializeLogisticModel(model)));
    expect(back).toEqual(model);
    expect(predictLogistic(back, x)).toEqual(predictLogistic(model, x));
    expect(logisticSummaryLines(model).join('\n')).toMatch(/intercept/);
  });

  it('refuses a damaged file and a string feature', () => {
    expect(() => parseLogisticModel({ kind: 'logistic_regression', featureNames: ['x'] })).toThrow(/Not a valid logistic regression model/);
    expect(() => frameDesignMatrix(frame, ['s'])).toThrow(/string column/);
    expect(() => frameDesignMatrix(frame, ['nope'])).toThrow(/lacks "nope"/);
  });
});

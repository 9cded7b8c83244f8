/**
 * @module data
 * Datasets as typed-array column frames: CSV and Parquet import/export with type inference and
 * row/column errors, schemas and profiles as JSON, fitted transforms that re-apply exactly at
 * inference, seeded splits and resampling, and the bridge to feature matrices for the learners.
 */
export type { CategoricalColumn, Column, ColumnFrame, NumericColumn, NumericDtype } from './frame/column-frame.js';
export { categoricalColumn, findColumn, numericColumn } from './frame/column-frame.js';
export { assertUniqueNames, categoryAt, encodeTextColumn, requireCategoricalColumn, requireColumn, requireNumericColumn, takeRows } from './frame/frame-ops.js';
export { frameDifference } from './frame/frame-equality.js';
export type { FeatureMatrix, LabelOptions } from './frame/feature-matrix.js';
export { labelVector, toFeatureMatrix } from './frame/feature-matrix.js';

export type { ColumnSchema, DataSchema, LogicalType } from './schema/data-schema.js';
export { ColumnSchemaSchema, DataSchemaSchema, LogicalTypeSchema, alignSchema, isNumericType, schemaOfFrame } from './schema/data-schema.js';
export { TypeInference, parseBoolean, parseCell, parseDatetime, parseFractional, parseInteger } from './schema/type-inference.js';

export type { CategoryCount, DatasetColumnProfile, DatasetProfile, NumericSummary } from './profile/dataset-profile.js';
export { DatasetColumnProfileSchema, DatasetProfileSchema, PROFILE_QUANTILES, PROFILE_TOP_CATEGORIES } from './profile/dataset-profile.js';
export { TextProfiler, profileDataset, toDatasetColumnProfile } from './profile/profile-dataset.js';
export { formatProfile, formatSchema } from './profile/format-profile.js';

export type { CsvSink, CsvSource, CsvStreamOptions } from './io/csv-stream.js';
export { CsvPump, pumpCsv, pumpCsvSync } from './io/csv-stream.js';
export type { CsvScanResult, ScanCsvOptions } from './io/csv-scan.js';
export { scanCsv } from './io/csv-scan.js';
export type { ReadCsvOptions } from './io/csv-reader.js';
export { parseCsvFrame, readCsvFrame } from './io/csv-reader.js';
export { csvChunks, writeCsv } from './io/csv-writer.js';
export { PARQUET_SCHEMA_KEY, readParquet, writeParquet } from './io/parquet-io.js';
export type { DatasetFormat, DatasetScanResult } from './io/dataset-scan.js';
export { detectFormat, scanDataset, scanParquet } from './io/dataset-scan.js';

export type { Expression, ExpressionFunction } from './transforms/expression.js';
export { evaluateExpression, expressionColumns, parseExpression } from './transforms/expression.js';
export type { FittedPipeline, FittedTransform, TransformSpec } from './transforms/transform-spec.js';
export { FittedPipelineSchema, FittedTransformSchema, TransformSpecSchema } from './transforms/transform-spec.js';
export { applyPipeline, applyTransform, fitPipeline, fitTransform } from './transforms/pipeline.js';
export { unknownBucketName } from './transforms/one-hot-encode.js';
export type { ResampleRecord, ResampleSpec, SplitRecord, SplitResult, SplitSpec } from './transforms/row-sampling.js';
export { ResampleRecordSchema, ResampleSpecSchema, SplitRecordSchema, SplitSpecSchema, resampleFrame, splitFrame } from './transforms/row-sampling.js';
export * from './stats/index.js';

/**
 * @module data/schema/data-schema
 * The JSON form of a dataset's schema: its columns in order, each with a logical type and
 * whether it may be missing. Stored beside every dataset version and used as a declared schema
 * when importing (so a column the contract says is numeric must parse as a number).
 */
import { z } from 'zod';
import { AppError } from '../../kernel/index.js';
import type { ColumnFrame } from '../frame/column-frame.js';

/** Logical column types (issue 5): integer, fractional, boolean, datetime, categorical/string. */
export const LogicalTypeSchema = z.enum(['integer', 'fractional', 'boolean', 'datetime', 'string']);
export type LogicalType = z.infer<typeof LogicalTypeSchema>;

export const ColumnSchemaSchema = z.object({
  name: z.string().min(1),
  type: LogicalTypeSchema,
  /** True when the column may hold missing values. */
  nullable: z.boolean(),
});
export type ColumnSchema = z.infer<typeof ColumnSchemaSchema>;

export const DataSchemaSchema = z
  .object({
    version: z.literal(1),
    columns: z.array(ColumnSchemaSchema),
  })
  .superRefine((schema, ctx) => {
    const seen = new Set<string>();
    for (const [i, column] of schema.columns.entries()) {
      if (seen.has(column.name)) ctx.addIssue({ code: 'custom', path: ['columns', i, 'name'], message: `duplicate column name "${column.name}"` });
      seen.add(column.name);
    }
  });
/** A dataset schema; validate untrusted JSON with `DataSchemaSchema.parse`. */
export type DataSchema = z.infer<typeof DataSchemaSchema>;

/** True for the logical types a ColumnFrame stores as a numeric (Float64Array) column. */
export function isNumericType(type: LogicalType): type is Exclude<LogicalType, 'string'> {
  return type !== 'string';
}

/** The schema a frame has: types from the columns' dtypes, nullable when a value is missing. */
export function schemaOfFrame(frame: ColumnFrame): DataSchema {
  return {
    version: 1,
    columns: frame.columns.map((column) => {
      let nullable = false;
      if (column.kind === 'numeric') {
        const values = column.values;
        for (let i = 0; i < values.length; i++) {
          if (Number.isNaN(values[i])) {
            nullable = true;
            break;
          }
        }
      } else {
        nullable = column.codes.includes(-1);
      }
      return { name: column.name, type: column.dtype, nullable };
    }),
  };
}

/**
 * The declared column for each header name, in header order. The header must hold exactly the
 * schema's columns (in any order).
 * @throws AppError DATA_SCHEMA_MISMATCH listing missing and unexpected columns.
 */
export function alignSchema(schema: DataSchema, names: readonly string[]): ColumnSchema[] {
  const parsed = DataSchemaSchema.parse(schema);
  const byName = new Map(parsed.columns.map((c) => [c.name, c]));
  const missing = parsed.columns.filter((c) => !names.includes(c.name)).map((c) => c.name);
  const extra = names.filter((n) => !byName.has(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new AppError('DATA_SCHEMA_MISMATCH', {
      message: `The header does not match the declared schema${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not in the schema: ${extra.join(', ')}` : ''}`,
      details: { missing, extra },
    });
  }
  return names.map((n) => byName.get(n)!);
}

/**
 * @module data/schema/data-schema
 * The JSON form of a dataset's schema: its columns in order, each with a logical type and
 * whether it may be missing. Stored beside every dataset version and used as a declared schema
 * when importing (so a column the contract says is numeric must parse as a number).
 */
import { z } from 'zod';
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

/**
 * @module data/schema/record-check
 * Checking one record of text cells against a declared schema, so an import with a data
 * contract fails at the first offending cell with its row and column.
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnSchema } from './data-schema.js';
import { parseCell } from './type-inference.js';

/**
 * Throws CSV_MALFORMED for the first cell of `fields` that breaks `declared` (aligned to the
 * fields): a missing value in a non-nullable column, or text that does not parse as the type.
 * @param row The record's row number in the file (header = 1).
 */
export function assertRecordConforms(declared: readonly ColumnSchema[], fields: readonly string[], row: number): void {
  for (let j = 0; j < fields.length; j++) {
    const spec = declared[j]!;
    const text = fields[j]!;
    let problem: string | undefined;
    if (text === '') {
      if (!spec.nullable) problem = 'missing value in a column the schema declares not nullable';
    } else if (spec.type !== 'string' && Number.isNaN(parseCell(text, spec.type))) {
      problem = `value ${JSON.stringify(text)} is not ${spec.type === 'integer' ? 'an' : 'a'} ${spec.type} value (column declared by the schema as ${spec.type})`;
    }
    if (problem !== undefined) {
      throw new AppError('CSV_MALFORMED', {
        message: `CSV malformed at row ${row}, column ${j + 1} ("${spec.name}"): ${problem}`,
        details: { row, column: j + 1, columnName: spec.name },
      });
    }
  }
}

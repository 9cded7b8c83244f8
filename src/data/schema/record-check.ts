/**
 * @module data/schema/record-check
 * Checking one record of text cells against a declared schema, so an import with a data
 * contract fails at the first offending cell with its row and column.
 */
import { AppError } from '../../kernel/index.js';
import type { ColumnSchema } from './data-schema.js';
import { parseCell, type StrayText } from './type-inference.js';

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

/**
 * CSV_MALFORMED for a mostly numeric column that inference would otherwise turn into text
 * ({@link TypeInference.strayText}), naming the first non-number's row and column.
 * @param columnIndex 0-based position of the column in the file.
 */
export function strayTextError(name: string, columnIndex: number, stray: StrayText): AppError {
  // Data record i (0-based) is file row i + 2: the header is row 1.
  const row = stray.index + 2;
  const others = stray.present - stray.numeric;
  return new AppError('CSV_MALFORMED', {
    message:
      `CSV malformed at row ${row}, column ${columnIndex + 1} ("${name}"): value ${JSON.stringify(stray.text)} is not a number, ` +
      `but ${stray.numeric} of the column's ${stray.present} values are (${others} ${others === 1 ? 'is' : 'are'} not). ` +
      'Correct the value, leave it empty for a missing value, or declare the column as string in the schema to keep it as text.',
    details: { row, column: columnIndex + 1, columnName: name, value: stray.text, numericValues: stray.numeric, values: stray.present },
  });
}

/**
 * @module serving/payload
 * Turns an invocation body into the model's feature matrix, strictly: a JSON body
 * `{"instances": [...]}` of objects keyed by feature name (or arrays in the model's column
 * order), or CSV rows (an optional header naming the features). A missing feature, an unknown
 * one, a value that is not a number, a ragged row or too many rows fails the whole request with
 * PAYLOAD_INVALID / PAYLOAD_TOO_LARGE naming the field (`instances[3].AGE`, `row 4 column 6`), so
 * nothing half-valid is scored or captured. `null` (JSON) and an empty CSV field mean "missing",
 * which the trees route by their default direction.
 */
import type { FeatureMatrix } from '../data/index.js';
import { AppError } from '../kernel/index.js';

export interface ParsedPayload {
  readonly x: FeatureMatrix;
  /** Each row as CSV in the model's column order (the captured input). */
  readonly csvRows: readonly string[];
  /** Caller-supplied inference ids, one per row, to join ground truth on. */
  readonly inferenceIds?: readonly string[];
  /** Reason codes were asked for in the body. */
  readonly explain: boolean;
}

function invalid(field: string, message: string): AppError {
  return new AppError('PAYLOAD_INVALID', { message: `${field}: ${message}`, details: { field } });
}

function tooMany(field: string, rows: number, max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', { message: `${field}: ${rows} rows, more than the ${max} this endpoint accepts per request`, details: { field, rows, maxRows: max } });
}

function numberFrom(value: unknown, field: string): number {
  if (value === null) return Number.NaN;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  throw invalid(field, `expected a number or null, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value}`);
}

function csvCell(v: number): string {
  return Number.isNaN(v) ? '' : String(v);
}

/** Parses a JSON invocation body against the model's features. */
export function parseJsonPayload(body: unknown, featureNames: readonly string[], maxRows: number): ParsedPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'expected a JSON object with "instances"');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!['instances', 'explain', 'inferenceIds'].includes(key)) throw invalid(key, 'unknown field (expected instances, explain, inferenceIds)');
  const instances = b.instances;
  if (!Array.isArray(instances)) throw invalid('instances', 'expected an array of rows');
  if (instances.length === 0) throw invalid('instances', 'expected at least one row');
  if (instances.length > maxRows) throw tooMany('instances', instances.length, maxRows);
  if (b.explain !== undefined && typeof b.explain !== 'boolean') throw invalid('explain', 'expected true or false');
  let inferenceIds: string[] | undefined;
  if (b.inferenceIds !== undefined) {
    if (!Array.isArray(b.inferenceIds) || b.inferenceIds.length !== instances.length) throw invalid('inferenceIds', `expected an array of ${instances.length} ids, one per instance`);
    inferenceIds = b.inferenceIds.map((id, i) => {
      if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) throw invalid(`inferenceIds[${i}]`, 'expected an id of letters, digits and . _ : -');
      return id;
    });
  }
  const cols = featureNames.length;
  const values = new Float32Array(instances.length * cols);
  const csvRows: string[] = [];
  const index = new Map(featureNames.map((n, j) => [n, j]));
  const row = new Float64Array(cols);
  for (let i = 0; i < instances.length; i++) {
    const inst = instances[i];
    if (Array.isArray(inst)) {
      if (inst.length !== cols) throw invalid(`instances[${i}]`, `expected ${cols} values in the model's column order (${featureNames.join(',')}), got ${inst.length}`);
      for (let j = 0; j < cols; j++) row[j] = numberFrom(inst[j], `instances[${i}][${j}] (${featureNames[j]})`);
    } else if (typeof inst === 'object' && inst !== null) {
      const o = inst as Record<string, unknown>;
      for (const key of Object.keys(o)) if (!index.has(key)) throw invalid(`instances[${i}].${key}`, 'not a feature of the model');
      for (let j = 0; j < cols; j++) {
        const name = featureNames[j]!;
        if (!(name in o)) throw invalid(`instances[${i}].${name}`, 'missing feature (send null for a missing value)');
        row[j] = numberFrom(o[name], `instances[${i}].${name}`);
      }
    } else throw invalid(`instances[${i}]`, 'expected an object of features or an array of values');
    let line = '';
    for (let j = 0; j < cols; j++) {
      values[i * cols + j] = row[j]!;
      line += j === 0 ? csvCell(row[j]!) : `,${csvCell(row[j]!)}`;
    }
    csvRows.push(line);
  }
  return { x: { rows: instances.length, cols, values }, csvRows, ...(inferenceIds ? { inferenceIds } : {}), explain: b.explain === true };
}

/** Parses a CSV invocation body (no quoting: every field is a number or empty). */
export function parseCsvPayload(text: string, featureNames: readonly string[], maxRows: number): ParsedPayload {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw invalid('body', 'expected at least one CSV row');
  const cols = featureNames.length;
  let start = 0;
  const first = lines[0]!.split(',').map((s) => s.trim());
  if (first.some((c) => featureNames.includes(c))) {
    // A header: it must name the model's features in its order.
    if (first.length !== cols || first.some((c, j) => c !== featureNames[j])) {
      const bad = first.findIndex((c, j) => c !== featureNames[j]);
      throw invalid(`header column ${bad + 1}`, `expected the header ${featureNames.join(',')}, got ${first[bad] ?? '(none)'}`);
    }
    start = 1;
  }
  const rows = lines.length - start;
  if (rows === 0) throw invalid('body', 'expected at least one CSV row after the header');
  if (rows > maxRows) throw tooMany('rows', rows, maxRows);
  const values = new Float32Array(rows * cols);
  const csvRows: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells = lines[start + r]!.split(',');
    if (cells.length !== cols) throw invalid(`row ${r + 1}`, `expected ${cols} fields (${featureNames.join(',')}), got ${cells.length}`);
    let line = '';
    for (let j = 0; j < cols; j++) {
      const cell = cells[j]!.trim();
      const v = cell === '' ? Number.NaN : Number(cell);
      if (cell !== '' && !Number.isFinite(v)) throw invalid(`row ${r + 1} column ${j + 1} (${featureNames[j]})`, `expected a number or an empty field, got ${JSON.stringify(cell.slice(0, 40))}`);
      values[r * cols + j] = v;
      line += j === 0 ? csvCell(v) : `,${csvCell(v)}`;
    }
    csvRows.push(line);
  }
  return { x: { rows, cols, values }, csvRows, explain: false };
}

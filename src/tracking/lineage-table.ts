/**
 * @module tracking/lineage-table
 * The lineage table the paper shows as a data frame (SageMaker's ExperimentAnalytics): one row per
 * component of an experiment — name, type, parameters, inputs, outputs, metrics, commit, author,
 * date — exported as CSV (RFC 4180) or JSON; and a side-by-side comparison of trials.
 */
import type { ParameterValue, Trial, TrialComponent } from './tracking-model.js';

export interface LineageTableRow {
  component: string;
  componentId: string;
  type: string;
  status: string;
  trials: string[];
  parameters: Record<string, ParameterValue>;
  inputs: { role: string; artifact: string; sha256: string }[];
  outputs: { role: string; artifact: string; sha256: string }[];
  /** The last value of each metric. */
  metrics: Record<string, number>;
  commit: string | null;
  dirty: boolean | null;
  /** The git author when the commit is known, else the principal who ran the component. */
  author: string;
  principal: string;
  date: string;
}

export function lineageTableRows(components: readonly TrialComponent[], trials: readonly Trial[]): LineageTableRow[] {
  const trialNames = new Map(trials.map((t) => [t.trialId, t.name]));
  return components.map((c) => ({
    component: c.name,
    componentId: c.componentId,
    type: c.type,
    status: c.status,
    trials: c.trialIds.flatMap((id) => trialNames.get(id) ?? []),
    parameters: c.parameters,
    inputs: c.inputs.map((a) => ({ role: a.role, artifact: a.name ?? a.artifactId, sha256: a.sha256 })),
    outputs: c.outputs.map((a) => ({ role: a.role, artifact: a.name ?? a.artifactId, sha256: a.sha256 })),
    metrics: Object.fromEntries(c.metrics.map((m) => [m.name, m.last])),
    commit: c.source?.commit ?? null,
    dirty: c.source?.dirty ?? null,
    author: c.source?.author ?? c.createdBy,
    principal: c.createdBy,
    date: c.startTime,
  }));
}

/** Flat cells for printing and CSV. */
export const LINEAGE_TABLE_COLUMNS: readonly { header: string; value: (r: LineageTableRow) => string }[] = [
  { header: 'component', value: (r) => r.component },
  { header: 'type', value: (r) => r.type },
  { header: 'status', value: (r) => r.status },
  { header: 'trials', value: (r) => r.trials.join(';') },
  { header: 'parameters', value: (r) => Object.entries(r.parameters).map(([k, v]) => `${k}=${v}`).join(';') },
  { header: 'inputs', value: (r) => r.inputs.map((a) => `${a.role}=${a.artifact}`).join(';') },
  { header: 'outputs', value: (r) => r.outputs.map((a) => `${a.role}=${a.artifact}`).join(';') },
  { header: 'metrics', value: (r) => Object.entries(r.metrics).map(([k, v]) => `${k}=${formatNumber(v)}`).join(';') },
  { header: 'commit', value: (r) => (r.commit ? `${r.commit.slice(0, 12)}${r.dirty ? '+dirty' : ''}` : '') },
  { header: 'author', value: (r) => r.author },
  { header: 'date', value: (r) => r.date },
];

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^[=+\-@]/.test(value) ? `"${(/^[=+\-@]/.test(value) ? `'${value}` : value).replace(/"/g, '""')}"` : value;
}

/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula (starting with = + - @) are
 * prefixed with an apostrophe (OWASP CSV-injection advice): the table goes to reviewers' desktops.
 */
export function lineageTableCsv(rows: readonly LineageTableRow[]): string {
  const lines = [LINEAGE_TABLE_COLUMNS.map((c) => c.header).join(',')];
  for (const r of rows) lines.push(LINEAGE_TABLE_COLUMNS.map((c) => csvCell(c.value(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export interface TrialComparisonRow {
  kind: 'parameter' | 'metric';
  /** `COMPONENT_TYPE/NAME`, e.g. `training/eta`, so steps of the same kind line up across trials. */
  key: string;
  /** One value per trial, in the order asked; null when the trial has no such value. */
  values: (ParameterValue | null)[];
  differs: boolean;
}

export interface TrialComparison {
  trials: { trialId: string; name: string }[];
  rows: TrialComparisonRow[];
}

/** Lines up the parameters and last metric values of trials; `onlyDifferences` drops equal rows. */
export function compareTrials(entries: readonly { trial: Trial; components: readonly TrialComponent[] }[], onlyDifferences = true): TrialComparison {
  const maps = entries.map(({ components }) => {
    const m = new Map<string, { kind: 'parameter' | 'metric'; value: ParameterValue }>();
    for (const c of components) {
      for (const [k, v] of Object.entries(c.parameters)) m.set(`parameter\u0000${c.type}/${k}`, { kind: 'parameter', value: v });
      for (const s of c.metrics) m.set(`metric\u0000${c.type}/${s.name}`, { kind: 'metric', value: s.last });
    }
    return m;
  });
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const rows: TrialComparisonRow[] = [];
  for (const key of keys) {
    const values = maps.map((m) => m.get(key)?.value ?? null);
    const differs = values.some((v) => v !== values[0]);
    if (onlyDifferences && !differs) continue;
    const [kind, name] = key.split('\u0000') as ['parameter' | 'metric', string];
    rows.push({ kind, key: name, values, differs });
  }
  return { trials: entries.map((e) => ({ trialId: e.trial.trialId, name: e.trial.name })), rows };
}

/**
 * @module registry/gates
 * Evidence gates: what a risk tier needs before a version may take a gated alias (`production`),
 * checked against the evidence present. Pure: the registry gathers the evidence (attachments,
 * findings, sign-offs, card fields, bias reports, the champion's metric) and this module decides,
 * listing each requirement with whether it holds and why, so a refusal names everything missing
 * and the same evaluation is the snapshot kept with the decision or the alias move.
 */
import type { BiasLimit, Severity, TierGates } from './registry-settings.js';

export interface EvidenceState {
  versionId: string;
  version: number;
  riskTier: number;
  evidence: { kind: string; artifactId: string; sha256: string; jobId: string | null; attachedBy: string; attachedAt: string }[];
  openFindings: Record<Severity, number>;
  findings: { findingId: string; severity: string; status: string; title: string }[];
  signOffs: { principal: string; at: string; independent: boolean }[];
  metrics: Record<string, number>;
  card: { revision: number; fields: Record<string, unknown> } | null;
  champion: { version: number; metrics: Record<string, number> } | null;
  /** Parsed bias reports attached as `bias-report` evidence, with their artifact ids. */
  biasReports: { artifactId: string; report: unknown }[];
  /** Parsed reports attached as `challenger-comparison` evidence, oldest first. */
  challengerReports: { artifactId: string; report: unknown }[];
}

export interface GateCheck {
  requirement: string;
  satisfied: boolean;
  detail: string;
}

export interface GateEvaluation {
  riskTier: number;
  passed: boolean;
  checks: GateCheck[];
  /** The requirements that do not hold, one sentence each. */
  missing: string[];
}

interface ClarifyLike {
  post_training_bias_metrics?: ClarifyStage;
  pre_training_bias_metrics?: ClarifyStage;
  attest?: { pre_training?: FacetExt[]; post_training?: FacetExt[] };
}
interface ClarifyStage {
  facets?: Record<string, { value_or_threshold: string; metrics: { name: string; value: unknown }[] }[]>;
}
interface FacetExt {
  value_or_threshold: string;
  metrics: Record<string, { confidence_interval: { lower: number | null; upper: number | null } | null } | undefined>;
}

/** Checks one bias limit against every attached report that covers the facet; the newest report that has it decides. */
function checkBias(limit: BiasLimit, reports: EvidenceState['biasReports']): GateCheck {
  const requirement = `bias: ${limit.metric} on ${limit.facet} (${limit.stage}-training) within [${limit.min}, ${limit.max}]${limit.interval ? ' including its confidence interval' : ''}`;
  for (const { artifactId, report } of [...reports].reverse()) {
    const r = report as ClarifyLike;
    const stage = limit.stage === 'post' ? r.post_training_bias_metrics : r.pre_training_bias_metrics;
    const facetEntries = stage?.facets?.[limit.facet];
    if (!facetEntries || facetEntries.length === 0) continue;
    const extensions = (limit.stage === 'post' ? r.attest?.post_training : r.attest?.pre_training) ?? [];
    const problems: string[] = [];
    for (const entry of facetEntries) {
      const metric = entry.metrics.find((m) => m.name === limit.metric);
      if (!metric || typeof metric.value !== 'number') {
        problems.push(`${limit.facet}=${entry.value_or_threshold}: ${limit.metric} not computed`);
        continue;
      }
      const ci = extensions.find((e) => e.value_or_threshold === entry.value_or_threshold)?.metrics[limit.metric]?.confidence_interval;
      if (limit.interval) {
        if (!ci || ci.lower === null || ci.upper === null) problems.push(`${limit.facet}=${entry.value_or_threshold}: no confidence interval (run the bias job with bootstrap)`);
        else if (ci.lower < limit.min || ci.upper > limit.max) problems.push(`${limit.facet}=${entry.value_or_threshold}: interval [${ci.lower.toFixed(4)}, ${ci.upper.toFixed(4)}] leaves the band`);
      } else if (metric.value < limit.min || metric.value > limit.max) {
        problems.push(`${limit.facet}=${entry.value_or_threshold}: ${metric.value.toFixed(4)} outside the band`);
      }
    }
    return problems.length === 0
      ? { requirement, satisfied: true, detail: `within limits in bias report ${artifactId}` }
      : { requirement, satisfied: false, detail: `${problems.join('; ')} (bias report ${artifactId})` };
  }
  return { requirement, satisfied: false, detail: `no attached bias report covers facet ${limit.facet}` };
}

interface ChallengerLike {
  models?: { champion?: { group?: string; version?: number; artifactId?: string } };
  candidate?: { metrics?: Record<string, number | null> };
  champion?: { metrics?: Record<string, number | null> };
  aucDifference?: { lower?: number | null; confidence?: number };
}

const LOSSES = new Set(['logLoss', 'brier']);

/** The newest attached challenger comparison decides: candidate against champion on the same rows. */
function checkChallenger(rule: NonNullable<TierGates['challenger']>, reports: EvidenceState['challengerReports']): GateCheck {
  const loss = LOSSES.has(rule.metric);
  const requirement = `challenger comparison: ${rule.metric} ${loss ? '≤' : '≥'} champion's ${loss ? '+' : '−'} ${rule.tolerance} on the same holdout${rule.interval ? ' (lower end of the bootstrap interval)' : ''}`;
  const newest = reports.at(-1);
  if (!newest) return { requirement, satisfied: false, detail: 'no challenger comparison attached (run a challenger-comparison job)' };
  const r = newest.report as ChallengerLike;
  const mine = r.candidate?.metrics?.[rule.metric];
  const theirs = r.champion?.metrics?.[rule.metric];
  const champion = r.models?.champion?.version !== undefined ? `champion version ${r.models.champion.version}` : `champion ${r.models?.champion?.artifactId ?? '?'}`;
  if (typeof mine !== 'number' || typeof theirs !== 'number') return { requirement, satisfied: false, detail: `${rule.metric} is not defined on the holdout of comparison ${newest.artifactId}` };
  if (rule.interval) {
    if (rule.metric !== 'auc') return { requirement, satisfied: false, detail: 'the bootstrap interval is of the AUC difference; use metric auc with interval' };
    const lower = r.aucDifference?.lower;
    if (typeof lower !== 'number') return { requirement, satisfied: false, detail: `comparison ${newest.artifactId} has no bootstrap interval (replicates=0?)` };
    return { requirement, satisfied: lower >= -rule.tolerance - 1e-12, detail: `AUC difference interval lower end ${lower.toFixed(4)} (candidate ${mine.toFixed(4)}, ${champion} ${theirs.toFixed(4)}) in comparison ${newest.artifactId}` };
  }
  const satisfied = loss ? mine <= theirs + rule.tolerance + 1e-12 : mine >= theirs - rule.tolerance - 1e-12;
  return { requirement, satisfied, detail: `${rule.metric}: candidate ${mine.toFixed(4)}, ${champion} ${theirs.toFixed(4)} in comparison ${newest.artifactId}` };
}

/** Decides every requirement of `gates` for the evidence in `state`. */
export function evaluateGates(gates: TierGates | undefined, state: EvidenceState): GateEvaluation {
  const checks: GateCheck[] = [];
  if (gates) {
    if (gates.validationSignOff) {
      const independent = state.signOffs.filter((s) => s.independent);
      checks.push({
        requirement: 'validation signed off by an independent validator',
        satisfied: independent.length > 0,
        detail: independent.length > 0 ? `signed off by ${independent.map((s) => `${s.principal} at ${s.at}`).join(', ')}` : 'no validation sign-off',
      });
    }
    for (const severity of gates.noOpenFindings) {
      const open = state.openFindings[severity] ?? 0;
      checks.push({ requirement: `no open ${severity} findings`, satisfied: open === 0, detail: open === 0 ? `no open ${severity} findings` : `${open} open ${severity} finding${open === 1 ? '' : 's'}` });
    }
    for (const kind of gates.evidence) {
      const found = state.evidence.filter((e) => e.kind === kind);
      checks.push({ requirement: `${kind} attached`, satisfied: found.length > 0, detail: found.length > 0 ? found.map((e) => e.artifactId).join(', ') : `no ${kind} attached` });
    }
    for (const limit of gates.bias) checks.push(checkBias(limit, state.biasReports));
    if (gates.performance) {
      const { metric, min, championTolerance } = gates.performance;
      const value = state.metrics[metric];
      if (value === undefined) {
        checks.push({ requirement: `metric ${metric} recorded`, satisfied: false, detail: `version ${state.version} has no ${metric} (attach an evaluation job on the holdout)` });
      } else {
        if (min !== undefined) checks.push({ requirement: `${metric} ≥ ${min}`, satisfied: value >= min, detail: `${metric} = ${value}` });
        if (championTolerance !== undefined) {
          const champion = state.champion;
          const theirs = champion?.metrics[metric];
          if (!champion) checks.push({ requirement: `${metric} ≥ champion − ${championTolerance}`, satisfied: true, detail: 'no champion to compare with' });
          else if (theirs === undefined) checks.push({ requirement: `${metric} ≥ champion − ${championTolerance}`, satisfied: false, detail: `the champion (version ${champion.version}) has no ${metric} to compare with` });
          else
            checks.push({
              requirement: `${metric} ≥ champion − ${championTolerance}`,
              satisfied: value >= theirs - championTolerance - 1e-12,
              detail: `${metric} = ${value}, champion version ${champion.version} = ${theirs}`,
            });
        }
      }
    }
    if (gates.challenger) checks.push(checkChallenger(gates.challenger, state.challengerReports ?? []));
    for (const field of gates.cardFields) {
      const value = state.card?.fields[field];
      const filled = typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
      checks.push({ requirement: `model card field ${field} filled in`, satisfied: filled, detail: filled ? `card revision ${state.card?.revision}` : `the model card has no ${field}` });
    }
  }
  const missing = checks.filter((c) => !c.satisfied).map((c) => `${c.requirement}: ${c.detail}`);
  return { riskTier: state.riskTier, passed: missing.length === 0, checks, missing };
}

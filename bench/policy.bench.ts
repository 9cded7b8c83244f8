/**
 * Policy decisions per second for a realistic principal: the self-service policy, three project
 * role grants (data scientist, model validator, viewer in different projects) and a custom
 * corporate policy with source-address (IPv4 + IPv6), MFA and date conditions. Requests cycle
 * through allowed, explicitly denied and implicitly denied cases. The reference is the same work
 * without the compile cache (every request compiles its policies from fresh documents), showing
 * what precompilation buys. Median of several repetitions.
 */
import {
  type AuthorizationRequest,
  builtInRole,
  evaluate,
  type NamedPolicy,
  POLICY_VERSION,
  type PolicyDocument,
  policyVariable,
  type RequestContext,
  rolePolicy,
  SELF_SERVICE_POLICY,
} from '../src/security/policy/index.js';
import type { BenchResult } from './types.js';

const corporate: NamedPolicy = {
  name: 'corp/guardrails',
  document: {
    Version: POLICY_VERSION,
    Statement: [
      { Sid: 'CorpNetworkOnly', Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'attest:SourceIp': ['10.0.0.0/8', '172.16.0.0/12', 'fd00::/8', '2001:db8::/32'] } } },
      { Sid: 'MfaForApprovals', Effect: 'Deny', Action: ['model:Approve', 'model:Reject', 'model:Deploy'], Resource: '*', Condition: { BoolIfExists: { 'attest:MfaPresent': false } } },
      { Sid: 'ChangeFreeze', Effect: 'Deny', Action: ['model:Deploy', 'endpoint:Update'], Resource: '*', Condition: { DateGreaterThan: { 'attest:CurrentTime': '2026-12-20T00:00:00Z' }, DateLessThan: { 'attest:CurrentTime': '2027-01-04T00:00:00Z' } } },
      { Sid: 'OwnScratch', Effect: 'Allow', Action: ['artifact:*', 'dataset:*'], Resource: `attest:scratch:*/${policyVariable('attest:PrincipalId')}/*` },
    ],
  },
};

const principalPolicies: NamedPolicy[] = [
  SELF_SERVICE_POLICY,
  rolePolicy(builtInRole('data-scientist')!, 'credit-risk'),
  rolePolicy(builtInRole('model-validator')!, 'retail-pd'),
  rolePolicy(builtInRole('viewer')!, 'fraud'),
  corporate,
];

const base: RequestContext = {
  'attest:PrincipalId': 'usr_alice',
  'attest:PrincipalType': 'user',
  'attest:AuthMethod': 'token',
  'attest:MfaPresent': true,
  'attest:CurrentTime': new Date('2026-11-29T10:00:00Z'),
  'attest:ResourceCreator': 'usr_bob',
};

const requests: AuthorizationRequest[] = [
  { action: 'dataset:Read', resource: 'attest:credit-risk:dataset/ds_1', context: { ...base, 'attest:SourceIp': '10.1.2.3' } },
  { action: 'model:Train', resource: 'attest:credit-risk:model/mp_1', context: { ...base, 'attest:SourceIp': '2001:db8::17' } },
  { action: 'model:Approve', resource: 'attest:retail-pd:model/mp_9', context: { ...base, 'attest:SourceIp': '10.9.9.9' } },
  { action: 'model:Approve', resource: 'attest:credit-risk:model/mp_1', context: { ...base, 'attest:SourceIp': '10.1.2.3' } },
  { action: 'experiment:Delete', resource: 'attest:credit-risk:experiment/e_1', context: { ...base, 'attest:SourceIp': '172.20.0.4' } },
  { action: 'model:Describe', resource: 'attest:fraud:model/mp_3', context: { ...base, 'attest:SourceIp': 'fd12::1' } },
  { action: 'audit:Read', resource: 'attest::audit/ledger', context: { ...base, 'attest:SourceIp': '10.1.2.3' } },
  { action: 'token:Revoke', resource: 'attest::token/usr_alice/abcd2345', context: { ...base, 'attest:SourceIp': '10.1.2.3' } },
  { action: 'artifact:Get', resource: 'attest:credit-risk:artifact/a_1', context: { ...base, 'attest:SourceIp': '198.51.100.7' } },
  { action: 'artifact:Put', resource: 'attest:scratch:artifact/usr_alice/a_2', context: { ...base, 'attest:SourceIp': '10.1.2.3' } },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function decisionsPerSecond(n: number, policiesFor: () => NamedPolicy[]): number {
  const start = process.hrtime.bigint();
  let allowed = 0;
  for (let i = 0; i < n; i++) {
    if (evaluate(requests[i % requests.length]!, policiesFor()).decision === 'Allow') allowed++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (allowed === 0) throw new Error('benchmark sanity: nothing was allowed');
  return n / seconds;
}

/** Fresh document objects every call: defeats the per-document compile cache. */
function uncached(): NamedPolicy[] {
  return principalPolicies.map((p) => ({ name: p.name, document: structuredClone(p.document) as PolicyDocument }));
}

export async function run(): Promise<BenchResult[]> {
  const reps = 7;
  decisionsPerSecond(20_000, () => principalPolicies);
  const warm: number[] = [];
  const cold: number[] = [];
  for (let r = 0; r < reps; r++) {
    warm.push(decisionsPerSecond(100_000, () => principalPolicies));
    cold.push(decisionsPerSecond(300, uncached));
  }
  const value = median(warm);
  const reference = median(cold);
  return [
    {
      name: 'policy decisions (self-service + 3 project roles + conditional guardrails, 10 request mix)',
      value: Math.round(value),
      unit: 'decisions/s',
      reference: { name: 'same decisions, compiling policies per request (no cache)', value: Math.round(reference) },
      ratio: value / reference,
      goal: 'policy share of the < 1 ms per-request budget: ≥ 100000 decisions/s (≤ 10 µs each)',
    },
    { name: 'policy decision latency (median of runs)', value: 1e6 / value, unit: 'µs/decision' },
  ];
}

/**
 * @module registry/registry-client
 * The TypeScript SDK for the registry and validation: `new Registry(transport)`. Two transports,
 * like the jobs SDK: in-process (the services directly, for the CLI and embedded scripts) and HTTP
 * (the `/v1/projects/{p}/model-groups…`, `…/model-versions…` routes, with a token).
 */
import type { ApiClientOptions, HttpMethod } from '../platform/http/index.js';
import { ApiClient } from '../platform/http/index.js';
import type { AuditorQueries, InProduction } from './auditor-queries.js';
import type { EvidenceService } from './evidence-service.js';
import type { GateEvaluation } from './gates.js';
import type { CardFields, CardRevision, ModelCard, ModelCards } from './model-card.js';
import type { RegistryCaller } from './registry-caller.js';
import type { AliasHistoryEntry, AliasRequest, Decision, Evidence, ModelGroup, ModelStatus, ModelVersion, RegisterRequest } from './registry-model.js';
import type { RegistryService } from './registry-service.js';
import type { RegistrySettings, RegistrySettingsInput } from './registry-settings.js';

export type AliasAt = { group: string; alias: string; at: string; version: ModelVersion | null; movedBy: AliasHistoryEntry | null };
type Json = Record<string, unknown>;

/** The validation workspace's calls (implemented by validation/ValidationService). */
export interface ValidationPort {
  workspace(caller: RegistryCaller, project: string, ref: string): Promise<unknown>;
  addFinding(caller: RegistryCaller, project: string, ref: string, input: { title: string; severity: string; description?: string }): Promise<unknown>;
  updateFinding(caller: RegistryCaller, project: string, ref: string, findingId: string, input: { status?: string; severity?: string; comment?: string }): Promise<unknown>;
  comment(caller: RegistryCaller, project: string, ref: string, input: { text: string; findingId?: string }): Promise<unknown>;
  signOff(caller: RegistryCaller, project: string, ref: string, input: { comment: string; report?: string }): Promise<unknown>;
}

export interface RegistryTransport {
  listGroups(project: string): Promise<ModelGroup[]>;
  describeGroup(project: string, group: string): Promise<ModelGroup>;
  createGroup(project: string, input: { name: string; description?: string; riskTier?: number }): Promise<ModelGroup>;
  updateGroup(project: string, group: string, input: { description?: string; riskTier?: number | null }): Promise<ModelGroup>;
  register(project: string, request: RegisterRequest): Promise<ModelVersion>;
  listVersions(project: string, group: string, status?: ModelStatus): Promise<ModelVersion[]>;
  describeVersion(project: string, ref: string): Promise<ModelVersion>;
  approve(project: string, ref: string, comment: string): Promise<Decision>;
  reject(project: string, ref: string, comment: string): Promise<Decision>;
  archive(project: string, ref: string, reason?: string): Promise<ModelVersion>;
  setAlias(project: string, group: string, alias: string, request: AliasRequest): Promise<AliasHistoryEntry>;
  removeAlias(project: string, group: string, alias: string, reason?: string): Promise<AliasHistoryEntry>;
  aliasHistory(project: string, group: string, alias?: string): Promise<AliasHistoryEntry[]>;
  aliasAt(project: string, group: string, alias: string, at: string): Promise<AliasAt>;
  gates(project: string, ref: string): Promise<GateEvaluation & { group: string; version: number }>;
  getSettings(project: string): Promise<{ settings: RegistrySettings; revision: number }>;
  setSettings(project: string, settings: RegistrySettingsInput): Promise<{ settings: RegistrySettings; revision: number }>;
  attachEvidence(project: string, ref: string, request: { kind: string; ref: string; note?: string }): Promise<Evidence[]>;
  listEvidence(project: string, ref: string): Promise<Evidence[]>;
  decisions(project: string, ref: string): Promise<Decision[]>;
  evidenceAtApproval(project: string, ref: string): Promise<Decision>;
  inProduction(project: string, alias?: string): Promise<InProduction[]>;
  card(project: string, ref: string): Promise<ModelCard>;
  editCard(project: string, ref: string, fields: CardFields): Promise<CardRevision>;
  cardRevisions(project: string, ref: string): Promise<CardRevision[]>;
  workspace(project: string, ref: string): Promise<Json>;
  addFinding(project: string, ref: string, input: { title: string; severity: string; description?: string }): Promise<Json>;
  updateFinding(project: string, ref: string, findingId: string, input: { status?: string; severity?: string; comment?: string }): Promise<Json>;
  comment(project: string, ref: string, input: { text: string; findingId?: string }): Promise<Json>;
  signOff(project: string, ref: string, input: { comment: string; report?: string }): Promise<Json>;
}

export interface RegistryServices {
  registry: RegistryService;
  evidence: EvidenceService;
  auditor: AuditorQueries;
  cards: ModelCards;
  validation: ValidationPort;
}

export class InProcessRegistryTransport implements RegistryTransport {
  readonly #s: RegistryServices;
  readonly #c: RegistryCaller;
  constructor(services: RegistryServices, caller: RegistryCaller) {
    this.#s = services;
    this.#c = caller;
  }
  listGroups(p: string) {
    return this.#s.registry.listGroups(this.#c, p);
  }
  describeGroup(p: string, g: string) {
    return this.#s.registry.describeGroup(this.#c, p, g);
  }
  createGroup(p: string, input: { name: string; description?: string; riskTier?: number }) {
    return this.#s.registry.createGroup(this.#c, p, input);
  }
  updateGroup(p: string, g: string, input: { description?: string; riskTier?: number | null }) {
    return this.#s.registry.updateGroup(this.#c, p, g, input);
  }
  register(p: string, r: RegisterRequest) {
    return this.#s.registry.register(this.#c, p, r);
  }
  listVersions(p: string, g: string, status?: ModelStatus) {
    return this.#s.registry.listVersions(this.#c, p, g, status ? { status } : {});
  }
  describeVersion(p: string, ref: string) {
    return this.#s.registry.describeVersion(this.#c, p, ref);
  }
  approve(p: string, ref: string, comment: string) {
    return this.#s.registry.approve(this.#c, p, ref, { comment });
  }
  reject(p: string, ref: string, comment: string) {
    return this.#s.registry.reject(this.#c, p, ref, { comment });
  }
  archive(p: string, ref: string, reason?: string) {
    return this.#s.registry.archive(this.#c, p, ref, reason === undefined ? {} : { reason });
  }
  setAlias(p: string, g: string, a: string, r: AliasRequest) {
    return this.#s.registry.setAlias(this.#c, p, g, a, r);
  }
  removeAlias(p: string, g: string, a: string, reason?: string) {
    return this.#s.registry.removeAlias(this.#c, p, g, a, reason === undefined ? {} : { reason });
  }
  aliasHistory(p: string, g: string, a?: string) {
    return this.#s.registry.aliasHistory(this.#c, p, g, a);
  }
  aliasAt(p: string, g: string, a: string, at: string) {
    return this.#s.registry.aliasAt(this.#c, p, g, a, at);
  }
  gates(p: string, ref: string) {
    return this.#s.registry.gates(this.#c, p, ref);
  }
  getSettings(p: string) {
    return this.#s.registry.getSettings(this.#c, p);
  }
  setSettings(p: string, s: RegistrySettingsInput) {
    return this.#s.registry.setSettings(this.#c, p, s);
  }
  attachEvidence(p: string, ref: string, r: { kind: string; ref: string; note?: string }) {
    return this.#s.evidence.attach(this.#c, p, ref, r);
  }
  listEvidence(p: string, ref: string) {
    return this.#s.evidence.list(this.#c, p, ref);
  }
  decisions(p: string, ref: string) {
    return this.#s.auditor.decisions(this.#c, p, ref);
  }
  evidenceAtApproval(p: string, ref: string) {
    return this.#s.auditor.evidenceAtApproval(this.#c, p, ref);
  }
  inProduction(p: string, alias?: string) {
    return this.#s.auditor.inProduction(this.#c, p, alias);
  }
  card(p: string, ref: string) {
    return this.#s.cards.generate(this.#c, p, ref);
  }
  editCard(p: string, ref: string, f: CardFields) {
    return this.#s.cards.edit(this.#c, p, ref, f);
  }
  cardRevisions(p: string, ref: string) {
    return this.#s.cards.revisions(this.#c, p, ref);
  }
  async workspace(p: string, ref: string) {
    return (await this.#s.validation.workspace(this.#c, p, ref)) as Json;
  }
  async addFinding(p: string, ref: string, i: { title: string; severity: string; description?: string }) {
    return (await this.#s.validation.addFinding(this.#c, p, ref, i)) as Json;
  }
  async updateFinding(p: string, ref: string, f: string, i: { status?: string; severity?: string; comment?: string }) {
    return (await this.#s.validation.updateFinding(this.#c, p, ref, f, i)) as Json;
  }
  async comment(p: string, ref: string, i: { text: string; findingId?: string }) {
    return (await this.#s.validation.comment(this.#c, p, ref, i)) as Json;
  }
  async signOff(p: string, ref: string, i: { comment: string; report?: string }) {
    return (await this.#s.validation.signOff(this.#c, p, ref, i)) as Json;
  }
}

export type HttpRegistryTransportOptions = ApiClientOptions & { readonly token: string };

const enc = encodeURIComponent;

export class HttpRegistryTransport implements RegistryTransport {
  readonly #client: ApiClient;
  constructor(options: HttpRegistryTransportOptions) {
    this.#client = new ApiClient(options);
  }

  #call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.#client.call<T>(method, path, body);
  }

  #g(p: string, g?: string) {
    return `/v1/projects/${enc(p)}/model-groups${g === undefined ? '' : `/${enc(g)}`}`;
  }
  #v(p: string, ref: string) {
    return `/v1/projects/${enc(p)}/model-versions/${enc(ref)}`;
  }
  listGroups(p: string) {
    return this.#call<ModelGroup[]>('GET', this.#g(p));
  }
  describeGroup(p: string, g: string) {
    return this.#call<ModelGroup>('GET', this.#g(p, g));
  }
  createGroup(p: string, input: { name: string; description?: string; riskTier?: number }) {
    return this.#call<ModelGroup>('POST', this.#g(p), input);
  }
  updateGroup(p: string, g: string, input: { description?: string; riskTier?: number | null }) {
    return this.#call<ModelGroup>('PUT', this.#g(p, g), input);
  }
  register(p: string, r: RegisterRequest) {
    const { group, ...rest } = r;
    return this.#call<ModelVersion>('POST', `${this.#g(p, group)}/versions`, rest);
  }
  listVersions(p: string, g: string, status?: ModelStatus) {
    return this.#call<ModelVersion[]>('GET', `${this.#g(p, g)}/versions${status ? `?status=${status}` : ''}`);
  }
  describeVersion(p: string, ref: string) {
    return this.#call<ModelVersion>('GET', this.#v(p, ref));
  }
  approve(p: string, ref: string, comment: string) {
    return this.#call<Decision>('POST', `${this.#v(p, ref)}/approve`, { comment });
  }
  reject(p: string, ref: string, comment: string) {
    return this.#call<Decision>('POST', `${this.#v(p, ref)}/reject`, { comment });
  }
  archive(p: string, ref: string, reason?: string) {
    return this.#call<ModelVersion>('POST', `${this.#v(p, ref)}/archive`, reason === undefined ? {} : { reason });
  }
  setAlias(p: string, g: string, a: string, r: AliasRequest) {
    return this.#call<AliasHistoryEntry>('PUT', `${this.#g(p, g)}/aliases/${enc(a)}`, r);
  }
  removeAlias(p: string, g: string, a: string, reason?: string) {
    return this.#call<AliasHistoryEntry>('DELETE', `${this.#g(p, g)}/aliases/${enc(a)}${reason ? `?reason=${enc(reason)}` : ''}`);
  }
  aliasHistory(p: string, g: string, a?: string) {
    return this.#call<AliasHistoryEntry[]>('GET', `${this.#g(p, g)}/alias-history${a ? `?alias=${enc(a)}` : ''}`);
  }
  aliasAt(p: string, g: string, a: string, at: string) {
    return this.#call<AliasAt>('GET', `${this.#g(p, g)}/aliases/${enc(a)}?at=${enc(at)}`);
  }
  gates(p: string, ref: string) {
    return this.#call<GateEvaluation & { group: string; version: number }>('GET', `${this.#v(p, ref)}/gates`);
  }
  getSettings(p: string) {
    return this.#call<{ settings: RegistrySettings; revision: number }>('GET', `/v1/projects/${enc(p)}/registry-settings`);
  }
  setSettings(p: string, s: RegistrySettingsInput) {
    return this.#call<{ settings: RegistrySettings; revision: number }>('PUT', `/v1/projects/${enc(p)}/registry-settings`, s);
  }
  attachEvidence(p: string, ref: string, r: { kind: string; ref: string; note?: string }) {
    return this.#call<Evidence[]>('POST', `${this.#v(p, ref)}/evidence`, r);
  }
  listEvidence(p: string, ref: string) {
    return this.#call<Evidence[]>('GET', `${this.#v(p, ref)}/evidence`);
  }
  decisions(p: string, ref: string) {
    return this.#call<Decision[]>('GET', `${this.#v(p, ref)}/decisions`);
  }
  evidenceAtApproval(p: string, ref: string) {
    return this.#call<Decision>('GET', `${this.#v(p, ref)}/evidence-at-approval`);
  }
  inProduction(p: string, alias = 'production') {
    return this.#call<InProduction[]>('GET', `/v1/projects/${enc(p)}/model-aliases/${enc(alias)}`);
  }
  card(p: string, ref: string) {
    return this.#call<ModelCard>('GET', `${this.#v(p, ref)}/card`);
  }
  editCard(p: string, ref: string, f: CardFields) {
    return this.#call<CardRevision>('PUT', `${this.#v(p, ref)}/card`, f);
  }
  cardRevisions(p: string, ref: string) {
    return this.#call<CardRevision[]>('GET', `${this.#v(p, ref)}/card/revisions`);
  }
  workspace(p: string, ref: string) {
    return this.#call<Json>('GET', `${this.#v(p, ref)}/validation`);
  }
  addFinding(p: string, ref: string, i: { title: string; severity: string; description?: string }) {
    return this.#call<Json>('POST', `${this.#v(p, ref)}/validation/findings`, i);
  }
  updateFinding(p: string, ref: string, f: string, i: { status?: string; severity?: string; comment?: string }) {
    return this.#call<Json>('PUT', `${this.#v(p, ref)}/validation/findings/${enc(f)}`, i);
  }
  comment(p: string, ref: string, i: { text: string; findingId?: string }) {
    return this.#call<Json>('POST', `${this.#v(p, ref)}/validation/comments`, i);
  }
  signOff(p: string, ref: string, i: { comment: string; report?: string }) {
    return this.#call<Json>('POST', `${this.#v(p, ref)}/validation/sign-off`, i);
  }
}

/** The registry SDK: every call of the registry and validation, over either transport. */
export class Registry {
  readonly transport: RegistryTransport;
  constructor(transport: RegistryTransport) {
    this.transport = transport;
  }
}

// The console's pages. Each shows what the API answers for the signed-in user; a refusal is shown
// as the server's own message (the server decides, the console does not guess from roles).
import { type FormEvent, lazy, Suspense, useState } from 'react';
import { ApiError, api, download, enc } from './api';
import type { Series } from './charts';
import { type Column, KeyValues, Link, navigate, Problem, Show, SortableTable, useLoad } from './ui';

// The charting and graph-layout libraries are most of the bundle: loaded when a page first needs
// them, so the sign-in page and the tables come up without them.
const LineChartView = lazy(() => import('./charts').then((m) => ({ default: m.LineChartView })));
const LineageGraph = lazy(() => import('./charts').then((m) => ({ default: m.LineageGraph })));
const BarChartView = lazy(() => import('./charts').then((m) => ({ default: m.BarChartView })));
const chartFallback = <p className="muted">Loading chart…</p>;

interface Project { id: string; name: string; description: string; createdAt: string; createdBy: string }
interface Member { id: string; subjectType: string; subject: string; role: string; project: string | null; createdAt: string }

export function ProjectsPage({ projects }: { projects: readonly Project[] }) {
  return (
    <section aria-labelledby="h-projects">
      <h1 id="h-projects">Projects and members</h1>
      {projects.length === 0 ? <p>No project is visible to you.</p> : projects.map((p) => <ProjectCard key={p.id} project={p} />)}
    </section>
  );
}

function ProjectCard({ project }: { project: Project }) {
  const members = useLoad(() => api<Member[]>(`/v1/projects/${enc(project.name)}/members`), project.name);
  const cols: Column<Member>[] = [
    { key: 'subject', label: 'Member', value: (m) => `${m.subjectType}:${m.subject}` },
    { key: 'role', label: 'Role', value: (m) => m.role },
    { key: 'since', label: 'Since', value: (m) => m.createdAt.slice(0, 19).replace('T', ' ') },
  ];
  return (
    <article className="card">
      <h2>{project.name}</h2>
      <p>{project.description || 'No description'} — created by {project.createdBy}</p>
      <Show loaded={members}>{(rows) => <SortableTable caption={`Members of ${project.name}`} rows={rows} columns={cols} rowKey={(m) => m.id} />}</Show>
    </article>
  );
}

interface Trial { trialId: string; experimentName: string; name: string; tags: Record<string, string>; createdAt: string; createdBy: string }
interface MetricSummary { name: string; last: number; min: number; max: number; count: number }
interface Component { componentId: string; name: string; type: string; status: string; parameters: Record<string, unknown>; metrics: MetricSummary[] }

export function ExperimentsPage({ project }: { project: string }) {
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [selected, setSelected] = useState<readonly string[]>([]);
  const trials = useLoad(() => api<{ items: Trial[] }>('/api/v1/tracking/trials/search', { method: 'POST', project, body: { limit: 500, sortBy: 'createdAt', sortOrder: 'desc', ...(applied ? { filter: applied } : {}) } }), `${project}|${applied}`);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const cols: Column<Trial>[] = [
    { key: 'pick', label: 'Compare', value: (t) => selected.includes(t.trialId), render: (t) => <input type="checkbox" aria-label={`Select ${t.name} to compare`} checked={selected.includes(t.trialId)} onChange={() => toggle(t.trialId)} /> },
    { key: 'name', label: 'Trial', value: (t) => t.name, render: (t) => <Link to={`/trials/${enc(t.trialId)}`}>{t.name}</Link> },
    { key: 'experiment', label: 'Experiment', value: (t) => t.experimentName },
    { key: 'tags', label: 'Tags', value: (t) => Object.entries(t.tags).map(([k, v]) => `${k}=${v}`).join(', ') },
    { key: 'createdBy', label: 'Created by', value: (t) => t.createdBy },
    { key: 'createdAt', label: 'Created', value: (t) => t.createdAt.slice(0, 19).replace('T', ' ') },
  ];
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(filter.trim());
  };
  return (
    <section aria-labelledby="h-exp">
      <h1 id="h-exp">Experiments: trials</h1>
      <form className="inline" onSubmit={apply}>
        <label htmlFor="trial-filter">Filter (e.g. <code>metrics.validation:auc &gt; 0.78 and createdBy = user:dana</code>)</label>
        <input id="trial-filter" value={filter} onChange={(e) => setFilter(e.target.value)} size={60} />
        <button type="submit">Apply</button>
      </form>
      <Show loaded={trials}>{(d) => <SortableTable caption="Trials (select two or more to compare)" rows={d.items} columns={cols} rowKey={(t) => t.trialId} />}</Show>
      <p>
        <button type="button" disabled={selected.length < 2} onClick={() => navigate(`/compare?trials=${selected.map(enc).join(',')}`)}>
          Compare {selected.length} selected
        </button>{' '}
        {selected.length < 2 ? <span className="muted">Select at least two trials.</span> : null}
      </p>
    </section>
  );
}

export function ComparePage({ project, ids }: { project: string; ids: readonly string[] }) {
  const loaded = useLoad(() => api<Record<string, unknown>>('/api/v1/tracking/trials/compare', { method: 'POST', project, body: { trials: ids } }), ids.join(','));
  return (
    <section aria-labelledby="h-cmp">
      <h1 id="h-cmp">Compare trials</h1>
      <Show loaded={loaded}>{(d) => <CompareTable data={d} />}</Show>
    </section>
  );
}

function CompareTable({ data }: { data: Record<string, unknown> }) {
  // The server's comparison: one column per trial, a row per parameter and metric that differs.
  const trials = (data.trials as { trialId: string; name: string }[] | undefined) ?? [];
  const rows = (data.rows as { kind: string; name: string; values: unknown[] }[] | undefined) ?? [];
  if (!trials.length) return <pre className="json">{JSON.stringify(data, null, 2)}</pre>;
  return (
    <table>
      <caption>Parameters and metrics side by side</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          {trials.map((t) => (
            <th scope="col" key={t.trialId}>{t.name}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.kind}.${r.name}`}>
            <th scope="row">{`${r.kind}.${r.name}`}</th>
            {r.values.map((v, i) => (
              <td key={trials[i]?.trialId ?? i}>{v === null || v === undefined ? '—' : typeof v === 'number' ? v.toFixed(4) : String(v)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TrialPage({ project, trialId }: { project: string; trialId: string }) {
  const comps = useLoad(() => api<{ items: Component[] }>('/api/v1/tracking/components/search', { method: 'POST', project, body: { filter: `parents.trialId = ${trialId}`, limit: 200 } }), trialId);
  return (
    <section aria-labelledby="h-trial">
      <h1 id="h-trial">Trial {trialId}</h1>
      <Show loaded={comps}>
        {(d) => (
          <>
            <SortableTable
              caption="Trial components"
              rows={d.items}
              rowKey={(c) => c.componentId}
              columns={[
                { key: 'name', label: 'Component', value: (c) => c.name, render: (c) => <Link to={`/lineage/${enc(c.componentId)}`}>{c.name}</Link> },
                { key: 'type', label: 'Type', value: (c) => c.type },
                { key: 'status', label: 'Status', value: (c) => c.status },
                { key: 'metrics', label: 'Metrics (last)', value: (c) => c.metrics.map((m) => `${m.name}=${Number.isInteger(m.last) ? m.last : m.last.toFixed(4)}`).join(', ') },
              ]}
            />
            {d.items.filter((c) => c.metrics.some((m) => m.count > 1)).map((c) => (
              <MetricCurves key={c.componentId} project={project} component={c} />
            ))}
          </>
        )}
      </Show>
    </section>
  );
}

function MetricCurves({ project, component }: { project: string; component: Component }) {
  const names = component.metrics.filter((m) => m.count > 1).map((m) => m.name);
  const loaded = useLoad(async () => {
    const series: Series[] = [];
    for (const name of names) {
      const h = await api<{ metrics?: { step: number; value: number; timestamp: number }[] }>(`/api/2.0/mlflow/metrics/get-history?run_id=${enc(component.componentId)}&metric_key=${enc(name)}`, { project });
      // One point per round: the first value logged at each step (a summary logged later at step 0 is not a round).
      const byStep = new Map<number, { value: number; timestamp: number }>();
      for (const p of h.metrics ?? []) {
        const seen = byStep.get(p.step);
        if (!seen || p.timestamp < seen.timestamp) byStep.set(p.step, p);
      }
      series.push({ name, points: [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([s, p]) => [s, p.value] as const) });
    }
    return series;
  }, component.componentId);
  return <Show loaded={loaded}>
      {(series) => (
        <Suspense fallback={chartFallback}>
          <LineChartView title={`Metrics per round: ${component.name}`} xLabel="round" series={series} />
        </Suspense>
      )}
    </Show>;
}

interface ModelGroup { groupId: string; name: string; description: string; riskTier: number | null; versions: number; aliases: Record<string, number> }
interface ModelVersion { versionId: string; group: string; version: number; status: string; provenance: string; metrics: Record<string, number>; createdBy?: string; createdAt?: string; aliases?: string[] }

export function ModelsPage({ project }: { project: string }) {
  const groups = useLoad(() => api<ModelGroup[]>(`/v1/projects/${enc(project)}/model-groups`), project);
  return (
    <section aria-labelledby="h-models">
      <h1 id="h-models">Models</h1>
      <Show loaded={groups}>{(gs) => (gs.length === 0 ? <p>No model group in {project}.</p> : gs.map((g) => <GroupCard key={g.groupId} project={project} group={g} />))}</Show>
    </section>
  );
}

function GroupCard({ project, group }: { project: string; group: ModelGroup }) {
  const versions = useLoad(() => api<ModelVersion[]>(`/v1/projects/${enc(project)}/model-groups/${enc(group.name)}/versions`), `${project}/${group.name}`);
  const history = useLoad(() => api<Record<string, unknown>[]>(`/v1/projects/${enc(project)}/model-groups/${enc(group.name)}/alias-history`), `${project}/${group.name}/h`);
  return (
    <article className="card">
      <h2>{group.name}</h2>
      <p>
        Risk tier {group.riskTier ?? 'not set'}; aliases: {Object.entries(group.aliases).map(([a, v]) => `${a} → v${v}`).join(', ') || 'none'}
      </p>
      <Show loaded={versions}>
        {(vs) => (
          <SortableTable
            caption={`Versions of ${group.name}`}
            rows={vs}
            rowKey={(v) => v.versionId}
            columns={[
              { key: 'version', label: 'Version', value: (v) => v.version, render: (v) => <Link to={`/models/${enc(`${v.group}@${v.version}`)}`}>{`${v.group}@${v.version}`}</Link> },
              { key: 'status', label: 'Status', value: (v) => v.status },
              { key: 'auc', label: 'validation:auc', value: (v) => v.metrics['validation:auc'] },
              { key: 'provenance', label: 'Provenance', value: (v) => v.provenance },
            ]}
          />
        )}
      </Show>
      <h3>Production history (alias moves)</h3>
      <Show loaded={history}>{(h) => (h.length === 0 ? <p className="muted">No alias has been moved yet.</p> : <pre className="json">{h.map((e) => JSON.stringify(e)).join('\n')}</pre>)}</Show>
    </article>
  );
}

interface Permission { action: string; allowed: boolean; reason: string | null }

export function ModelVersionPage({ project, reference }: { project: string; reference: string }) {
  const base = `/v1/projects/${enc(project)}/model-versions/${enc(reference)}`;
  const version = useLoad(() => api<ModelVersion>(base), base);
  const card = useLoad(() => api<Record<string, unknown>>(`${base}/card`), `${base}/card`);
  const workspace = useLoad(() => api<{ findings: Record<string, unknown>[]; comments: unknown[]; signOffs: unknown[]; evidence: unknown[] }>(`${base}/validation`), `${base}/v`);
  const decisions = useLoad(() => api<Record<string, unknown>[]>(`${base}/decisions`), `${base}/d`);
  const perms = useLoad(() => api<Permission[]>(`${base}/my-permissions`), `${base}/p`);
  const [comment, setComment] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const decide = async (verb: 'approve' | 'reject') => {
    try {
      await api(`${base}/${verb}`, { method: 'POST', body: { comment } });
      setOutcome({ ok: true, text: verb === 'approve' ? 'Approved.' : 'Rejected.' });
      version.reload();
      decisions.reload();
      perms.reload();
    } catch (error) {
      setOutcome({ ok: false, text: error instanceof Error ? error.message : String(error) });
    }
  };
  const permission = (action: string) => perms.data?.find((p) => p.action === action);
  return (
    <section aria-labelledby="h-version">
      <h1 id="h-version">Model {reference}</h1>
      <Show loaded={version}>
        {(v) => (
          <>
            <p>
              Status: <strong data-testid="model-status">{v.status}</strong>
            </p>
            <KeyValues label="Metrics" values={v.metrics} />
          </>
        )}
      </Show>
      <h2>Approval</h2>
      {perms.error ? <Problem error={perms.error} /> : null}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label htmlFor="decision-comment">Decision comment</label>
        <textarea id="decision-comment" value={comment} onChange={(e) => setComment(e.target.value)} rows={2} />
        <div className="buttons">
          {(['approve', 'reject'] as const).map((verb) => {
            const p = permission(verb === 'approve' ? 'model:Approve' : 'model:Reject');
            const why = p && !p.allowed ? `why-${verb}` : undefined;
            return (
              <span key={verb}>
                <button type="button" disabled={!p?.allowed || comment.trim() === ''} aria-describedby={why} onClick={() => void decide(verb)}>
                  {verb === 'approve' ? 'Approve' : 'Reject'}
                </button>
                {p && !p.allowed ? (
                  <span id={why} className="reason" data-testid={`${verb}-reason`}>
                    {' '}
                    You cannot {verb}: {p.reason}
                  </span>
                ) : null}
              </span>
            );
          })}
        </div>
        {permission('model:Approve')?.allowed && comment.trim() === '' ? <p className="muted">A decision needs a comment.</p> : null}
      </form>
      {outcome ? (
        <p role="status" className={outcome.ok ? 'notice ok' : 'notice error'}>
          {outcome.text}
        </p>
      ) : null}
      <h2>Decisions</h2>
      <Show loaded={decisions}>{(ds) => (ds.length === 0 ? <p className="muted">No decision yet.</p> : <pre className="json">{ds.map((d) => JSON.stringify(d)).join('\n')}</pre>)}</Show>
      <h2>Validation workspace</h2>
      <Show loaded={workspace}>
        {(w) => (
          <p>
            {w.findings.length} finding(s), {w.comments.length} comment(s), {w.signOffs.length} sign-off(s), {w.evidence.length} evidence item(s).
            {w.findings.length ? <pre className="json">{w.findings.map((f) => JSON.stringify(f)).join('\n')}</pre> : null}
          </p>
        )}
      </Show>
      <h2>Model card</h2>
      <Show loaded={card}>{(c) => <KeyValues label="Model card" values={c} />}</Show>
    </section>
  );
}

interface LineageNode { id: string; kind: string; name?: string; type?: string; depth: number }
interface LineageEdge { sourceId: string; destId: string; type: string }

export function LineagePage({ project, nodeId }: { project: string; nodeId: string | null }) {
  const [input, setInput] = useState(nodeId ?? '');
  const loaded = useLoad(async () => {
    if (!nodeId) return null;
    const q = '?edges=true&depth=3';
    const [up, down] = await Promise.all(['upstream', 'downstream'].map((d) => api<{ nodes: LineageNode[]; edges: LineageEdge[] }>(`/api/v1/lineage/${enc(nodeId)}/${d}${q}`, { project })));
    return { up: up!, down: down! };
  }, nodeId ?? '');
  return (
    <section aria-labelledby="h-lineage">
      <h1 id="h-lineage">Lineage</h1>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (input.trim()) navigate(`/lineage/${enc(input.trim())}`);
        }}
      >
        <label htmlFor="lineage-id">Dataset artifact, job component or model id</label>
        <input id="lineage-id" value={input} onChange={(e) => setInput(e.target.value)} size={44} />
        <button type="submit">Show</button>
      </form>
      {nodeId ? (
        <Show loaded={loaded}>
          {(d) => {
            if (!d) return null;
            const nodes = new Map<string, { id: string; label: string; kind: string; focus?: boolean }>();
            nodes.set(nodeId, { id: nodeId, label: nodeId, kind: nodeId.startsWith('tc_') ? 'component' : 'artifact', focus: true });
            for (const n of [...d.up.nodes, ...d.down.nodes]) nodes.set(n.id, { id: n.id, label: n.name ?? n.type ?? n.id, kind: n.kind });
            const edges = [...d.up.edges, ...d.down.edges].map((e) => ({ from: e.sourceId, to: e.destId, label: e.type }));
            return (
              <>
                <p>
                  {d.up.nodes.length} upstream and {d.down.nodes.length} downstream node(s) within 3 steps. Select a node to open its lineage.
                </p>
                <div className="graph-scroll">
                  <Suspense fallback={chartFallback}>
                    <LineageGraph nodes={[...nodes.values()]} edges={edges} onOpen={(id) => navigate(`/lineage/${enc(id)}`)} />
                  </Suspense>
                </div>
              </>
            );
          }}
        </Show>
      ) : (
        <p className="muted">Open lineage from a trial component, or enter an id.</p>
      )}
    </section>
  );
}

export function MonitoringPage({ project }: { project: string }) {
  const p = enc(project);
  const endpoints = useLoad(() => api<Record<string, unknown>[]>(`/v1/projects/${p}/endpoints`), `${project}/e`);
  const schedules = useLoad(() => api<Record<string, unknown>[]>(`/v1/projects/${p}/monitoring-schedules`), `${project}/s`);
  const reviews = useLoad(() => api<Record<string, unknown>[]>(`/v1/projects/${p}/review-tasks`), `${project}/r`);
  const list = (rows: Record<string, unknown>[], what: string) => (rows.length === 0 ? <p className="muted">No {what}.</p> : <pre className="json">{rows.map((r) => JSON.stringify(r)).join('\n')}</pre>);
  return (
    <section aria-labelledby="h-mon">
      <h1 id="h-mon">Monitoring</h1>
      <h2>Endpoints</h2>
      <Show loaded={endpoints}>{(r) => list(r, 'endpoint')}</Show>
      <h2>Monitoring schedules and latest executions</h2>
      <Show loaded={schedules}>{(r) => list(r, 'monitoring schedule')}</Show>
      <h2>Human review queue</h2>
      <Show loaded={reviews}>{(r) => list(r, 'review task')}</Show>
    </section>
  );
}

interface AuditEntry { seq: number; time: string; principal: string; action: string; resource: string; outcome: string }
interface VerifyReport { ok: boolean; entriesChecked: number; checkpointsChecked: number; headSeq: number; firstProblem?: { seq: number; reason: string } }

export function AuditPage() {
  const [form, setForm] = useState({ principal: '', action: '', outcome: '' });
  const [applied, setApplied] = useState(form);
  const query = new URLSearchParams({ limit: '10000', ...Object.fromEntries(Object.entries(applied).filter(([, v]) => v)) }).toString();
  const entries = useLoad(() => api<AuditEntry[]>(`/v1/audit?${query}`), query);
  const [verify, setVerify] = useState<VerifyReport | Error | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const cols: Column<AuditEntry>[] = [
    { key: 'seq', label: 'Seq', value: (e) => e.seq },
    { key: 'time', label: 'Time', value: (e) => e.time.slice(0, 19).replace('T', ' ') },
    { key: 'principal', label: 'Principal', value: (e) => e.principal },
    { key: 'action', label: 'Action', value: (e) => e.action },
    { key: 'resource', label: 'Resource', value: (e) => e.resource },
    { key: 'outcome', label: 'Outcome', value: (e) => e.outcome },
  ];
  return (
    <section aria-labelledby="h-audit">
      <h1 id="h-audit">Audit ledger</h1>
      <div className="buttons">
        <button type="button" onClick={() => api<VerifyReport>('/v1/audit/verify', { method: 'POST', body: {} }).then(setVerify, setVerify)}>
          Verify the ledger
        </button>
        <button type="button" onClick={() => download('/v1/audit/bundle', 'attest-evidence-bundle.json').then((n) => setExported(`Evidence bundle exported (${n} bytes).`), (e: Error) => setExported(`Export failed: ${e.message}`))}>
          Export evidence bundle
        </button>
      </div>
      {verify instanceof Error ? <Problem error={verify} /> : verify ? (
        <p role="status" className={verify.ok ? 'notice ok' : 'notice error'} data-testid="verify-status">
          {verify.ok ? `Verified: ${verify.entriesChecked} entries chained, ${verify.checkpointsChecked} signed checkpoints, head ${verify.headSeq}.` : `Broken at entry ${verify.firstProblem?.seq}: ${verify.firstProblem?.reason}`}
        </p>
      ) : null}
      {exported ? <p role="status" className="notice ok">{exported}</p> : null}
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(form);
        }}
      >
        <label htmlFor="f-principal">Principal</label>
        <input id="f-principal" value={form.principal} onChange={(e) => setForm({ ...form, principal: e.target.value })} placeholder="user:dana" />
        <label htmlFor="f-action">Action</label>
        <input id="f-action" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })} placeholder="model:Approve" />
        <label htmlFor="f-outcome">Outcome</label>
        <select id="f-outcome" value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.target.value })}>
          <option value="">any</option>
          <option value="allowed">allowed</option>
          <option value="denied">denied</option>
          <option value="failed">failed</option>
        </select>
        <button type="submit">Filter</button>
      </form>
      <Show loaded={entries}>{(rows) => <SortableTable caption={`Audit entries (${rows.length}, newest last)`} rows={rows.slice(-500)} columns={cols} rowKey={(e) => String(e.seq)} />}</Show>
    </section>
  );
}

export function LoginPage({ onLogin }: { onLogin: (user: string, password: string) => Promise<void> }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main id="main" className="login">
      <h1>Attest console</h1>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          onLogin(user, password).catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'Login failed'));
        }}
      >
        <label htmlFor="login-user">User name</label>
        <input id="login-user" autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required />
        <label htmlFor="login-password">Password</label>
        <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit">Sign in</button>
        {error ? <p role="alert" className="notice error">{error}</p> : null}
      </form>
    </main>
  );
}

interface DatasetVersion { datasetVersionId: string; name: string; version: number; format: string; rowCount: number; byteCount: number; sha256: string; schema: { columns?: { name: string; type: string; nullable: boolean }[] }; createdAt: string; createdBy: string }
interface ColumnProfile { name: string; type: string; count: number; missing: number; distinct: number; distinctApproximate: boolean; numeric?: { min: number; max: number; mean: number; std: number; quantiles: { q: number; value: number }[]; quantilesApproximate: boolean }; topCategories?: { value: string; count: number }[] }

export function DatasetsPage({ project }: { project: string }) {
  const loaded = useLoad(() => api<DatasetVersion[]>(`/v1/projects/${enc(project)}/datasets`), project);
  return (
    <section aria-labelledby="h-datasets">
      <h1 id="h-datasets">Datasets</h1>
      <Show loaded={loaded}>
        {(rows) => (
          <SortableTable
            caption={`Dataset versions in ${project}`}
            rows={rows}
            rowKey={(d) => d.datasetVersionId}
            columns={[
              { key: 'name', label: 'Dataset', value: (d) => `${d.name}@${d.version}`, render: (d) => <Link to={`/datasets/${enc(`${d.name}@${d.version}`)}`}>{`${d.name}@${d.version}`}</Link> },
              { key: 'rows', label: 'Rows', value: (d) => d.rowCount },
              { key: 'columns', label: 'Columns', value: (d) => d.schema.columns?.length ?? 0 },
              { key: 'bytes', label: 'Bytes', value: (d) => d.byteCount },
              { key: 'format', label: 'Format', value: (d) => d.format },
              { key: 'createdBy', label: 'Created by', value: (d) => d.createdBy },
              { key: 'sha256', label: 'SHA-256', value: (d) => `${d.sha256.slice(0, 12)}…` },
            ]}
          />
        )}
      </Show>
    </section>
  );
}

export function DatasetPage({ project, reference }: { project: string; reference: string }) {
  const loaded = useLoad(() => api<{ dataset: DatasetVersion; profile: { rowCount: number; columns: ColumnProfile[] } }>(`/v1/projects/${enc(project)}/datasets/${enc(reference)}/profile`), `${project}/${reference}`);
  const [column, setColumn] = useState<string | null>(null);
  return (
    <section aria-labelledby="h-dataset">
      <h1 id="h-dataset">Dataset {reference}</h1>
      <Show loaded={loaded}>
        {({ dataset, profile }) => {
          const chosen = profile.columns.find((c) => c.name === column) ?? profile.columns[0];
          return (
            <>
              <p>
                {dataset.rowCount} rows, {dataset.format}, SHA-256 <code>{dataset.sha256}</code>, created by {dataset.createdBy}.
              </p>
              <SortableTable
                caption="Schema and profile"
                rows={profile.columns}
                rowKey={(c) => c.name}
                columns={[
                  { key: 'name', label: 'Column', value: (c) => c.name },
                  { key: 'type', label: 'Type', value: (c) => c.type },
                  { key: 'missing', label: 'Missing', value: (c) => c.missing },
                  { key: 'distinct', label: 'Distinct', value: (c) => c.distinct },
                  { key: 'min', label: 'Min', value: (c) => c.numeric?.min },
                  { key: 'mean', label: 'Mean', value: (c) => c.numeric?.mean },
                  { key: 'max', label: 'Max', value: (c) => c.numeric?.max },
                  { key: 'std', label: 'Std', value: (c) => c.numeric?.std },
                ]}
              />
              <div className="inline">
                <label htmlFor="profile-column">Distribution of</label>
                <select id="profile-column" value={chosen?.name ?? ''} onChange={(e) => setColumn(e.target.value)}>
                  {profile.columns.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </div>
              {chosen ? <ColumnChart column={chosen} /> : null}
            </>
          );
        }}
      </Show>
    </section>
  );
}

function ColumnChart({ column }: { column: ColumnProfile }) {
  // The stored profile keeps the most frequent values and the quantiles (not raw rows): the chart draws those.
  const top = column.topCategories;
  const q = column.numeric?.quantiles;
  return (
    <Suspense fallback={chartFallback}>
      {top && top.length > 0 ? (
        <BarChartView title={`${column.name}: most frequent values${column.distinctApproximate ? ' (approximate)' : ''}`} xLabel="value" labels={top.map((t) => t.value)} values={top.map((t) => t.count)} />
      ) : q && q.length > 0 ? (
        <BarChartView title={`${column.name}: quantiles${column.numeric?.quantilesApproximate ? ' (approximate, KLL sketch)' : ''}`} xLabel="quantile" labels={q.map((x) => `p${Math.round(x.q * 100)}`)} values={q.map((x) => x.value)} />
      ) : (
        <p className="muted">No distribution recorded for {column.name}.</p>
      )}
    </Suspense>
  );
}

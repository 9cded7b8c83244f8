// The console shell: sign-in, the project chooser, navigation and the page for the current path.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, loadSession, login, logout, type Session, setUnauthenticatedHandler } from './api';
import { AuditPage, ComparePage, DatasetPage, DatasetsPage, ExperimentsPage, LineagePage, LoginPage, ModelsPage, ModelVersionPage, MonitoringPage, ProjectsPage, TrialPage } from './pages';
import { currentPath, Link, Show, useLoad } from './ui';
import './styles.css';

const NAV: readonly { to: string; label: string }[] = [
  { to: '/projects', label: 'Projects' },
  { to: '/datasets', label: 'Datasets' },
  { to: '/experiments', label: 'Experiments' },
  { to: '/models', label: 'Models' },
  { to: '/lineage', label: 'Lineage' },
  { to: '/monitoring', label: 'Monitoring' },
  { to: '/audit', label: 'Audit' },
];

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    window.addEventListener('popstate', onPop);
    setUnauthenticatedHandler(() => setSession(null));
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  if (!session) return <LoginPage onLogin={async (u, p) => setSession(await login(u, p))} />;
  return <Shell session={session} path={path} onLogout={() => void logout().finally(() => setSession(null))} />;
}

interface Project { id: string; name: string; description: string; createdAt: string; createdBy: string }

function Shell({ session, path, onLogout }: { session: Session; path: string; onLogout: () => void }) {
  const projects = useLoad(() => api<Project[]>('/v1/projects'), session.token);
  const [chosen, setChosen] = useState<string | null>(() => sessionStorage.getItem('attest.project'));
  const project = chosen && projects.data?.some((p) => p.name === chosen) ? chosen : (projects.data?.[0]?.name ?? null);
  const choose = (name: string) => {
    sessionStorage.setItem('attest.project', name);
    setChosen(name);
  };
  const [route, search] = path.split('?') as [string, string | undefined];
  const parts = route.split('/').filter(Boolean).map(decodeURIComponent);
  const section = parts[0] ?? 'projects';
  useEffect(() => {
    document.title = `${NAV.find((n) => n.to === `/${section}`)?.label ?? section} — Attest console`;
    document.getElementById('main')?.focus();
  }, [section]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">Attest</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} className={`/${section}` === n.to || (n.to === '/experiments' && (section === 'trials' || section === 'compare')) ? 'current' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          {projects.data && projects.data.length > 0 ? (
            <>
              <label htmlFor="project">Project</label>
              <select id="project" value={project ?? ''} onChange={(e) => choose(e.target.value)}>
                {projects.data.map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <span data-testid="principal">{session.principal}</span>
          <button type="button" onClick={onLogout}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Show loaded={projects}>
          {(list) => {
            if (section === 'audit') return <AuditPage />;
            if (section === 'projects') return <ProjectsPage projects={list} />;
            if (!project) return <p>No project is visible to you, so there is nothing to show here.</p>;
            switch (section) {
              case 'datasets':
                return parts[1] ? <DatasetPage project={project} reference={parts[1]} /> : <DatasetsPage project={project} />;
              case 'experiments':
                return <ExperimentsPage project={project} />;
              case 'trials':
                return <TrialPage project={project} trialId={parts[1] ?? ''} />;
              case 'compare':
                return <ComparePage project={project} ids={new URLSearchParams(search ?? '').get('trials')?.split(',').filter(Boolean) ?? []} />;
              case 'models':
                return parts[1] ? <ModelVersionPage project={project} reference={parts[1]} /> : <ModelsPage project={project} />;
              case 'lineage':
                return <LineagePage key={parts[1] ?? ''} project={project} nodeId={parts[1] ?? null} />;
              case 'monitoring':
                return <MonitoringPage project={project} />;
              default:
                return <p>No such page.</p>;
            }
          }}
        </Show>
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

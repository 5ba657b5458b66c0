/** `/admin/projects`: every project, and the form to create one. */
import { useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { listProjects } from '../../api/admin.js';
import { useSession } from '../../api/session.js';
import { formatGB, quotaSummary, type Limits } from '../../lib/admin-form.js';
import { ProjectForm } from './project-form.js';
import { useSave } from './use-save.js';

/** `64 cores, 256 GB, 4 GPUs, 100 jobs` or `none`. */
export function limitsSummary(l: Limits | null): string {
  if (l === null) return 'none';
  const parts = [
    l.cpu > 0 ? `${l.cpu} cores` : '',
    l.ram > 0 ? formatGB(l.ram) : '',
    l.gpus > 0 ? `${l.gpus} GPUs` : '',
    l.jobs > 0 ? `${l.jobs} jobs` : '',
  ].filter((s) => s !== '');
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** The projects page. */
export function ProjectsPage(): ReactNode {
  const { client } = useSession();
  const navigate = useNavigate();
  const projects = useQuery({
    queryKey: ['admin', 'projects'],
    queryFn: () => listProjects(client),
  });
  const [creating, setCreating] = useState(false);
  const save = useSave();
  const onSubmit = (body: Record<string, unknown>, local: Record<string, string>): void => {
    void save
      .run(local, () => client.createProject(body))
      .then((ok) => {
        if (ok) void navigate(`/admin/projects/${encodeURIComponent(String(body.id))}`);
      });
  };
  return (
    <section className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setCreating(!creating)}
          aria-expanded={creating}
        >
          {creating ? 'Cancel' : 'New project'}
        </button>
      </div>
      {creating ? (
        <section aria-labelledby="new-project">
          <h2 id="new-project">New project</h2>
          <ProjectForm project={null} errors={save.errors} busy={save.busy} onSubmit={onSubmit} />
        </section>
      ) : null}
      {projects.isPending ? (
        <p role="status">Loading projects…</p>
      ) : projects.isError ? (
        <p role="alert" className="error">
          The projects could not be loaded: {projects.error.message}
        </p>
      ) : (
        <table className="admin-table" data-testid="projects-table">
          <caption className="visually-hidden">Projects</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Members</th>
              <th scope="col">Priority</th>
              <th scope="col">Quota</th>
              <th scope="col">Limits</th>
            </tr>
          </thead>
          <tbody>
            {projects.data.map((p) => (
              <tr key={p.id}>
                <td data-label="Name">
                  <Link to={`/admin/projects/${encodeURIComponent(p.id)}`}>{p.id}</Link>
                </td>
                <td data-label="Description">{p.description}</td>
                <td data-label="Members">{p.members.length}</td>
                <td data-label="Priority">{p.priority}</td>
                <td data-label="Quota">{quotaSummary(p.quota)}</td>
                <td data-label="Limits">{limitsSummary(p.limits)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

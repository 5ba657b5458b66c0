/** `/admin/projects/:id`: a project's settings and members, and its deletion (confirmed in page). */
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '@god/client';
import type { ProjectView } from '../../api/admin.js';
import { useSession } from '../../api/session.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { NotFound } from '../not-found.js';
import { MembersEditor } from './members-editor.js';
import { ProjectForm } from './project-form.js';
import { useSave } from './use-save.js';

/** The project page. */
export function ProjectPage(): ReactNode {
  const id = useParams().id ?? '';
  const { client } = useSession();
  const navigate = useNavigate();
  const save = useSave();
  const members = useSave();
  const [saved, setSaved] = useState(false);
  const project = useQuery({
    queryKey: ['admin', 'project', id],
    queryFn: async () => (await client.project(id)) as unknown as ProjectView,
  });
  if (project.isPending) return <p role="status">Loading the project…</p>;
  if (project.isError)
    return project.error instanceof ApiError && project.error.status === 404 ? (
      <NotFound />
    ) : (
      <p role="alert" className="error">
        The project could not be loaded: {project.error.message}
      </p>
    );
  const p = project.data;
  const onSubmit = (body: Record<string, unknown>, local: Record<string, string>): void => {
    setSaved(false);
    void save.run(local, () => client.updateProject(p.id, body)).then(setSaved);
  };
  const remove = (): void => {
    void save
      .run({}, () => client.deleteProject(p.id))
      .then((ok) => ok && navigate('/admin/projects'));
  };
  const memberError = Object.values(members.errors).join('; ');
  return (
    <section className="page">
      <p>
        <Link to="/admin/projects">Projects</Link> /
      </p>
      <div className="page-head">
        <h1>Project {p.id}</h1>
        {p.id === 'default' ? null : (
          <ConfirmButton
            label="Delete project"
            className="button danger"
            question={`Delete project ${p.id}? Its jobs stay.`}
            confirm="Delete"
            onConfirm={remove}
          />
        )}
      </div>
      {saved ? (
        <p role="status" className="ok">
          Saved.
        </p>
      ) : null}
      <MembersEditor
        members={p.members}
        busy={members.busy}
        error={memberError === '' ? undefined : memberError}
        onChange={(change) => members.run({}, () => client.projectMembers(p.id, change))}
      />
      <h2>Settings</h2>
      <ProjectForm
        key={p.id}
        project={p}
        errors={save.errors}
        busy={save.busy}
        onSubmit={onSubmit}
      />
    </section>
  );
}

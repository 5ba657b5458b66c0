/** `/admin/users`: every user, and the form to create one. */
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { listUsers, type UserView } from '../../api/admin.js';
import { useSession } from '../../api/session.js';
import { quotaSummary } from '../../lib/admin-form.js';
import { USER_FIELDS, UserForm } from './user-form.js';
import { useSave } from './use-save.js';

/** Whether god keeps passwords (the local auth plugin): the forms offer one only then. */
export function useLocalAuth(): boolean {
  const { client } = useSession();
  const q = useQuery({ queryKey: ['config'], queryFn: () => client.config(), staleTime: 300_000 });
  return q.data?.auth === 'local';
}

/** The users page. */
export function UsersPage(): ReactNode {
  const { client } = useSession();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => listUsers(client) });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const localAuth = useLocalAuth();
  const save = useSave(USER_FIELDS);
  const onSubmit = (body: Record<string, unknown>, local: Record<string, string>): void => {
    void save
      .run(local, () => client.createUser(body))
      .then((ok) => {
        if (!ok) return;
        setCreating(false);
        setCreated(String(body.id));
      });
  };
  return (
    <section className="page">
      <div className="page-head">
        <h1>Users</h1>
        <button
          type="button"
          className="primary"
          onClick={() => setCreating(!creating)}
          aria-expanded={creating}
        >
          {creating ? 'Cancel' : 'New user'}
        </button>
      </div>
      {created !== null ? (
        <p role="status" className="ok">
          User {created} created.
        </p>
      ) : null}
      {creating ? (
        <section aria-labelledby="new-user">
          <h2 id="new-user">New user</h2>
          <UserForm
            user={null}
            localAuth={localAuth}
            errors={save.errors}
            busy={save.busy}
            onSubmit={onSubmit}
          />
        </section>
      ) : null}
      {users.isPending ? (
        <p role="status">Loading users…</p>
      ) : users.isError ? (
        <p role="alert" className="error">
          The users could not be loaded: {users.error.message}
        </p>
      ) : (
        <UsersTable users={users.data} />
      )}
    </section>
  );
}

function UsersTable(props: { users: UserView[] }): ReactNode {
  return (
    <table className="admin-table" data-testid="users-table">
      <caption className="visually-hidden">Users</caption>
      <thead>
        <tr>
          <th scope="col">Login</th>
          <th scope="col">UID</th>
          <th scope="col">GID</th>
          <th scope="col">Groups</th>
          <th scope="col">Admin</th>
          <th scope="col">Status</th>
          <th scope="col">Priority</th>
          <th scope="col">Quota</th>
        </tr>
      </thead>
      <tbody>
        {props.users.map((u) => (
          <tr key={u.id}>
            <td data-label="Login">
              <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.id}</Link>
            </td>
            <td data-label="UID">{u.uid}</td>
            <td data-label="GID">{u.gid}</td>
            <td data-label="Groups">{u.sgids.length === 0 ? '—' : u.sgids.join(', ')}</td>
            <td data-label="Admin">{u.admin ? 'yes' : 'no'}</td>
            <td data-label="Status">{u.disabled ? 'disabled' : 'active'}</td>
            <td data-label="Priority">{u.priority}</td>
            <td data-label="Quota">{quotaSummary(u.quota)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/admin/users/:login`: change a user, or delete them (after an in-page confirmation). */
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '@god/client';
import type { UserView } from '../../api/admin.js';
import { useSession } from '../../api/session.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { NotFound } from '../not-found.js';
import { USER_FIELDS, UserForm } from './user-form.js';
import { useLocalAuth } from './users-page.js';
import { useSave } from './use-save.js';

/** The user page. */
export function UserPage(): ReactNode {
  const login = useParams().login ?? '';
  const { client } = useSession();
  const navigate = useNavigate();
  const localAuth = useLocalAuth();
  const save = useSave(USER_FIELDS);
  const [saved, setSaved] = useState(false);
  const user = useQuery({
    queryKey: ['admin', 'user', login],
    queryFn: async () => (await client.user(login)) as unknown as UserView,
  });
  if (user.isPending) return <p role="status">Loading the user…</p>;
  if (user.isError)
    return user.error instanceof ApiError && user.error.status === 404 ? (
      <NotFound />
    ) : (
      <p role="alert" className="error">
        The user could not be loaded: {user.error.message}
      </p>
    );
  const u = user.data;
  const onSubmit = (body: Record<string, unknown>, local: Record<string, string>): void => {
    setSaved(false);
    void save.run(local, () => client.updateUser(u.id, body)).then(setSaved);
  };
  const remove = (): void => {
    void save.run({}, () => client.deleteUser(u.id)).then((ok) => ok && navigate('/admin/users'));
  };
  return (
    <section className="page">
      <p>
        <Link to="/admin/users">Users</Link> /
      </p>
      <div className="page-head">
        <h1>User {u.id}</h1>
        <ConfirmButton
          label="Delete user"
          className="button danger"
          question={`Delete user ${u.id}? Their API keys are revoked and their sessions end; their jobs stay.`}
          confirm="Delete"
          onConfirm={remove}
        />
      </div>
      {saved ? (
        <p role="status" className="ok">
          Saved.
        </p>
      ) : null}
      <UserForm
        key={u.id}
        user={u}
        localAuth={localAuth}
        errors={save.errors}
        busy={save.busy}
        onSubmit={onSubmit}
      />
    </section>
  );
}

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
  const toggle = (disabled: boolean): void => {
    setSaved(false);
    void save.run({}, () => client.updateUser(u.id, { disabled }));
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
        <div className="form-actions">
          <DisableButton user={u} busy={save.busy} onChange={toggle} />
          <ConfirmButton
            label="Delete user"
            className="button danger"
            question={`Delete user ${u.id}? Their API keys are revoked and their sessions end; their jobs stay.`}
            confirm="Delete"
            onConfirm={remove}
          />
        </div>
      </div>
      {u.disabled ? (
        <p role="note" className="error" data-testid="user-disabled">
          Disabled: every credential of {u.id} is refused (password, API keys, sessions).
        </p>
      ) : null}
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

/** Disables (after a confirmation: it ends the user's sessions) or enables the user. */
function DisableButton(props: {
  user: UserView;
  busy: boolean;
  onChange: (disabled: boolean) => void;
}): ReactNode {
  const { user } = props;
  if (user.disabled)
    return (
      <button type="button" disabled={props.busy} onClick={() => props.onChange(false)}>
        Enable user
      </button>
    );
  return (
    <ConfirmButton
      label="Disable user"
      className="button"
      question={`Disable user ${user.id}? Their sessions end and their password and API keys are refused until enabled again; their jobs stay.`}
      confirm="Disable"
      disabled={props.busy}
      onConfirm={() => props.onChange(true)}
    />
  );
}

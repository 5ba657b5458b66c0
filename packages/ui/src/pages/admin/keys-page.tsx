/** `/admin/keys`: every user's API keys (never the keys themselves), each revocable after a confirmation. */
import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { listAllKeys } from '../../api/admin.js';
import { useSession } from '../../api/session.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { formatAbsolute } from '../../lib/format.js';
import { useSave } from './use-save.js';

/** The keys page. */
export function KeysPage(): ReactNode {
  const { client } = useSession();
  const keys = useQuery({ queryKey: ['admin', 'keys'], queryFn: () => listAllKeys(client) });
  const save = useSave();
  const [revoked, setRevoked] = useState<string | null>(null);
  const revoke = (id: string): void => {
    setRevoked(null);
    void save.run({}, () => client.revokeKey(id)).then((ok) => ok && setRevoked(id));
  };
  return (
    <section className="page">
      <h1>API keys</h1>
      {revoked !== null ? (
        <p role="status" className="ok">
          Key {revoked} revoked (with the keys made with it).
        </p>
      ) : null}
      {save.errors.form !== undefined ? (
        <p role="alert" className="error">
          {save.errors.form}
        </p>
      ) : null}
      {keys.isPending ? (
        <p role="status">Loading keys…</p>
      ) : keys.isError ? (
        <p role="alert" className="error">
          The keys could not be loaded: {keys.error.message}
        </p>
      ) : keys.data.length === 0 ? (
        <p className="empty">No API keys.</p>
      ) : (
        <table className="admin-table" data-testid="keys-table">
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id} data-key={k.id}>
                <td data-label="User">{k.user}</td>
                <td data-label="Name">{k.name}</td>
                <td data-label="Id">
                  <code>{k.id}</code>
                </td>
                <td data-label="Created">{formatAbsolute(k.createdAt)}</td>
                <td data-label="Expires">
                  {k.expiresAt === null ? 'never' : formatAbsolute(k.expiresAt)}
                </td>
                <td>
                  <ConfirmButton
                    label="Revoke"
                    className="button danger"
                    testId={`revoke-${k.id}`}
                    question={`Revoke ${k.user}’s key “${k.name}” (${k.id})? Programs using it stop working.`}
                    confirm="Revoke"
                    disabled={save.busy}
                    onConfirm={() => revoke(k.id)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

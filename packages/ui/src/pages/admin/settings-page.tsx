/**
 * `/admin/settings`: the maintenance switch (the flag `god maintenance on|off` sets) and the
 * resolved configuration, secrets masked by the server (`GET /admin/config`).
 */
import type { ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Switch } from 'react-aria-components';
import { useSession } from '../../api/session.js';

/** The settings page. */
export function SettingsPage(): ReactNode {
  const { client } = useSession();
  const qc = useQueryClient();
  const m = useQuery({ queryKey: ['maintenance'], queryFn: () => client.maintenance() });
  const config = useQuery({ queryKey: ['admin', 'config'], queryFn: () => client.adminConfig() });
  const set = useMutation({
    mutationFn: (on: boolean) => client.setMaintenance(on),
    onSuccess: (data) => qc.setQueryData(['maintenance'], data),
  });
  return (
    <section className="page">
      <h1>Settings</h1>
      <h2>Maintenance</h2>
      <p className="muted">
        While on, the scheduler starts no new jobs; running jobs go on and users can still submit.
        Every user sees a banner.
      </p>
      {m.data === undefined ? (
        <p role="status">{m.isError ? m.error.message : 'Loading…'}</p>
      ) : (
        <Switch
          className="switch"
          isSelected={m.data.maintenance}
          isDisabled={set.isPending}
          onChange={(on) => set.mutate(on)}
        >
          <span className="switch-track" aria-hidden="true" />
          Maintenance {m.data.maintenance ? 'on' : 'off'}
        </Switch>
      )}
      {set.isError ? (
        <p role="alert" className="error">
          {set.error.message}
        </p>
      ) : null}
      <h2>Configuration</h2>
      <p className="muted">
        As resolved from the file, the environment and the defaults; secrets are masked.
      </p>
      {config.isPending ? (
        <p role="status">Loading the configuration…</p>
      ) : config.isError ? (
        <p role="alert" className="error">
          The configuration could not be loaded: {config.error.message}
        </p>
      ) : (
        <pre className="config" data-testid="config" tabIndex={0}>
          {JSON.stringify(config.data, null, 2)}
        </pre>
      )}
    </section>
  );
}

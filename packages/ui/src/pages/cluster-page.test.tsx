// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Cluster, ClusterHost } from '@god/client';
import { jobColour } from '../lib/cluster.js';
import { ALICE, fakeClient, renderApp } from '../test-app.js';

const alices = { id: 42, user: 'alice', name: 'align' };

function host(patch: Partial<ClusterHost> & { name: string }): ClusterHost {
  return {
    alive: true,
    lastSeen: Date.now(),
    labels: {},
    reservedFor: null,
    shards: [
      {
        id: '0',
        cores: [
          { id: 0, job: alices },
          { id: 1, job: alices },
          { id: 2, job: 'busy' },
          { id: 3, job: null },
        ],
        ramGB: 16,
        ramUsedGB: 4.5,
        gpus: [{ id: 0, job: 'busy' }],
      },
    ],
    ...patch,
  };
}

function serve(cluster: Cluster): ReturnType<typeof fakeClient> {
  return fakeClient({
    'GET /cluster': { body: cluster },
    'GET /maintenance': { body: { maintenance: false } },
  });
}

describe('the cluster map', () => {
  it('names and links the jobs the API names, and draws the others as busy', async () => {
    const { client } = serve({ maintenance: false, hosts: [host({ name: 'node1' })] });
    renderApp('/cluster', client, ALICE);
    const own = await screen.findByRole('link', { name: 'core 0: job 42 (alice)' });
    expect(own.getAttribute('href')).toBe('/jobs/42');
    expect(own.closest('li')?.style.backgroundColor).not.toBe('');
    expect(screen.getByRole('link', { name: 'core 1: job 42 (alice)' })).toBeTruthy();
    // 'busy' stays busy: no id, user or name of the other user's job anywhere in the cell.
    const busy = screen.getByRole('img', { name: 'core 2: busy' });
    expect(busy.textContent).toBe('');
    expect(busy.querySelector('a')).toBeNull();
    expect(screen.getByRole('img', { name: 'core 3: free' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'gpu 0: busy' })).toBeTruthy();
    expect(screen.getByText(/^RAM 4.5 GB \/ 16 GB · GPUs 1 \/ 1$/)).toBeTruthy();
    expect(screen.getByTestId('cluster-summary').textContent).toBe(
      '1 of 1 hosts up · 3 of 4 cores busy',
    );
    expect(screen.getByRole('list', { name: 'Legend' })).toBeTruthy();
  });

  it('gives a job the same colour on every core, and another job another colour', () => {
    expect(jobColour(42)).toBe(jobColour(42));
    expect(jobColour(42)).not.toBe(jobColour(43));
  });

  it('marks lost and reserved hosts', async () => {
    const { client } = serve({
      maintenance: false,
      hosts: [
        host({ name: 'gone', alive: false, lastSeen: Date.now() - 600_000 }),
        host({ name: 'kept', reservedFor: { users: ['bob'], projects: ['astro'] } }),
        host({ name: 'plain' }),
      ],
    });
    renderApp('/cluster', client, ALICE);
    const gone = await screen.findByRole('article', { name: /^host gone \(lost\)/ });
    expect(gone.querySelector('.tag-lost')?.textContent).toBe('lost · last seen 10 min ago');
    const kept = screen.getByRole('article', { name: /^host kept \(reserved\)/ });
    expect(within(kept).getByText('reserved for users bob; projects astro')).toBeTruthy();
    const plain = screen.getByRole('article', { name: /^host plain:/ });
    expect(within(plain).queryByText(/reserved|lost/)).toBeNull();
    expect(screen.getByTestId('cluster-summary').textContent).toMatch(/^2 of 3 hosts up/);
  });

  it('moves the keyboard focus from host to host with the arrow keys', async () => {
    const { client } = serve({
      maintenance: false,
      hosts: [host({ name: 'a' }), host({ name: 'b' }), host({ name: 'c' })],
    });
    renderApp('/cluster', client, ALICE);
    const a = await screen.findByRole('article', { name: /^host a:/ });
    a.focus();
    const user = userEvent.setup();
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement?.getAttribute('data-host')).toBe('b');
    await user.keyboard('{End}');
    expect(document.activeElement?.getAttribute('data-host')).toBe('c');
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement?.getAttribute('data-host')).toBe('b');
  });

  it('shows the maintenance banner when the cluster says scheduling is paused', async () => {
    const { client } = serve({ maintenance: true, hosts: [host({ name: 'node1' })] });
    renderApp('/cluster', client, ALICE);
    await waitFor(() => expect(screen.getByText(/Maintenance: the scheduler starts/)).toBeTruthy());
  });
});

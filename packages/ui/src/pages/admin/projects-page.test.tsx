// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Session } from '@god/client';
import { fakeClient, renderApp, type Routes } from '../../test-app.js';

const ROOT: Session = { user: 'root', admin: true, expiresAt: 0, csrf: 'csrf-9' };
const base: Routes = {
  'GET /maintenance': { body: { maintenance: false } },
  'GET /config': { body: { auth: 'local', images: [], volumes: [] } },
};
const physics = {
  id: 'physics',
  description: 'lab',
  members: ['alice', 'bob'],
  priority: 50,
  quota: null,
  limits: { cpu: 64, ram: 256, gpus: 0, jobs: 0 },
  createdAt: 0,
};

describe('the projects pages', () => {
  it('lists projects with limits in units', async () => {
    const { client } = fakeClient({ ...base, 'GET /projects': { body: { projects: [physics] } } });
    renderApp('/admin/projects', client, ROOT);
    const table = await screen.findByTestId('projects-table');
    expect(within(table).getByText('64 cores, 256 GB')).toBeTruthy();
    expect(within(table).getByRole('link', { name: 'physics' }).getAttribute('href')).toBe(
      '/admin/projects/physics',
    );
  });

  it('adds and removes members through the members route, the list following the API', async () => {
    let members = [...physics.members];
    const { client, seen } = fakeClient({
      ...base,
      'GET /projects/physics': () => ({ body: { ...physics, members } }),
      'POST /projects/physics/members': ({ body }) => {
        const b = body as { add?: string[]; remove?: string[] };
        if (b.add?.includes('ghost!'))
          return {
            status: 400,
            body: {
              error: {
                code: 'INVALID_INPUT',
                message: 'invalid request',
                issues: [{ path: 'add[0]', message: 'not a login name' }],
              },
            },
          };
        members = [...members, ...(b.add ?? [])].filter((m) => !(b.remove ?? []).includes(m));
        return { body: { ...physics, members } };
      },
    });
    renderApp('/admin/projects/physics', client, ROOT);
    const user = userEvent.setup();
    const list = await screen.findByRole('list', { name: 'Members' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.firstChild?.textContent),
    ).toEqual(['alice', 'bob']);
    await user.click(screen.getByRole('button', { name: 'Remove alice' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Remove alice' })).toBeNull());

    await user.type(screen.getByLabelText('Add members'), 'carol, dave');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    await screen.findByRole('button', { name: 'Remove dave' });
    expect(screen.getByLabelText('Add members')).toHaveProperty('value', '');
    expect(screen.getByRole('heading', { name: 'Members (3)' })).toBeTruthy();

    await user.type(screen.getByLabelText('Add members'), 'ghost!');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect((await screen.findByTestId('member-add-error')).textContent).toBe('not a login name');
    expect(screen.getByLabelText('Add members')).toHaveProperty('value', 'ghost!');

    expect(seen.filter((s) => s.method === 'POST').map((s) => s.body)).toEqual([
      { remove: ['alice'] },
      { add: ['carol', 'dave'] },
      { add: ['ghost!'] },
    ]);
  });

  it('saves limits typed with units, and says which one is wrong', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /projects/physics': { body: physics },
      'POST /projects/physics': ({ body }) => ({ body: { ...physics, ...(body as object) } }),
    });
    renderApp('/admin/projects/physics', client, ROOT);
    const user = userEvent.setup();
    const ram = await screen.findByLabelText('RAM at once');
    expect(ram).toHaveProperty('value', '256G');
    await user.clear(ram);
    await user.type(ram, 'plenty');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByTestId('project-limit-ram-error')).textContent).toMatch(
      /is not a size/,
    );
    await user.clear(ram);
    await user.type(ram, '512M');
    await user.type(screen.getByLabelText('Jobs at once'), '10');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('status')).textContent).toBe('Saved.');
    expect(seen.find((s) => s.method === 'POST')?.body).toMatchObject({
      limits: { cpu: 64, ram: 0.5, gpus: 0, jobs: 10 },
      quota: null,
    });
  });

  it('deletes a project after the confirmation; the default project offers no delete', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /projects/physics': { body: physics },
      'GET /projects/default': { body: { ...physics, id: 'default' } },
      'GET /projects': { body: { projects: [] } },
      'DELETE /projects/physics': { body: { deleted: 'physics' } },
    });
    const { router } = renderApp('/admin/projects/physics', client, ROOT);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete project' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Delete project physics?');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/projects'));
    expect(seen.filter((s) => s.method === 'DELETE')).toHaveLength(1);

    await router.navigate('/admin/projects/default');
    await screen.findByRole('heading', { name: 'Project default' });
    expect(screen.queryByRole('button', { name: 'Delete project' })).toBeNull();
  });
});

describe('the keys and settings pages', () => {
  it('lists every user’s keys and revokes one after the confirmation', async () => {
    const key = (id: string, user: string) => ({
      id,
      user,
      name: `${user}-laptop`,
      createdAt: 0,
      expiresAt: null,
    });
    const { client, seen } = fakeClient({
      ...base,
      'GET /users': { body: { users: [{ id: 'alice' }, { id: 'bob' }] } },
      'GET /keys': ({ url }) => {
        const u = url.searchParams.get('user') ?? '';
        return {
          body: { keys: [key(u === 'alice' ? '00000000000000a1' : '00000000000000b1', u)] },
        };
      },
      'DELETE /keys/00000000000000b1': { body: { revoked: '00000000000000b1', derived: [] } },
    });
    renderApp('/admin/keys', client, ROOT);
    const user = userEvent.setup();
    const table = await screen.findByTestId('keys-table');
    expect(within(table).getByText('alice-laptop')).toBeTruthy();
    await user.click(within(table).getByTestId('revoke-00000000000000b1'));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Revoke bob’s key “bob-laptop”');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect((await screen.findByRole('status')).textContent).toContain(
      'Key 00000000000000b1 revoked',
    );
    expect(seen.filter((s) => s.method === 'DELETE').map((s) => s.url.pathname)).toEqual([
      '/api/v1/keys/00000000000000b1',
    ]);
  });

  it('switches maintenance on (the banner follows) and shows the masked configuration', async () => {
    let on = false;
    const { client, seen } = fakeClient({
      'GET /maintenance': () => ({ body: { maintenance: on } }),
      'PUT /maintenance': ({ body }) => {
        on = (body as { maintenance: boolean }).maintenance;
        return { body: { maintenance: on } };
      },
      'GET /admin/config': { body: { auth: { token_secret: '********', token_ttl_s: 3600 } } },
    });
    renderApp('/admin/settings', client, ROOT);
    const user = userEvent.setup();
    expect((await screen.findByTestId('config')).textContent).toContain(
      '"token_secret": "********"',
    );
    const toggle = await screen.findByRole('switch', { name: 'Maintenance off' });
    await user.click(toggle);
    await screen.findByRole('switch', { name: 'Maintenance on' });
    expect(await screen.findByText(/^Maintenance: the scheduler starts no new jobs/)).toBeTruthy();
    expect(seen.find((s) => s.method === 'PUT')?.body).toEqual({ maintenance: true });
  });
});

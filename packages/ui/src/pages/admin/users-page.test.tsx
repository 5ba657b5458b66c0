// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Session } from '@god/client';
import { ALICE, fakeClient, renderApp } from '../../test-app.js';

const ROOT: Session = { user: 'root', admin: true, expiresAt: 0, csrf: 'csrf-9' };
const base = {
  'GET /maintenance': { body: { maintenance: false } },
  'GET /config': { body: { auth: 'local', images: [], volumes: [] } },
};
const bob = {
  id: 'bob',
  uid: 2001,
  gid: 2001,
  sgids: [3000, 3001],
  home: '/home/bob',
  email: 'bob@example.org',
  admin: false,
  priority: 40,
  quota: {
    cpuSeconds: 100 * 3600,
    ramGBSeconds: 500 * 3600,
    gpuSeconds: 0,
    wallSeconds: 0,
    windowSeconds: 7 * 86_400,
  },
  hasPassword: true,
  createdAt: 0,
};

describe('the users page', () => {
  it('lists users with their quota in units, and creates one from the form', async () => {
    let users = [bob];
    const { client, seen } = fakeClient({
      ...base,
      'GET /users': () => ({ body: { users } }),
      'POST /users': ({ body }) => {
        users = [...users, { ...bob, ...(body as object), hasPassword: true }];
        return { status: 201, body: users.at(-1) };
      },
    });
    renderApp('/admin/users', client, ROOT);
    const table = await screen.findByTestId('users-table');
    expect(within(table).getByText('CPU 100 h, RAM 500 GB·h per 7 d')).toBeTruthy();
    expect(within(table).getByText('3000, 3001')).toBeTruthy();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'New user' }));
    await user.type(screen.getByLabelText('Login'), 'carol');
    await user.type(screen.getByLabelText('Password'), 'long-enough-pw');
    await user.type(screen.getByLabelText('UID'), '2002');
    await user.type(screen.getByLabelText('GID'), '2002');
    await user.type(screen.getByLabelText('Groups'), '3000, 3005');
    await user.type(screen.getByLabelText('CPU time'), '2h');
    await user.type(screen.getByLabelText('Window'), '1d');
    await user.click(screen.getByRole('button', { name: 'Create user' }));

    expect((await screen.findByRole('status')).textContent).toBe('User carol created.');
    await within(screen.getByTestId('users-table')).findByText('carol');
    const post = seen.find((s) => s.method === 'POST')!;
    expect(post.body).toEqual({
      id: 'carol',
      password: 'long-enough-pw',
      uid: 2002,
      gid: 2002,
      sgids: [3000, 3005],
      email: '',
      home: '',
      priority: 50,
      admin: false,
      quota: {
        cpuSeconds: 7200,
        ramGBSeconds: 0,
        gpuSeconds: 0,
        wallSeconds: 0,
        windowSeconds: 86_400,
      },
    });
    expect(post.headers.get('X-CSRF-Token')).toBe('csrf-9');
  });

  it('shows the API’s field errors at their fields, and a local check before any call', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /users': { body: { users: [] } },
      'POST /users': {
        status: 400,
        body: {
          error: {
            code: 'INVALID_INPUT',
            message: 'invalid request',
            issues: [
              { path: 'id', message: 'not a login name' },
              { path: 'sgids[1]', message: 'must be at most 2147483647' },
              { path: 'quota.windowSeconds', message: 'must be at least 1' },
            ],
          },
        },
      },
    });
    renderApp('/admin/users', client, ROOT);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New user' }));
    await user.type(screen.getByLabelText('Login'), 'bad login');
    await user.type(screen.getByLabelText('UID'), 'x');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    expect((await screen.findByTestId('user-uid-error')).textContent).toBe(
      'must be a whole number',
    );
    expect((await screen.findByTestId('user-gid-error')).textContent).toBe('a gid is needed');
    expect(seen.some((s) => s.method === 'POST')).toBe(false);

    await user.clear(screen.getByLabelText('UID'));
    await user.type(screen.getByLabelText('UID'), '5');
    await user.type(screen.getByLabelText('GID'), '5');
    await user.type(screen.getByLabelText('Groups'), '1, 9999999999');
    await user.click(screen.getByRole('button', { name: 'Create user' }));
    expect((await screen.findByTestId('user-login-error')).textContent).toBe('not a login name');
    expect(screen.getByLabelText('Login').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('user-sgids-error').textContent).toBe('must be at most 2147483647');
    expect(screen.getByTestId('user-quota-window-error').textContent).toBe('must be at least 1');
    expect(screen.queryByTestId('user-uid-error')).toBeNull();
  });

  it('edits a user: only the form’s fields, quota in units; saved', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /users/bob': { body: bob },
      'POST /users/bob': ({ body }) => ({ body: { ...bob, ...(body as object) } }),
    });
    renderApp('/admin/users/bob', client, ROOT);
    const user = userEvent.setup();
    expect(await screen.findByLabelText('CPU time')).toHaveProperty('value', '100h');
    expect(screen.getByLabelText('RAM (GB-hours)')).toHaveProperty('value', '500');
    expect(screen.getByLabelText('Groups')).toHaveProperty('value', '3000, 3001');
    expect(screen.queryByLabelText('Login')).toBeNull();
    await user.clear(screen.getByLabelText('Priority'));
    await user.type(screen.getByLabelText('Priority'), '80');
    await user.clear(screen.getByLabelText('Groups'));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('status')).textContent).toBe('Saved.');
    const post = seen.find((s) => s.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/v1/users/bob');
    expect(post.body).toMatchObject({ uid: 2001, gid: 2001, sgids: [], priority: 80 });
    expect(post.body).not.toHaveProperty('password');
    expect(post.body).not.toHaveProperty('id');
  });

  it('deletes a user only after the in-page confirmation', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /users/bob': { body: bob },
      'GET /users': { body: { users: [] } },
      'DELETE /users/bob': { body: { deleted: 'bob' } },
    });
    const { router } = renderApp('/admin/users/bob', client, ROOT);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete user' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Delete user bob?');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(seen.some((s) => s.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Delete user' }));
    await user.click(
      within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/users'));
    expect(seen.filter((s) => s.method === 'DELETE').map((s) => s.url.pathname)).toEqual([
      '/api/v1/users/bob',
    ]);
  });

  it('disables a user after the confirmation, and enables them again', async () => {
    let disabled = false;
    const { client, seen } = fakeClient({
      ...base,
      'GET /users/bob': () => ({ body: { ...bob, disabled } }),
      'POST /users/bob': ({ body }) => {
        disabled = (body as { disabled: boolean }).disabled;
        return { body: { ...bob, disabled } };
      },
    });
    renderApp('/admin/users/bob', client, ROOT);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Disable user' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Their sessions end');
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await screen.findByTestId('user-disabled');
    await user.click(await screen.findByRole('button', { name: 'Enable user' }));
    await screen.findByRole('button', { name: 'Disable user' });
    expect(screen.queryByTestId('user-disabled')).toBeNull();
    expect(seen.filter((s) => s.method === 'POST').map((s) => s.body)).toEqual([
      { disabled: true },
      { disabled: false },
    ]);
  });

  it('is not there for a user: no nav entry, "not found", no admin call', async () => {
    const { client, seen } = fakeClient({
      ...base,
      'GET /jobs': { body: { jobs: [], nextCursor: null } },
    });
    renderApp('/admin/users', client, ALICE);
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(seen.some((s) => s.url.pathname.startsWith('/api/v1/users'))).toBe(false);
  });
});

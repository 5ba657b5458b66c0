// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ALICE, fakeClient, renderApp } from '../test-app.js';

const noSession = {
  status: 401,
  body: { error: { code: 'UNAUTHENTICATED', message: 'no session' } },
};
const emptyList = { body: { jobs: [], nextCursor: null } };

describe('the login', () => {
  it('sends a visitor without a session to /login with next, and back there after login', async () => {
    const { client, seen } = fakeClient({
      'GET /auth/session': noSession,
      'POST /auth/session': { body: ALICE },
      'GET /jobs': emptyList,
      'GET /maintenance': { body: { maintenance: false } },
    });
    const { router } = renderApp('/jobs?state=running', client);
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/jobs?state=running')}`);

    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Login'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/jobs'));
    expect(router.state.location.search).toBe('?state=running');
    expect(seen.find((s) => s.method === 'POST')?.body).toEqual({
      login: 'alice',
      password: 'secret',
    });
    await screen.findByText('No job matches these filters.');
    // The session's CSRF token goes with the next changing request, never with reads.
    expect(
      seen.filter((s) => s.method === 'GET').every((s) => !s.headers.has('X-CSRF-Token')),
    ).toBe(true);
  });

  it('shows why a login failed and stays on the page', async () => {
    const { client } = fakeClient({
      'GET /auth/session': noSession,
      'POST /auth/session': noSession,
    });
    const { router } = renderApp('/login?next=/submit', client);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Login'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'Wrong login, password or API key.',
    );
    expect(router.state.location.pathname).toBe('/login');
  });

  it('never follows a next that leaves the site', async () => {
    const { client } = fakeClient({
      'POST /auth/session': { body: ALICE },
      'GET /jobs': emptyList,
      'GET /maintenance': { body: { maintenance: false } },
    });
    const { router } = renderApp('/login?next=//evil.example/x', client);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Login'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/jobs'));
  });

  it('goes to the login when a call answers 401 mid-session', async () => {
    const { client } = fakeClient({ 'GET /jobs/5': noSession, 'GET /maintenance': noSession });
    const { router } = renderApp('/jobs/5', client, ALICE);
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/jobs/5')}`);
  });

  it('logs out from the header menu: the session ends server-side, then the login page', async () => {
    const { client, seen } = fakeClient({
      'GET /jobs': emptyList,
      'GET /maintenance': { body: { maintenance: false } },
      'DELETE /auth/session': { status: 204 },
    });
    const { router } = renderApp('/jobs', client, ALICE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Account of alice' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Log out' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    const end = seen.find((s) => s.method === 'DELETE');
    expect(end?.url.pathname).toBe('/api/v1/auth/session');
    expect(end?.headers.get('X-CSRF-Token')).toBe('csrf-1');
  });
});

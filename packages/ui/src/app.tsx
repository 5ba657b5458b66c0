/**
 * The app: providers (query cache, session) around the router, and the route table. Pages are
 * plain modules; only the heavy widgets (script editor, usage chart) load lazily.
 */
import { useState, type ReactNode } from 'react';
import { Navigate, RouterProvider, type RouteObject } from 'react-router';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { GodClient, Session } from '@god/client';
import { isUnauthenticated, SessionProvider } from './api/session.js';
import { Layout } from './components/layout.js';
import { RequireSession, sessionEvents } from './components/require-session.js';
import { JobPage } from './pages/job-page.js';
import { JobsPage } from './pages/jobs-page.js';
import { LoginPage } from './pages/login-page.js';
import { NotFound } from './pages/not-found.js';
import { AdminGate } from './pages/admin/admin-gate.js';
import { SubmitPage } from './pages/submit-page.js';
import { ClusterPage } from './pages/cluster-page.js';
import { UsagePage } from './pages/usage-page.js';

/** Every route of the UI. */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/jobs" replace /> },
          { path: 'jobs', element: <JobsPage /> },
          { path: 'jobs/:id', element: <JobPage /> },
          { path: 'submit', element: <SubmitPage /> },
          { path: 'usage', element: <UsagePage /> },
          { path: 'cluster', element: <ClusterPage /> },
          { path: 'admin/*', element: <AdminGate /> },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

/** A query cache whose 401s end the session (RequireSession sends the user to the login). */
export function createQueryClient(): QueryClient {
  const onError = (err: unknown): void => {
    if (isUnauthenticated(err)) sessionEvents.dispatchEvent(new Event('expired'));
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A 4xx will not pass by asking again; a network blip may.
        retry: (n, err) =>
          n < 2 && !(err instanceof Error && 'status' in err && Number(err.status) >= 400),
        refetchOnWindowFocus: true,
      },
    },
  });
}

/** The app around a router (browser or memory, for tests). */
export function App(props: {
  client: GodClient;
  router: Parameters<typeof RouterProvider>[0]['router'];
  session?: Session | null;
}): ReactNode {
  const [qc] = useState(createQueryClient);
  return (
    <QueryClientProvider client={qc}>
      <SessionProvider base={props.client} initial={props.session ?? null}>
        <RouterProvider router={props.router} />
      </SessionProvider>
    </QueryClientProvider>
  );
}

/**
 * `/admin/*`: administrators get the administration pages (loaded on first visit, so users
 * never download them); anyone else gets "not found", as the API would refuse them.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { useSession } from '../../api/session.js';
import { NotFound } from '../not-found.js';

const AdminRoutes = lazy(() => import('./admin-routes.js'));

/** The gate of the administration section. */
export function AdminGate(): ReactNode {
  const { session } = useSession();
  if (session?.admin !== true) return <NotFound />;
  return (
    <Suspense fallback={<p role="status">Loading…</p>}>
      <AdminRoutes />
    </Suspense>
  );
}

/** A path the UI does not have. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** The not-found page. */
export function NotFound(): ReactNode {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        <Link to="/jobs">Back to the jobs</Link>
      </p>
    </section>
  );
}

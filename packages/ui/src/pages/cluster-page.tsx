/**
 * The cluster map at /cluster: every host, its shards and what holds each core and GPU, live
 * (polled every few seconds; job events refresh it sooner). The maintenance flag it carries
 * feeds the layout's banner.
 */
import { useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../api/session.js';
import { ClusterMap, Legend } from '../components/cluster-map.js';
import { hostTotals } from '../lib/cluster.js';
import '../styles/pages.css';

/** How often the map is read again without events. */
export const CLUSTER_POLL_MS = 4_000;

/** The cluster page. */
export function ClusterPage(): ReactNode {
  const { client } = useSession();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['cluster'],
    queryFn: () => client.cluster(),
    refetchInterval: CLUSTER_POLL_MS,
  });
  const paused = q.data?.maintenance;
  useEffect(() => {
    // The layout's banner reads the same flag: keep it as current as the map.
    if (paused !== undefined) qc.setQueryData(['maintenance'], { maintenance: paused });
  }, [paused, qc]);
  if (q.isPending) return <p role="status">Loading the cluster…</p>;
  if (q.isError)
    return (
      <section className="page">
        <h1>Cluster</h1>
        <p role="alert" className="error">
          {q.error.message}
        </p>
      </section>
    );
  const totals = q.data.hosts.map(hostTotals);
  const busy = totals.reduce((n, t) => n + t.coresBusy, 0);
  const cores = totals.reduce((n, t) => n + t.cores, 0);
  const up = q.data.hosts.filter((h) => h.alive).length;
  return (
    <section className="page cluster-page">
      <div className="page-head">
        <h1>Cluster</h1>
        <p className="muted" data-testid="cluster-summary">
          {up} of {q.data.hosts.length} hosts up · {busy} of {cores} cores busy
        </p>
      </div>
      <Legend />
      <ClusterMap hosts={q.data.hosts} />
    </section>
  );
}

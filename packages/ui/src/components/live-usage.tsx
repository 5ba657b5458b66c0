/**
 * A running job's live usage: polls `GET /jobs/{id}/usage/live` (the samples its agent
 * publishes every few seconds) and draws them with the lazily loaded chart.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../api/session.js';

const UsageChart = lazy(() => import('./usage-chart.js'));

/** How often the samples are asked for (the agent samples every `agent.usage_sample_s`, 5 s). */
export const LIVE_USAGE_POLL_MS = 3_000;

/** The live chart of job `id`, which runs. */
export function LiveUsageChart(props: { id: number }): ReactNode {
  const { client } = useSession();
  const q = useQuery({
    queryKey: ['job', props.id, 'usage-live'],
    queryFn: () => client.liveUsage(props.id),
    refetchInterval: LIVE_USAGE_POLL_MS,
  });
  return (
    <Suspense fallback={<p role="status">Loading the chart…</p>}>
      <UsageChart samples={q.data?.samples ?? []} />
    </Suspense>
  );
}

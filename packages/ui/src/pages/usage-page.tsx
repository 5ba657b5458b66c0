/**
 * Usage and fair share at /usage: usage per day and project (CPU, RAM, GPU) as charts and
 * totals, each quota as used / limit, and the fair-share standing. Administrators may look at
 * everyone's usage and see every user's and project's standing with its fairness error.
 */
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import type { UsageBucket } from '@god/client';
import { myQuotas, usedInWindow } from '../api/usage.js';
import { useSession } from '../api/session.js';
import { FairshareView } from '../components/fairshare-view.js';
import { QuotaCard } from '../components/quota-bars.js';
import {
  bucketStarts,
  formatAmount,
  seriesByProject,
  totalsByProject,
  type Metric,
} from '../lib/usage.js';
import '../styles/pages.css';

const UsageHistoryChart = lazy(() => import('../components/usage-history-chart.js'));

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The periods offered: a span, and the bucket its charts are drawn in (≤ 1000 buckets). */
const PERIODS = [
  { id: '48h', label: 'last 48 hours', span: 48 * HOUR, bucket: 'hour' },
  { id: '7d', label: 'last 7 days', span: 7 * DAY, bucket: 'hour' },
  { id: '30d', label: 'last 30 days', span: 30 * DAY, bucket: 'day' },
  { id: '90d', label: 'last 90 days', span: 90 * DAY, bucket: 'day' },
] as const;
type Period = (typeof PERIODS)[number];
const CHARTED: Metric[] = ['cpuSeconds', 'ramGBSeconds', 'gpuSeconds'];
/** Usage changes when jobs end: read it again now and then. */
const USAGE_POLL_MS = 30_000;

/** The usage page. */
export function UsagePage(): ReactNode {
  const { session } = useSession();
  const admin = session?.admin === true;
  const [period, setPeriod] = useState<Period>(PERIODS[2]);
  // '' = everyone (administrators only); a login = that user's.
  const [whose, setWhose] = useState(session?.user ?? '');
  return (
    <section className="page usage-page">
      <div className="page-head">
        <h1>Usage and fair share</h1>
      </div>
      <div className="usage-controls">
        <label>
          Period
          <select
            value={period.id}
            onChange={(e) => setPeriod(PERIODS.find((p) => p.id === e.target.value) ?? PERIODS[2])}
          >
            {PERIODS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        {admin ? <WhoseUsage value={whose} onChange={setWhose} /> : null}
      </div>
      <UsageHistory period={period} user={admin && whose === '' ? undefined : whose} />
      <Quotas />
      <section aria-labelledby="h-fairshare">
        <h2 id="h-fairshare">Fair share</h2>
        <Standing />
      </section>
    </section>
  );
}

/** An administrator's choice of whose usage to chart: theirs, everyone's or one user's. */
function WhoseUsage(props: { value: string; onChange: (user: string) => void }): ReactNode {
  const { client, session } = useSession();
  const users = useQuery({ queryKey: ['users'], queryFn: () => client.users() });
  const me = session?.user ?? '';
  const others = (users.data?.users ?? [])
    .map((u) => (u as { id?: unknown }).id)
    .filter((id): id is string => typeof id === 'string' && id !== me)
    .sort();
  return (
    <label>
      Whose usage
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value={me}>mine</option>
        <option value="">all users</option>
        {others.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Charts and totals of usage per bucket and project over `period`. */
function UsageHistory(props: { period: Period; user: string | undefined }): ReactNode {
  const { client } = useSession();
  const { period } = props;
  const [now] = useState(Date.now);
  const from = now - period.span;
  const q = useQuery({
    queryKey: ['usage', 'history', period.id, props.user ?? '*'],
    queryFn: () =>
      client.usageHistory({
        from,
        bucket: period.bucket,
        ...(props.user !== undefined && { user: props.user }),
      }),
    refetchInterval: USAGE_POLL_MS,
  });
  const starts = bucketStarts(from, Date.now() + 1, period.bucket === 'hour' ? HOUR : DAY);
  return (
    <section aria-labelledby="h-usage">
      <h2 id="h-usage">Usage per {period.bucket}</h2>
      {q.isPending ? <p role="status">Loading usage…</p> : null}
      {q.isError ? (
        <p role="alert" className="error">
          {q.error.message}
        </p>
      ) : null}
      {q.data !== undefined ? (
        <UsageBody rows={q.data.buckets} starts={starts} bucket={period.bucket} />
      ) : null}
    </section>
  );
}

function UsageBody(props: {
  rows: UsageBucket[];
  starts: number[];
  bucket: 'hour' | 'day';
}): ReactNode {
  const totals = totalsByProject(props.rows);
  if (totals.length === 0) return <p className="empty">No usage in this period.</p>;
  return (
    <>
      <div className="table-scroll">
        <table className="data" data-testid="usage-totals">
          <caption className="visually-hidden">Usage per project over the period</caption>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col" className="num">
                Jobs
              </th>
              <th scope="col" className="num">
                CPU
              </th>
              <th scope="col" className="num">
                RAM
              </th>
              <th scope="col" className="num">
                GPU
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={t.project} data-project={t.project}>
                <td>{t.project}</td>
                <td className="num">{t.jobs}</td>
                <td className="num">{formatAmount(t.cpuSeconds, 'cpuSeconds')}</td>
                <td className="num">{formatAmount(t.ramGBSeconds, 'ramGBSeconds')}</td>
                <td className="num">{formatAmount(t.gpuSeconds, 'gpuSeconds')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Suspense fallback={<p role="status">Loading the charts…</p>}>
        <div className="charts">
          {CHARTED.map((m) => (
            <UsageHistoryChart
              key={m}
              metric={m}
              bucket={props.bucket}
              series={seriesByProject(props.rows, m, props.starts)}
            />
          ))}
        </div>
      </Suspense>
    </>
  );
}

/** The caller's quotas (their own, their projects') with what was used in each window. */
function Quotas(): ReactNode {
  const { client, session } = useSession();
  const user = session?.user ?? '';
  const [now] = useState(Date.now);
  const q = useQuery({ queryKey: ['quotas', user], queryFn: () => myQuotas(client, user) });
  const used = useQueries({
    queries: (q.data ?? []).map((owner) => ({
      queryKey: ['usage', 'quota', owner.kind, owner.id, owner.quota.windowSeconds],
      queryFn: () => usedInWindow(client, owner, now),
      refetchInterval: USAGE_POLL_MS,
    })),
  });
  return (
    <section aria-labelledby="h-quotas">
      <h2 id="h-quotas">Quotas</h2>
      {q.isPending ? <p role="status">Loading quotas…</p> : null}
      {q.isError ? (
        <p role="alert" className="error">
          {q.error.message}
        </p>
      ) : null}
      {q.data?.length === 0 ? <p className="muted">No quota applies to you.</p> : null}
      {(q.data ?? []).map((owner, i) => (
        <QuotaCard
          key={`${owner.kind}:${owner.id}`}
          title={owner.kind === 'user' ? `Your quota (${owner.id})` : `Project ${owner.id}`}
          quota={owner.quota}
          used={used[i]?.data}
        />
      ))}
    </section>
  );
}

/** The fair-share standing. */
function Standing(): ReactNode {
  const { client, session } = useSession();
  const q = useQuery({
    queryKey: ['fairshare'],
    queryFn: () => client.fairshare(),
    refetchInterval: USAGE_POLL_MS,
  });
  if (q.isPending) return <p role="status">Loading the fair share…</p>;
  if (q.isError)
    return (
      <p role="alert" className="error">
        {q.error.message}
      </p>
    );
  return <FairshareView data={q.data} admin={session?.admin === true} me={session?.user ?? ''} />;
}

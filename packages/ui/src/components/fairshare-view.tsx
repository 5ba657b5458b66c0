/**
 * Where users and projects stand in the fair share: the policy, each party's configured and
 * achieved share, its factors and rank; for administrators every party in a table sortable by
 * any column (the fairness error among them) and a chart of configured vs achieved shares.
 */
import { useState, type ReactNode } from 'react';
import type { Fairshare, Standing } from '@god/client';
import { formatError, formatShare, sortRows, type Sort } from '../lib/usage.js';

/** A row of the tables, flattened. */
export interface StandingRow {
  name: string;
  share: number | null;
  usageShare: number | null;
  usage: number;
  factor: number | null;
  priority: number | null;
  rank: number | null;
  fairnessError: number | null;
}

type Key = Exclude<keyof StandingRow, never>;

/** The API's standing as a table row. */
export function toRow(name: string, s: Standing): StandingRow {
  return {
    name,
    share: s.share,
    usageShare: s.factors?.usageShare ?? null,
    usage: s.usage,
    factor: s.factors?.fairshare ?? null,
    priority: s.priority,
    rank: s.rank,
    fairnessError: s.fairnessError ?? null,
  };
}

const COLUMNS: Array<{ key: Key; title: string; num: boolean; show: (r: StandingRow) => string }> =
  [
    { key: 'name', title: 'Name', num: false, show: (r) => r.name },
    {
      key: 'rank',
      title: 'Rank',
      num: true,
      show: (r) => (r.rank === null ? '—' : String(r.rank)),
    },
    { key: 'share', title: 'Configured share', num: true, show: (r) => formatShare(r.share) },
    {
      key: 'usageShare',
      title: 'Achieved share',
      num: true,
      show: (r) => formatShare(r.usageShare),
    },
    {
      key: 'fairnessError',
      title: 'Fairness error',
      num: true,
      show: (r) => formatError(r.fairnessError ?? undefined),
    },
    { key: 'usage', title: 'Decayed usage', num: true, show: (r) => r.usage.toFixed(1) },
    {
      key: 'factor',
      title: 'Fair-share factor',
      num: true,
      show: (r) => r.factor?.toFixed(3) ?? '—',
    },
    { key: 'priority', title: 'Priority', num: true, show: (r) => r.priority?.toFixed(3) ?? '—' },
  ];

/** A table of standings; sortable by clicking a column's title when `sortable`. */
export function StandingTable(props: {
  caption: string;
  rows: readonly StandingRow[];
  admin: boolean;
}): ReactNode {
  const [sort, setSort] = useState<Sort<Key>>({ key: 'rank', dir: 'asc' });
  const columns = COLUMNS.filter((c) => props.admin || c.key !== 'fairnessError');
  const rows = sortRows(props.rows, sort, (r) => r.name);
  const toggle = (key: Key): void =>
    setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));
  return (
    <div className="table-scroll">
      <table className="data">
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={c.num ? 'num' : undefined}
                aria-sort={
                  sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'
                }
              >
                {props.admin ? (
                  <button type="button" onClick={() => toggle(c.key)}>
                    {c.title}
                  </button>
                ) : (
                  c.title
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-party={r.name}>
              {columns.map((c) => (
                <td key={c.key} className={c.num ? 'num' : undefined}>
                  {c.show(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Configured vs achieved share of each row, as pairs of bars (widths set via CSSOM). */
export function ShareChart(props: { title: string; rows: readonly StandingRow[] }): ReactNode {
  const pct = (v: number | null): string => `${Math.max(0, Math.min(1, v ?? 0)) * 100}%`;
  return (
    <figure className="chart">
      <figcaption>
        {props.title}: <span className="swatch share-configured" /> configured,{' '}
        <span className="swatch share-achieved" /> achieved
      </figcaption>
      <ul className="share-chart">
        {props.rows.map((r) => (
          <li
            key={r.name}
            aria-label={`${r.name}: configured ${formatShare(r.share)}, achieved ${formatShare(r.usageShare)}`}
          >
            <span>{r.name}</span>
            <span className="share-bars">
              <span className="share-bar share-configured" style={{ width: pct(r.share) }} />
              <span className="share-bar share-achieved" style={{ width: pct(r.usageShare) }} />
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** The fair-share section for `data`; administrators get the sortable tables and the chart. */
export function FairshareView(props: { data: Fairshare; admin: boolean; me: string }): ReactNode {
  const { data, admin } = props;
  if (data.policy === 'fifo')
    return (
      <p data-testid="policy">
        <strong>policy: FIFO (no fair share)</strong> — jobs start in the order they were submitted;
        usage does not change anyone’s turn.
      </p>
    );
  const users = data.users.map((u) => toRow(u.user, u));
  const projects = data.projects.map((p) => toRow(p.project, p));
  const mine = users.find((u) => u.name === props.me);
  return (
    <>
      <p data-testid="policy">
        <strong>policy: fair share</strong>
        {mine !== undefined && mine.rank !== null
          ? ` — you rank ${mine.rank} (1 runs first): configured share ${formatShare(mine.share)}, achieved ${formatShare(mine.usageShare)}.`
          : ''}
      </p>
      <h3>{admin ? 'Users' : 'You'}</h3>
      <StandingTable caption="Fair share of users" rows={users} admin={admin} />
      <h3>Projects</h3>
      <StandingTable caption="Fair share of projects" rows={projects} admin={admin} />
      {admin ? (
        <div className="charts">
          <ShareChart title="Users" rows={users} />
          <ShareChart title="Projects" rows={projects} />
        </div>
      ) : null}
    </>
  );
}

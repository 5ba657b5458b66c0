/**
 * The cluster drawn as a map: a card per host (lost and reserved ones marked), a block per
 * shard (NUMA node) with a cell per core and GPU, coloured by the job holding it. Jobs the API
 * names are linked; others' jobs arrive as 'busy' and are drawn as such. Arrow keys move the
 * focus from host to host.
 */
import type { KeyboardEvent, ReactNode } from 'react';
import { Link } from 'react-router';
import type { ClusterHost, ClusterShard, Holder } from '@god/client';
import {
  cellLabel,
  formatGB,
  hostStatus,
  hostTotals,
  jobColour,
  reservedText,
} from '../lib/cluster.js';
import { TimeAgo, useNow } from './time-ago.js';

/** One core or GPU. */
function Cell(props: { kind: 'core' | 'gpu'; id: number; holder: Holder }): ReactNode {
  const { kind, id, holder } = props;
  const label = cellLabel(kind, id, holder);
  if (holder === null || holder === 'busy')
    return (
      <li
        className={`cell cell-${kind} ${holder === null ? 'cell-free' : 'cell-busy'}`}
        role="img"
        aria-label={label}
        title={label}
      />
    );
  return (
    <li className={`cell cell-${kind} cell-job`} style={{ backgroundColor: jobColour(holder.id) }}>
      <Link
        to={`/jobs/${holder.id}`}
        aria-label={label}
        title={`${label}: ${holder.name}`}
        data-job-id={holder.id}
      >
        {holder.id}
      </Link>
    </li>
  );
}

/** One NUMA shard: its cores, GPUs and RAM. */
function Shard(props: { host: string; shard: ClusterShard }): ReactNode {
  const { shard } = props;
  // Agents name shards `numa0`, …; a bare number gets the word.
  const name = /^numa/i.test(shard.id) ? shard.id : `NUMA ${shard.id}`;
  return (
    <div className="shard">
      <h3>{name}</h3>
      <ul className="cells" aria-label={`cores of ${props.host} ${name}`}>
        {shard.cores.map((c) => (
          <Cell key={c.id} kind="core" id={c.id} holder={c.job} />
        ))}
      </ul>
      {shard.gpus.length > 0 ? (
        <ul className="cells" aria-label={`GPUs of ${props.host} ${name}`}>
          {shard.gpus.map((g) => (
            <Cell key={g.id} kind="gpu" id={g.id} holder={g.job} />
          ))}
        </ul>
      ) : null}
      <p className="shard-numbers">
        RAM {formatGB(shard.ramUsedGB)} / {formatGB(shard.ramGB)}
        {shard.gpus.length > 0
          ? ` · GPUs ${shard.gpus.filter((g) => g.job !== null).length} / ${shard.gpus.length}`
          : ''}
      </p>
    </div>
  );
}

/** One host's card. */
function Host(props: { host: ClusterHost }): ReactNode {
  const { host } = props;
  const now = useNow();
  const status = hostStatus(host);
  const t = hostTotals(host);
  const summary = `${t.coresBusy} of ${t.cores} cores busy`;
  return (
    <article
      className={`host host-${status}`}
      tabIndex={0}
      aria-label={`host ${host.name}${status === 'up' ? '' : ` (${status})`}: ${summary}`}
      data-host={host.name}
    >
      <header className="host-head">
        <h2>{host.name}</h2>
        {status === 'lost' ? (
          <span className="tag tag-lost">
            lost · last seen <TimeAgo at={host.lastSeen} now={now} />
          </span>
        ) : null}
        {host.reservedFor !== null ? (
          <span className="tag tag-reserved">reserved for {reservedText(host.reservedFor)}</span>
        ) : null}
      </header>
      <p className="host-numbers">
        {summary} · RAM {formatGB(t.ramUsedGB)} / {formatGB(t.ramGB)}
        {t.gpus > 0 ? ` · GPUs ${t.gpusBusy} / ${t.gpus}` : ''}
      </p>
      <div className="shards">
        {host.shards.map((s) => (
          <Shard key={s.id} host={host.name} shard={s} />
        ))}
      </div>
    </article>
  );
}

/** Arrow keys (and Home/End) move the focus between host cards. */
function onHostKeys(e: KeyboardEvent<HTMLDivElement>): void {
  const hosts = [...e.currentTarget.querySelectorAll<HTMLElement>('article.host')];
  const at = hosts.findIndex((h) => h === document.activeElement);
  if (at < 0) return;
  const next: Record<string, number> = {
    ArrowDown: at + 1,
    ArrowRight: at + 1,
    ArrowUp: at - 1,
    ArrowLeft: at - 1,
    Home: 0,
    End: hosts.length - 1,
  };
  const to = next[e.key];
  if (to === undefined) return;
  e.preventDefault();
  hosts[Math.max(0, Math.min(hosts.length - 1, to))]?.focus();
}

/** What the colours and marks mean. */
export function Legend(): ReactNode {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="cell cell-free" aria-hidden="true" /> free
      </li>
      <li>
        <span className="cell cell-busy" aria-hidden="true" /> busy (a job you may not see)
      </li>
      <li>
        <span className="cell cell-job cell-sample" aria-hidden="true" /> your job (one colour per
        job; its number links to it)
      </li>
      <li>
        <span className="tag tag-lost">lost</span> no heartbeat from the host
      </li>
      <li>
        <span className="tag tag-reserved">reserved</span> kept for some users or projects
      </li>
    </ul>
  );
}

/** The map of `hosts`. */
export function ClusterMap(props: { hosts: readonly ClusterHost[] }): ReactNode {
  if (props.hosts.length === 0) return <p className="empty">No agent host has reported yet.</p>;
  return (
    // The cards are focusable; the keys only move the focus between them.
    <div className="hosts" onKeyDown={onHostKeys}>
      {props.hosts.map((h) => (
        <Host key={h.name} host={h} />
      ))}
    </div>
  );
}

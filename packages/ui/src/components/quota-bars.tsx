/** A quota as bars: each limited amount used / limit over the quota's sliding window. */
import type { ReactNode } from 'react';
import { Label, ProgressBar } from 'react-aria-components';
import { formatDuration } from '../lib/format.js';
import { METRIC_NAMES, quotaBars, type Metric, type Quota } from '../lib/usage.js';

/** The bars of one quota; `used` is undefined while it loads. */
export function QuotaCard(props: {
  title: string;
  quota: Quota;
  used: Record<Metric, number> | undefined;
}): ReactNode {
  const { quota, used } = props;
  return (
    <div className="quota">
      <h3>
        {props.title}{' '}
        <span className="muted">(over the last {formatDuration(quota.windowSeconds)})</span>
      </h3>
      {used === undefined ? (
        <p role="status">Loading…</p>
      ) : (
        quotaBars(quota, used).map((b) => (
          <ProgressBar
            key={b.metric}
            className={`bar${b.used >= b.limit ? ' bar-full' : ''}`}
            value={Math.min(b.used, b.limit)}
            maxValue={b.limit}
            valueLabel={b.text}
          >
            {({ percentage }) => (
              <>
                <Label>{METRIC_NAMES[b.metric]}</Label>
                <span className="bar-track">
                  <span className="bar-fill" style={{ width: `${percentage ?? 0}%` }} />
                </span>
                <span className="bar-value">{b.text}</span>
              </>
            )}
          </ProgressBar>
        ))
      )}
      {used !== undefined && quotaBars(quota, used).length === 0 ? (
        <p className="muted">No amount is limited.</p>
      ) : null}
    </div>
  );
}

/** A job's state as a coloured badge whose text is the state (and the outcome once over). */
import type { ReactNode } from 'react';
import type { Job } from '@god/core/browser';

/** `running`, `over` + `failed`, …: the class picks the colour, the text says it. */
export function StateBadge(props: Pick<Job, 'state' | 'outcome'>): ReactNode {
  const { state, outcome } = props;
  const tone = outcome ?? state;
  return (
    <span className={`badge badge-${tone}`} data-testid="state-badge" data-state={state}>
      {state}
      {outcome !== null && outcome !== undefined && state !== 'pending' ? (
        <span className="badge-outcome"> · {outcome}</span>
      ) : null}
    </span>
  );
}

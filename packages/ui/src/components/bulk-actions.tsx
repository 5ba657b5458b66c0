/** Kill / hold / release of the selected jobs, one call each, with what happened to each. */
import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { runBulk, type BulkResult } from '../api/actions.js';
import { useSession } from '../api/session.js';
import type { JobAction } from '../lib/actions.js';
import { ConfirmButton } from './confirm-button.js';

const BULK: JobAction[] = ['kill', 'hold', 'release'];

/** The bar over the table when jobs are selected. */
export function BulkActions(props: { ids: number[]; onDone: () => void }): ReactNode {
  const { client } = useSession();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BulkResult | null>(null);
  const run = async (action: JobAction): Promise<void> => {
    setBusy(true);
    try {
      const r = await runBulk(client, props.ids, action);
      setResult(r);
      props.onDone();
      await qc.invalidateQueries({ queryKey: ['jobs'] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bulk" role="region" aria-label="Selected jobs">
      {props.ids.length > 0 ? (
        <>
          <span>{props.ids.length} selected</span>
          {BULK.map((a) => {
            const label = a[0]!.toUpperCase() + a.slice(1);
            return a === 'kill' ? (
              <ConfirmButton
                key={a}
                label={label}
                question={`Kill ${props.ids.length} job${props.ids.length === 1 ? '' : 's'}? They stop for good.`}
                confirm={`Kill ${props.ids.length}`}
                className="button danger"
                disabled={busy}
                onConfirm={() => void run(a)}
              />
            ) : (
              <button key={a} type="button" disabled={busy} onClick={() => void run(a)}>
                {label}
              </button>
            );
          })}
        </>
      ) : null}
      {result !== null ? (
        <div role="status" className="bulk-result">
          {result.action}: {result.done.length} requested
          {result.failed.length > 0 ? `, ${result.failed.length} refused` : ''}
          {result.failed.length > 0 ? (
            <ul>
              {result.failed.map((f) => (
                <li key={f.id}>
                  job {f.id}: {f.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

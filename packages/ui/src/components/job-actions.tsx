/** The buttons of the actions a job offers now (lib/actions.ts), each named by its action. */
import { useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Job } from '@god/core/browser';
import { runAction } from '../api/actions.js';
import { useSession } from '../api/session.js';
import { allowedActions, type JobAction } from '../lib/actions.js';
import { ConfirmButton } from './confirm-button.js';

/** What each action does, for its tooltip. */
const HINT: Record<JobAction, string> = {
  kill: 'Stop the job for good',
  suspend: 'Pause the running container',
  resume: 'Unpause the container',
  reschedule: 'Stop the job and queue it again',
  hold: 'Keep the job from starting until released',
  release: 'Let the job start again',
  archive: 'Archive now (its task directory is removed)',
};

/** The action bar of a job. */
export function JobActions(props: { job: Job }): ReactNode {
  const { client, session } = useSession();
  const qc = useQueryClient();
  const [busy, setBusy] = useState<JobAction | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const actions = allowedActions(props.job, session);
  const run = async (action: JobAction): Promise<void> => {
    setBusy(action);
    setMessage(null);
    try {
      await runAction(client, props.job.id, action);
      setMessage({ ok: true, text: `${action} requested` });
      await qc.invalidateQueries({ queryKey: ['job', props.job.id] });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="actions" role="group" aria-label="Job actions">
      {actions.map((a) =>
        a === 'kill' ? (
          <ConfirmButton
            key={a}
            label="kill"
            question={`Kill job ${props.job.id}? It stops for good.`}
            confirm={`Kill job ${props.job.id}`}
            className="button danger"
            disabled={busy !== null}
            testId="action-kill"
            onConfirm={() => void run(a)}
          />
        ) : (
          <button
            key={a}
            type="button"
            title={HINT[a]}
            disabled={busy !== null}
            onClick={() => void run(a)}
            data-testid={`action-${a}`}
          >
            {a}
          </button>
        ),
      )}
      {message !== null ? (
        <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'error'}>
          {message.text}
        </span>
      ) : null}
    </div>
  );
}

/**
 * A job's output (stdout god.log, stderr god.err) followed live over SSE until the job ends,
 * with auto-scroll while "follow" is on. The text is rendered as text (React escapes it), and
 * only the last MAX_CHARS are kept so a chatty job cannot exhaust the tab.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Tab, TabList, TabPanel, Tabs, type Key } from 'react-aria-components';
import type { GodClient } from '@god/client';
import { useSession } from '../api/session.js';
import { downloadUrl } from './file-list.js';

/** The most characters kept on screen per stream. */
export const MAX_CHARS = 1_000_000;

type Stream = 'stdout' | 'stderr';
const FILE: Record<Stream, string> = { stdout: 'god.log', stderr: 'god.err' };

/** Appends `text` to `log`, keeping the last MAX_CHARS. */
export function appendCapped(log: string, text: string): string {
  const all = log + text;
  return all.length > MAX_CHARS ? all.slice(all.length - MAX_CHARS) : all;
}

/** Reads the followed output of `id` into `onText` until it ends or `signal` aborts. */
async function follow(
  client: GodClient,
  id: number,
  stream: Stream,
  signal: AbortSignal,
  onText: (t: string) => void,
  onEnd: (why: string) => void,
): Promise<void> {
  for await (const e of client.followLogs(id, { stream, signal })) {
    if (e.event === 'output') onText((e.data as { text?: string }).text ?? '');
    if (e.event === 'end') {
      const d = e.data as { outcome?: string | null; exitcode?: number | null };
      onEnd(
        `job ended${d.outcome ? ` (${d.outcome})` : ''}${d.exitcode != null ? `, exit code ${d.exitcode}` : ''}`,
      );
    }
  }
}

/** The output of one stream. */
function StreamView(props: { id: number; stream: Stream }): ReactNode {
  const { client } = useSession();
  const [text, setText] = useState('');
  const [status, setStatus] = useState('connecting…');
  const [followOn, setFollowOn] = useState(true);
  const pre = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const ac = new AbortController();
    setText('');
    setStatus('following…');
    follow(
      client,
      props.id,
      props.stream,
      ac.signal,
      (t) => setText((l) => appendCapped(l, t)),
      setStatus,
    ).catch((err: unknown) => {
      if (!ac.signal.aborted)
        setStatus(`stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
    return () => ac.abort();
  }, [client, props.id, props.stream]);

  useEffect(() => {
    const el = pre.current;
    if (followOn && el !== null) el.scrollTop = el.scrollHeight;
  }, [text, followOn]);

  return (
    <div className="log">
      <div className="log-bar">
        <label className="check">
          <input
            type="checkbox"
            checked={followOn}
            onChange={(e) => setFollowOn(e.target.checked)}
          />
          Follow
        </label>
        <a href={downloadUrl(props.id, FILE[props.stream])} download={FILE[props.stream]}>
          Download {FILE[props.stream]}
        </a>
        <span className="muted" role="status">
          {status}
        </span>
      </div>
      <pre
        ref={pre}
        className="log-text"
        // A live region whose text grows at the end: what the ARIA log role is for.
        role="log"
        tabIndex={0}
        aria-label={`${props.stream} of job ${props.id}`}
        data-testid={`log-${props.stream}`}
      >
        {text === '' ? <span className="muted">(no output yet)</span> : text}
      </pre>
    </div>
  );
}

/** The log viewer of job `id`: stdout and stderr tabs. */
export function LogViewer(props: { id: number }): ReactNode {
  const [tab, setTab] = useState<Key>('stdout');
  return (
    <div data-testid="log-viewer">
      <Tabs selectedKey={tab} onSelectionChange={setTab}>
        <TabList aria-label="Output streams">
          <Tab id="stdout">stdout</Tab>
          <Tab id="stderr">stderr</Tab>
        </TabList>
        <TabPanel id="stdout">
          <StreamView id={props.id} stream="stdout" />
        </TabPanel>
        <TabPanel id="stderr">
          <StreamView id={props.id} stream="stderr" />
        </TabPanel>
      </Tabs>
    </div>
  );
}

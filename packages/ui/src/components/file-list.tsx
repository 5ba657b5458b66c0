/** The task directory of a job: browse its folders, download its files. */
import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../api/session.js';
import { formatBytes } from '../lib/format.js';
import { TimeAgo, useNow } from './time-ago.js';

/** The URL that downloads `path` of job `id` (cookie auth; the server names the file). */
export function downloadUrl(id: number, path: string): string {
  return `/api/v1/jobs/${id}/files/download?${new URLSearchParams({ path }).toString()}`;
}

/** The file browser of job `id`. */
export function FileList(props: { id: number }): ReactNode {
  const { client } = useSession();
  const [dir, setDir] = useState('');
  const now = useNow(60_000);
  const q = useQuery({
    queryKey: ['files', props.id, dir],
    queryFn: () => client.files(props.id, dir),
    retry: false,
  });
  const join = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  return (
    <div className="files" data-testid="file-list">
      <p className="crumbs">
        <button type="button" className="link-button" onClick={() => setDir('')}>
          task directory
        </button>
        {dir !== '' ? ` / ${dir}` : ''}
      </p>
      {q.isPending ? (
        <p role="status">Loading files…</p>
      ) : q.isError ? (
        <p className="muted">No files to show: {q.error.message}</p>
      ) : q.data.entries.length === 0 ? (
        <p className="muted">This directory is empty.</p>
      ) : (
        <ul aria-label="Files">
          {dir !== '' ? (
            <li>
              <button
                type="button"
                className="link-button"
                onClick={() => setDir(dir.split('/').slice(0, -1).join('/'))}
              >
                ..
              </button>
            </li>
          ) : null}
          {q.data.entries.map((e) => (
            <li key={e.name}>
              {e.type === 'directory' ? (
                <button type="button" className="link-button" onClick={() => setDir(join(e.name))}>
                  {e.name}/
                </button>
              ) : e.type === 'file' ? (
                <a href={downloadUrl(props.id, join(e.name))} download={e.name}>
                  {e.name}
                </a>
              ) : (
                <span>{e.name}</span>
              )}{' '}
              <span className="muted">
                {e.type === 'file' ? formatBytes(e.size) : ''} <TimeAgo at={e.mtime} now={now} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Files of a job's task directory: list, download, and the job's output (`god.log` / `god.err`)
 * as text, its last lines, or followed live (SSE) until the job ends. Paths never leave the task
 * directory and never give more than the job could read (task-files.ts). Every opened file is
 * closed on every path: sent, failed, or the client gone mid-body (sendRange).
 */
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { create as contentDisposition } from 'content-disposition';
import type { Response } from 'express';
import { z } from 'zod';
import { isFinished, NotFoundError, taskDirOf, type Job } from '@god/core';
import type { Principal } from '../auth/principal.js';
import { visibleJob } from '../authz.js';
import type { Logger } from '@god/coord';
import type { WebContext } from '../context.js';
import { route, STREAMED, type Route } from '../http/route.js';
import { openSse } from '../http/streams.js';
import { FilePathQuery, JobIdParams, LogsQuery } from './schemas.js';
import { listDir, openInside, readBytes, tailStart } from './task-files.js';

/** What the file routes use. */
type FileDeps = Pick<WebContext, 'config' | 'logger' | 'store' | 'streams' | 'memberships'>;

const FILE = { stdout: 'god.log', stderr: 'god.err' } as const;
/** How often a followed log is looked at for new output. */
const FOLLOW_POLL_MS = 250;
/** Most bytes sent in one SSE message. */
const CHUNK = 256 * 1024;

/** The file routes. */
// eslint-disable-next-line max-lines-per-function -- a route table: data, one short entry per route
export function fileRoutes(ctx: FileDeps): Route[] {
  const tags = ['files'];
  const dirOf = async (p: Principal, id: number): Promise<{ job: Job; dir: string }> => {
    const job = await visibleJob(ctx, p, id);
    return { job, dir: taskDirOf(ctx.config.shared_dir, job) };
  };
  return [
    route({
      method: 'get',
      path: '/jobs/{id}/files',
      summary: 'list a directory of the job’s task directory',
      tags,
      access: 'user',
      params: JobIdParams,
      query: FilePathQuery,
      response: z.object({
        path: z.string(),
        entries: z.array(
          z.object({
            name: z.string(),
            type: z.enum(['file', 'directory', 'other']),
            size: z.number(),
            mtime: z.number(),
          }),
        ),
      }),
      handler: async ({ params, query, principal }) => {
        const { job, dir } = await dirOf(principal, params.id);
        try {
          return { path: query.path, entries: await listDir(dir, job, query.path) };
        } catch (err) {
          // A job not started yet (or starting) has no task directory: it has no files yet.
          if (isRoot(query.path) && !isFinished(job.state) && err instanceof NotFoundError)
            return { path: query.path, entries: [] };
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/jobs/{id}/files/download',
      summary: 'download a file of the job’s task directory',
      tags,
      access: 'user',
      params: JobIdParams,
      query: FilePathQuery,
      produces: 'application/octet-stream',
      handler: async ({ params, query, principal, res }) => {
        const { job, dir } = await dirOf(principal, params.id);
        const { fh, size } = await openInside(dir, job, query.path);
        try {
          const name = query.path.split('/').pop() || 'file';
          res.status(200);
          res.setHeader('Content-Type', 'application/octet-stream');
          res.setHeader('Content-Length', String(size));
          // RFC 6266: an ASCII fallback, and the exact name as UTF-8 (RFC 5987 `filename*`).
          res.setHeader('Content-Disposition', contentDisposition(name));
        } catch (err) {
          await fh.close();
          throw err;
        }
        await sendRange(fh, 0, size, res, ctx.logger, { jobId: job.id });
        return STREAMED;
      },
    }),
    route({
      method: 'get',
      path: '/jobs/{id}/logs',
      summary: 'the job’s output (stdout god.log, stderr god.err); follow=true streams it (SSE)',
      tags,
      access: 'user',
      params: JobIdParams,
      query: LogsQuery,
      produces: 'text/plain',
      handler: async ({ params, query, principal, res }) => {
        const { job, dir } = await dirOf(principal, params.id);
        if (query.follow) {
          await follow(ctx, job, dir, FILE[query.stream], query.tail, principal.id, res);
          return STREAMED;
        }
        let opened;
        try {
          opened = await openInside(dir, job, FILE[query.stream]);
        } catch {
          // No output yet (the job has not started): an empty log, not an error.
          res.status(200).type('text/plain').send('');
          return STREAMED;
        }
        const { fh, size } = opened;
        let start: number;
        try {
          start = query.tail === undefined ? 0 : await tailStart(fh, size, query.tail);
        } catch (err) {
          await fh.close();
          throw err;
        }
        res.status(200).type('text/plain; charset=utf-8');
        res.setHeader('Content-Length', String(size - start));
        await sendRange(fh, start, size, res, ctx.logger, { jobId: job.id });
        return STREAMED;
      },
    }),
  ];
}

/**
 * Sends bytes `from`..`to` of `fh` as the rest of `res`, and closes `fh` whatever happens: the
 * read stream owns it and closes it at its end, on a read error, and when `res` is closed early
 * (the client went away: pipeline destroys the stream instead of waiting for a `drain` that
 * never comes). A failure is logged once here, with the job, and ends the response.
 */
async function sendRange(
  fh: FileHandle,
  from: number,
  to: number,
  res: Response,
  logger: Logger,
  fields: { jobId: number },
): Promise<void> {
  if (to <= from) {
    await fh.close();
    res.end();
    return;
  }
  try {
    await pipeline(fh.createReadStream({ start: from, end: to - 1, autoClose: true }), res);
  } catch (err) {
    const gone = (err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (gone) logger.debug(fields, 'client left during a download');
    else logger.warn({ ...fields, err }, 'file download failed');
    res.destroy();
  } finally {
    // Already closed by the stream in every case above; closing twice is harmless.
    await fh.close().catch(() => undefined);
  }
}

/**
 * Server-sent events: `output` events carry `{text}` as the file grows; `end` carries the job's
 * state, outcome and exit code once it is over and everything it wrote was sent.
 */
async function follow(
  ctx: FileDeps,
  job: Job,
  dir: string,
  file: string,
  tail: number | undefined,
  user: string,
  res: Response,
): Promise<void> {
  // A stream slot first: past the caps this throws the 429 before anything is written.
  const sse = openSse(ctx.streams, user, res);
  const send = (event: string, data: unknown): boolean => sse.send(event, data);
  const decoder = new StringDecoder('utf8');
  let fh: FileHandle | null = null;
  let offset = 0;
  let lastCheck = 0;
  let current = job;
  let ending = false;
  try {
    while (!sse.signal.aborted) {
      if (fh === null) {
        // Not there yet (the job has not written it): looked for again on the next round.
        const opened = await openInside(dir, job, file).catch(() => null);
        if (opened !== null) {
          fh = opened.fh;
          offset = tail === undefined ? 0 : await tailStart(fh, opened.size, tail);
        }
      }
      let grew = false;
      if (fh !== null) {
        const size = (await fh.stat()).size;
        while (offset < size && !sse.signal.aborted) {
          const buf = await readBytes(fh, offset, Math.min(size, offset + CHUNK));
          if (buf.length === 0) break;
          offset += buf.length;
          grew = true;
          const text = decoder.write(buf);
          if (text !== '') send('output', { text });
        }
      }
      if (!grew && ending) {
        const rest = decoder.end();
        if (rest !== '') send('output', { text: rest });
        send('end', {
          state: current.state,
          outcome: current.outcome,
          exitcode: current.status.exitcode,
        });
        break;
      }
      if (!grew && Date.now() - lastCheck >= 1_000) {
        lastCheck = Date.now();
        current = (await ctx.store.getJob(job.id)) ?? current;
        // A running job may be quiet for hours: only a follow of one that is not running idles.
        if (current.state === 'running') sse.busy();
        // Over: one more read for what it wrote last, then the end.
        if (current.state === 'over' || current.state === 'archived') {
          ending = true;
          continue;
        }
      }
      if (!grew) await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  } finally {
    await fh?.close();
    sse.close();
  }
}

/** True for the task directory itself (`.`, or empty). */
function isRoot(rel: string): boolean {
  return rel === '.' || rel === '' || rel === './';
}

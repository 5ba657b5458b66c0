/**
 * Raw HTTP over loopback for attacks: the path goes on the wire exactly as given (no URL
 * normalisation of `..` or re-encoding of `%ff`), the body exactly as bytes, and every request
 * has a deadline, so a request god never answers is reported as a hang instead of hanging the
 * suite.
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** An answer: status, headers and body text (status 0: no answer before the deadline). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
  /** Why there was no answer (timeout, reset), when status is 0. */
  error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request to `base` (http://host:port) and resolves with its answer. */
export function send(
  base: string,
  opts: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | null;
    timeoutMs?: number;
    /** A connection of its own, closed after the answer (default: a shared keep-alive pool). */
    fresh?: boolean;
  },
): Promise<Answer> {
  const url = new URL(base);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body != null) headers['Content-Length'] = String(opts.body.length);
    const req = request(
      {
        agent: opts.fresh === true ? false : agent,
        host: url.hostname,
        port: url.port,
        method: opts.method,
        path: opts.path,
        headers,
        // A request that gets no answer is a finding, not a reason to wait for ever.
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - t0,
          }),
        );
        res.on('error', (err) =>
          resolve({ status: 0, headers: {}, text: '', ms: Date.now() - t0, error: err.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) =>
      resolve({ status: 0, headers: {}, text: '', ms: Date.now() - t0, error: err.message }),
    );
    req.end(opts.body ?? undefined);
  });
}

/** Closes the idle keep-alive connections of the shared pool (so descriptors can be counted). */
export function closeIdle(): void {
  agent.destroy();
}

/** A raw TCP connection to `base` that has written `head` and keeps whatever it reads. */
export interface Raw {
  socket: Socket;
  /** Everything read so far. */
  read(): string;
  /** Resolves when the connection has closed (by either side). */
  closed: Promise<void>;
}

/** Opens a raw connection to `base` and writes `head` (a partial or whole request). */
export function raw(base: string, head: string): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (got += d));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      socket.write(head);
      resolve({ socket, read: () => got, closed });
    });
    socket.once('error', reject);
  });
}

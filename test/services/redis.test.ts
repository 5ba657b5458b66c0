/** Smoke test of the real redis-server that the global setup starts: a raw RESP exchange. */
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';

/** Sends one RESP command and resolves with the raw reply once `complete(reply)` holds. */
function resp(url: string, args: string[], complete: (reply: string) => boolean): Promise<string> {
  const { hostname, port } = new URL(url);
  const wire = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port) });
    let reply = '';
    sock.setTimeout(5_000, () => sock.destroy(new Error('no reply from redis within 5 s')));
    sock.on('error', reject);
    sock.on('connect', () => sock.write(wire));
    sock.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (complete(reply)) {
        sock.end();
        resolve(reply);
      }
    });
  });
}

describe('redis-server', () => {
  const url = inject('redisUrl');

  it('answers PING with PONG', async () => {
    expect(await resp(url, ['PING'], (r) => r.endsWith('\r\n'))).toBe('+PONG\r\n');
  });

  it('echoes a bulk string', async () => {
    const word = `god-${process.pid}`;
    const reply = await resp(url, ['ECHO', word], (r) => r.split('\r\n').length >= 3);
    expect(reply).toBe(`$${word.length}\r\n${word}\r\n`);
  });
});

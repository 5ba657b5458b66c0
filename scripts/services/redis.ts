/**
 * A real redis-server, persistence off, in a temp dir: by default on a random loopback port
 * without a password (the test suite's), or `secure`: as god should find it in production, an ACL
 * user `god` with a random password (only its SHA-256 in the server's config, the default user
 * off), reached over a unix socket in a 0700 directory, with no TCP port unless asked for.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  freePort,
  spawnLogged,
  stopChild,
  tcpOpen,
  tempDir,
  waitForReady,
  type RunningService,
} from './common.js';

/** How to start the server. */
export interface RedisServiceOptions {
  /** ACL user `god` with a password, the default user off, a unix socket (0700 directory). */
  secure?: boolean;
  /** With `secure`: also listen on a TCP port on this address (none by default). */
  tcpBind?: string;
  /** Without `secure`: the address to listen on (default 127.0.0.1). */
  bind?: string;
}

/** A started Redis; the secure one also has its credentials and socket. */
export interface RedisService extends RunningService {
  /** Unix socket path ('' when there is none). */
  socket: string;
  /** ACL user and password ('' when the server needs none). */
  username: string;
  password: string;
  /** A 0600 file holding `password` ('' when none), for `redis.password_file`. */
  passwordFile: string;
}

/** What tests get of the secure Redis: where it listens and how god logs in (a 0600 file). */
export type SecureRedisInfo = Pick<RedisService, 'url' | 'socket' | 'username' | 'passwordFile'>;

/** Starts redis-server without persistence in a fresh temp dir (0700, as mkdtemp makes it). */
export async function startRedis(opts: RedisServiceOptions = {}): Promise<RedisService> {
  const dir = await tempDir('redis');
  const secure = opts.secure === true;
  const bind = secure ? opts.tcpBind : (opts.bind ?? '127.0.0.1');
  const port = bind === undefined ? 0 : await freePort();
  const socket = secure ? join(dir, 'redis.sock') : '';
  const password = secure ? randomBytes(24).toString('base64url') : '';
  const username = secure ? 'god' : '';
  const passwordFile = secure ? join(dir, 'redis-password') : '';
  const lines = [
    `port ${port}`,
    ...(bind === undefined ? [] : [`bind ${bind}`]),
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    // An explicit wide bind (tests of god's refusal) means a server really open to the network.
    `protected-mode ${opts.bind === undefined || secure ? 'yes' : 'no'}`,
    ...(secure
      ? [
          `unixsocket ${socket}`,
          'unixsocketperm 700',
          'user default off',
          // Only the hash is in the file: reading the server's config does not give the password.
          `user god on #${createHash('sha256').update(password).digest('hex')} ~* &* +@all`,
        ]
      : []),
  ];
  await writeFile(join(dir, 'redis.conf'), `${lines.join('\n')}\n`, { mode: 0o600 });
  if (secure) await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  const child = spawnLogged('redis', dir, 'redis-server', [join(dir, 'redis.conf')]);
  const where = socket !== '' ? socket : `port ${port}`;
  try {
    await waitForReady(`redis-server on ${where} (log in ${dir})`, child, () =>
      socket !== '' ? socketOpen(socket) : tcpOpen(port),
    );
  } catch (err) {
    await stopChild(child, null);
    throw err;
  }
  const auth = secure ? `${username}:${encodeURIComponent(password)}@` : '';
  const host = bind === undefined || bind === '0.0.0.0' ? '127.0.0.1' : bind;
  return {
    name: 'redis',
    url: port === 0 ? `unix://${socket}` : `redis://${auth}${host}:${port}`,
    port,
    dir,
    socket,
    username,
    password,
    passwordFile,
    stop: () => stopChild(child, dir),
  };
}

function socketOpen(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ path });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

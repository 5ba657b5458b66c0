/**
 * A MongoDB wire-protocol server for tests: FerretDB v1 with its SQLite backend, built by
 * scripts/install.sh into $GOPATH/bin, on a random loopback port in a temp dir.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  goBin,
  spawnLogged,
  stopChild,
  tcpOpen,
  tempDir,
  waitForReady,
  type RunningService,
} from './common.js';

/** The FerretDB binary: $GOD_FERRETDB, else $GOPATH/bin/ferretdb. */
export function ferretdbBinary(): string {
  return process.env['GOD_FERRETDB'] ?? goBin('ferretdb');
}

/** Starts FerretDB (SQLite backend) on a free loopback port, with its data in a fresh temp dir. */
export async function startFerretDB(): Promise<RunningService> {
  const bin = ferretdbBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `FerretDB not found at ${bin}: run scripts/install.sh (it builds FerretDB v1 with go)`,
    );
  }
  const dir = await tempDir('ferretdb');
  mkdirSync(join(dir, 'data'));
  const port = await freePort();
  const debugPort = await freePort();
  const child = spawnLogged('ferretdb', dir, bin, [
    '--handler=sqlite',
    `--sqlite-url=file:${join(dir, 'data')}/`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    `--debug-addr=127.0.0.1:${debugPort}`,
    '--telemetry=disable',
    '--log-level=warn',
  ]);
  try {
    await waitForReady(`ferretdb on port ${port} (log in ${dir})`, child, () => tcpOpen(port));
  } catch (err) {
    await stopChild(child, null);
    throw err;
  }
  return {
    name: 'ferretdb',
    url: `mongodb://127.0.0.1:${port}`,
    port,
    dir,
    stop: () => stopChild(child, dir),
  };
}

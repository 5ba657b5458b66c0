/**
 * vitest global setup: starts the real services the tests talk to (once per run, random ports,
 * temp dirs) and hands their addresses to tests through `inject(...)`. Stops them at the end.
 */
// What the setup provides (ProvidedContext) is declared once, in the test kit, next to its handles.
import type {} from '@god/testkit';
import type { TestProject } from 'vitest/node';
import type { RunningService } from '../../scripts/services/common.js';
import { startDockerd } from '../../scripts/services/dockerd.js';
import { startFerretDB } from '../../scripts/services/ferretdb.js';
import { startRedis, type RedisService } from '../../scripts/services/redis.js';
import { startSlapd, type SlapdInfo } from '../../scripts/services/slapd.js';

/** Stops every service, even when some of the stops fail; throws the first failure. */
async function stopAll(started: readonly RunningService[]): Promise<void> {
  const results = await Promise.allSettled(started.map((s) => s.stop()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Starts redis (twice: open and secure), FerretDB, dockerd and slapd in parallel and provides their URLs to the tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const results = await Promise.allSettled([
    startRedis(),
    startFerretDB(),
    startDockerd(),
    startSlapd(),
    startRedis({ secure: true, tcpBind: '127.0.0.1' }),
  ]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await stopAll(started).catch(() => undefined);
    throw failed.reason;
  }
  const [redis, mongo, docker, slapd, secure] = started as [
    RunningService,
    RunningService,
    RunningService,
    RunningService & SlapdInfo,
    RedisService,
  ];
  project.provide('redisUrl', redis.url);
  project.provide('redisSecure', {
    url: secure.url,
    socket: secure.socket,
    username: secure.username,
    passwordFile: secure.passwordFile,
  });
  project.provide('mongoUrl', mongo.url);
  project.provide('dockerHost', docker.url);
  project.provide('ldap', {
    url: slapd.url,
    ldapsUrl: slapd.ldapsUrl,
    caFile: slapd.caFile,
    baseDn: slapd.baseDn,
    peopleDn: slapd.peopleDn,
    groupsDn: slapd.groupsDn,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    passwords: slapd.passwords,
  });
  return () => stopAll(started);
}

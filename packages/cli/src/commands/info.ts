/** `god usage` and `god config server`: accounting per day, and what the server offers. */
import type { Command } from 'commander';
import { parseDurationSeconds } from '@god/core';
import { usage } from '../errors.js';
import { table, text } from '../format.js';
import type { Kit } from '../kit.js';
import type { ExitCode } from '../output.js';

interface UsageOptions {
  user?: string;
  project?: string;
  since?: string;
  until?: string;
  json?: boolean;
}

/** Registers `god usage`. */
export function registerUsage(program: Command, kit: Kit): void {
  program
    .command('usage')
    .description('resources used per UTC day, user and project (yours unless you ask for more)')
    .option('--user <login>', "another user's usage (administrators)")
    .option('--project <project>', "a project's usage (its members)")
    .option(
      '--since <when>',
      'from YYYY-MM-DD, epoch ms, or a time ago like 7d (default: 30 days ago)',
    )
    .option('--until <when>', 'until (excluded) YYYY-MM-DD, epoch ms, or a time ago')
    .option('--json', 'the API answer as JSON')
    .action(kit.action((opts: UsageOptions) => showUsage(kit, opts)));
}

/** Registers `god config server` under `config`. */
export function registerConfigServer(config: Command, kit: Kit): void {
  config
    .command('server')
    .description(
      "the server's public configuration: images, volumes, constraints, defaults, limits",
    )
    .option('--json', 'the API answer as JSON')
    .action(
      kit.action(async (opts: { json?: boolean }) => {
        const { client, server } = await kit.remote({ anonymous: true });
        const c = await client.config();
        if (opts.json === true) kit.json(c);
        else for (const line of describeServerConfig(server, c)) kit.ctx.io.out(line);
        return 0;
      }),
    );
}

/** `7d`, `12h` ago as epoch ms; dates and epoch ms as they are (the server reads them). */
export function instant(flag: string, value: string, now: number): string | number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) || /^\d+$/.test(value)) return value;
  const seconds = parseDurationSeconds(value);
  if (typeof seconds === 'string')
    throw usage(`${flag}: "${value}" is not YYYY-MM-DD, epoch ms or a time ago like 7d`);
  return now - seconds * 1000;
}

async function showUsage(kit: Kit, opts: UsageOptions): Promise<ExitCode> {
  const now = kit.ctx.clock.now();
  const q = {
    ...(opts.user !== undefined && { user: opts.user }),
    ...(opts.project !== undefined && { project: opts.project }),
    ...(opts.since !== undefined && { since: instant('--since', opts.since, now) }),
    ...(opts.until !== undefined && { until: instant('--until', opts.until, now) }),
  };
  const u = await (await kit.remote()).client.usage(q);
  if (opts.json === true) {
    kit.json(u);
    return 0;
  }
  const hours = (v: unknown): string => (typeof v === 'number' ? (v / 3600).toFixed(2) : '-');
  const cells = (r: Record<string, unknown>): string[] => [
    text(r['jobs'], '0'),
    hours(r['cpuSeconds']),
    hours(r['ramGBSeconds']),
    hours(r['gpuSeconds']),
    hours(r['wallSeconds']),
  ];
  const rows = u.days.map((d) => [
    String(d['day']),
    String(d['user']),
    String(d['project']),
    ...cells(d),
  ]);
  rows.push(['total', '', '', ...cells(u.totals)]);
  const headers = ['DAY', 'USER', 'PROJECT', 'JOBS', 'CPU·H', 'RAM·GB·H', 'GPU·H', 'WALL·H'];
  for (const line of table(headers, rows)) kit.ctx.io.out(line);
  return 0;
}

/** The lines of `god config server`. */
export function describeServerConfig(server: string, c: Record<string, unknown>): string[] {
  const list = (v: unknown): Array<Record<string, unknown>> =>
    Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  const d = (c['defaults'] ?? {}) as Record<string, unknown>;
  const lines = [
    `server:      ${server}`,
    `auth:        ${String(c['auth'])}`,
    `executor:    ${String(c['executor'])} (${strings(c['executor_features']).join(', ')})`,
    `defaults:    image ${String(d['image'])}, ${String(d['cpu'])} cpu, ${String(d['ram'])} GB ram`,
    `root jobs:   ${c['allow_root'] === true ? 'allowed for granted users' : 'not allowed'}`,
  ];
  const images = list(c['images']);
  if (images.length > 0) {
    lines.push('images:');
    const rows = images.map((i) => [
      String(i['name']),
      String(i['url']),
      i['default'] === true ? 'default' : '',
    ]);
    lines.push(
      ...table(
        ['  NAME', 'IMAGE', ''],
        rows.map(([n, ...r]) => [`  ${n}`, ...r]),
      ),
    );
  }
  const volumes = list(c['volumes']);
  lines.push(volumes.length === 0 ? 'volumes:     none' : 'volumes:');
  if (volumes.length > 0)
    lines.push(
      ...table(
        ['  NAME', 'ACL', 'MOUNT'],
        volumes.map((v) => [`  ${String(v['name'])}`, String(v['acl']), String(v['mount'])]),
      ),
    );
  const constraints = list(c['constraints']);
  for (const k of constraints)
    lines.push(`constraint:  ${String(k['name'])}==${strings(k['values']).join('|')}`);
  return lines;
}

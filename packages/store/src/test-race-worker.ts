/**
 * One competing god process for the SQLite race tests (run with `node --import tsx`): opens the
 * store at argv[2], prints `ready`, waits for `go` on stdin, then fires pending -> scheduled at
 * every job id in argv[3] (comma-separated), argv[4] times each, all at once, with epoch argv[5].
 * Prints `{"won":[ids]}`.
 */
import { createInterface } from 'node:readline';
import { createSqliteStore } from './sqlite.js';

const [path, idList, repeatText, epochText] = process.argv.slice(2);
if (path === undefined || idList === undefined) {
  throw new Error('usage: test-race-worker <db> <id,id,...> <repeat> <epoch>');
}
const ids = idList.split(',').map(Number);
const repeat = Number(repeatText ?? '1');
const epoch = Number(epochText ?? '1');
const placement = { host: 'h1', shard: 'h1/0', cpus: '0', mems: '0', gpus: [], ports: [] };

const store = createSqliteStore({ path });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
lines.close();

const attempts = Array.from({ length: repeat }, () => ids).flat();
const results = await Promise.all(
  attempts.map(async (id) => ({
    id,
    r: await store.transition(id, 'pending', 'scheduled', { placement, epoch }),
  })),
);
process.stdout.write(
  `${JSON.stringify({ won: results.filter((x) => x.r.ok).map((x) => x.id) })}\n`,
);
await store.close();

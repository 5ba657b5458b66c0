/**
 * The scheduler benchmark's report: the machine it ran on, a table of the runs, the verdict
 * against our bar, written as the `## Scheduler` section of docs/benchmarks.md (between its own
 * markers; the other sections of the file are left as they are).
 */
import { writeBenchSection } from './report.js';
import type { RunResult } from './scheduler-run.js';

/** The runs at one size (every policy, every repeat) and the insert that prepared them. */
export interface SizeResult {
  size: number;
  insertMs: number;
  runs: RunResult[];
}

/** Everything the report is made from. */
export interface Report {
  machine: string;
  cluster: { count: number; shardsPerHost: number; coresPerShard: number; ramPerShardGB: number };
  decisions: number;
  users: number;
  repeat: number;
  sizes: SizeResult[];
}

/** The median of one measure over the repeats of a (policy, size). */
interface Summary {
  policy: string;
  size: number;
  insertMs: number;
  runs: RunResult[];
  median(pick: (r: RunResult) => number): number;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? (v[mid] ?? NaN) : ((v[mid - 1] ?? NaN) + (v[mid] ?? NaN)) / 2;
}

function summaries(r: Report): Summary[] {
  const out: Summary[] = [];
  for (const { size, insertMs, runs: all } of r.sizes) {
    for (const policy of [...new Set(all.map((x) => x.policy))]) {
      const runs = all.filter((x) => x.policy === policy);
      out.push({ policy, size, insertMs, runs, median: (pick) => median(runs.map(pick)) });
    }
  }
  return out.sort((a, b) => a.policy.localeCompare(b.policy) || a.size - b.size);
}

/** Our bar: FairShare decisions/s, their spread from the smallest to the largest size, memory. */
const BAR = { decisionsPerSecond: 10_000, spread: 0.2, bytesPerJob: 512 };

/** CPU model, cores, RAM, Node and kernel versions. */
export { machine } from './report.js';

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${n(bytes / 2 ** 20)} MiB`;

function table(r: Report): string[] {
  const header = [
    'policy',
    'pending',
    'insert',
    'rebuild',
    `decisions/s, first ${n(r.decisions)} (min–max)`,
    'store CAS',
    'dispatch in flight',
    'heap / pending job',
    'RSS / pending job',
    'max RSS',
  ];
  const rows = summaries(r).map((x) => {
    const rates = x.runs.map((y) => y.decisionsPerSecond);
    return [
      x.policy,
      n(x.size),
      s(x.insertMs),
      s(x.median((y) => y.rebuildMs)),
      `**${n(x.median((y) => y.decisionsPerSecond))}** (${n(Math.min(...rates))}–${n(Math.max(...rates))})`,
      `${n(x.median((y) => y.transitionUs))} µs`,
      `${n(x.median((y) => y.dispatchUs))} µs`,
      `${n(x.median((y) => y.heapBytesPerJob))} B`,
      `${n(x.median((y) => y.rssBytesPerJob))} B`,
      mib(Math.max(...x.runs.map((y) => y.maxRssBytes))),
    ];
  });
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** One line per policy: the bar, met or not, with the numbers (medians). */
function verdict(r: Report): string[] {
  const all = summaries(r);
  const ok = (b: boolean): string => (b ? 'met' : '**not met**');
  return [...new Set(all.map((x) => x.policy))].map((policy) => {
    const rows = all.filter((x) => x.policy === policy);
    const rates = rows.map((x) => x.median((y) => y.decisionsPerSecond));
    const first = rates[0] ?? 0;
    const worst = Math.min(...rates);
    const spread = Math.max(...rates.map((v) => Math.abs(v - first) / first));
    const memory = Math.max(...rows.map((x) => x.median((y) => y.heapBytesPerJob)));
    const rate =
      policy === 'FairShare'
        ? `; ≥ ${n(BAR.decisionsPerSecond)}/s: ${ok(worst >= BAR.decisionsPerSecond)} (lowest median ${n(worst)}/s)`
        : '';
    return (
      `- ${policy}: flat within ±${BAR.spread * 100}% of the smallest size: ${ok(spread <= BAR.spread)} ` +
      `(largest deviation of the medians ${(spread * 100).toFixed(0)}%)${rate}; ≤ 0.5 KB heap per ` +
      `pending job: ${ok(memory <= BAR.bytesPerJob)} (highest ${n(memory)} B)`
    );
  });
}

/** How much of a decision the store's compare-and-set takes, and the ceiling it sets. */
function timeShare(r: Report): string {
  const all = summaries(r);
  const cas = median(all.map((x) => x.median((y) => y.transitionUs)));
  const share = median(all.map((x) => x.median((y) => y.transitionUs * y.decisionsPerSecond)));
  return (
    `Where the time goes: the fenced \`pending -> scheduled\` compare-and-set (\`transitionMany\`, ` +
    `one SQLite write transaction per 500 placements) takes ${n(cas)} µs per placement, ${(share / 1e4).toFixed(0)}% of a decision; ` +
    `it alone caps decisions at about ${n(1e6 / cas)}/s on this machine, whatever the scheduler does. ` +
    'The RSS deltas are noisy (V8 returns pages after `gc()`; negative at 10k); the heap deltas are the measure.'
  );
}

/** The section's markdown. */
export function section(r: Report): string {
  const c = r.cluster;
  const cores = c.count * c.shardsPerHost * c.coresPerShard;
  return [
    '<!-- bench:scheduler:begin -->',
    '## Scheduler',
    '',
    `Run ${new Date().toISOString()} on ${r.machine}, by \`npm run bench:scheduler\` (TypeScript sources through tsx).`,
    '',
    `Pending jobs of ${r.users} users (1 core, 1 GB each) in an embedded SQLite store, inserted with \`insertJobs\` in batches of 5,000; ` +
      `a real redis-server; ${c.count} fake hosts × ${c.shardsPerHost} shards × ${c.coresPerShard} cores (${n(cores)} cores) in the node registry; no agent. ` +
      `**decisions/s**: placements committed (fenced \`pending → scheduled\` CAS in the store) and dispatched (BullMQ \`addBulk\`, up to 100 placements of a shard per queue message), ` +
      `the first ${n(r.decisions)} after the leader's rebuild; median of ${r.repeat} runs per row, each on a fresh copy of the same database. ` +
      '**store CAS**: store time per placement of the batched compare-and-set (`transitionMany`, 500 a batch). **dispatch in flight**: wall time during which an `addBulk` was running, per decision (it overlaps the commits). ' +
      `**per pending job**: heap and RSS of the process after the rebuild ` +
      '(after `gc()`), minus before the scheduler started, divided by the pending count. **max RSS**: peak of the benchmark process so far.',
    '',
    ...table(r),
    '',
    `Bar: FairShare ≥ ${n(BAR.decisionsPerSecond)} decisions/s, flat within ±${BAR.spread * 100}% from the smallest to the largest size, ≤ 0.5 KB per pending job.`,
    '',
    ...verdict(r),
    '',
    timeShare(r),
    '<!-- bench:scheduler:end -->',
  ].join('\n');
}

/** Replaces (or appends) the section in docs/benchmarks.md. */
export function writeSection(r: Report): void {
  writeBenchSection('scheduler', section(r));
}

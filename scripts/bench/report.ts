/** What every benchmark report shares: the machine line and its section of docs/benchmarks.md. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** CPU model and count, RAM, Node and kernel versions of this machine. */
export function machine(): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  const ram = (totalmem() / 2 ** 30).toFixed(1);
  return `${model ?? 'unknown CPU'} (${cpus().length} cores), ${ram} GiB RAM, Node ${process.version}, Linux ${release()}`;
}

/**
 * Prints `text` (which starts with `<!-- bench:<name>:begin -->` and ends with its end marker)
 * and puts it in docs/benchmarks.md in place of the previous run's section, or at the end.
 */
export function writeBenchSection(name: string, text: string): void {
  console.log(`\n${text}\n`);
  const path = join(import.meta.dirname, '../../docs/benchmarks.md');
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const at = new RegExp(`<!-- bench:${name}:begin -->[\\s\\S]*?<!-- bench:${name}:end -->`);
  writeFileSync(path, at.test(old) ? old.replace(at, () => text) : `${old.trimEnd()}\n\n${text}\n`);
  console.log(`wrote ${path}`);
}

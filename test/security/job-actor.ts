/**
 * A job's hands on the host: a child process running with the job's uid and gid (the tests run
 * as root, as CI does) that does to its own task directory what a hostile job could do from
 * inside its container. Plain JavaScript run with `node -e`, so the child needs nothing from
 * the repository and has no more rights than the user.
 */
import { spawn } from 'node:child_process';

/** What the child does, in the task directory `dir` (its working directory). */
export type Act =
  /** Runs `steps` once (setting up links, FIFOs, odd names). */
  | { kind: 'once'; steps: Step[] }
  /** Repeats `steps` until the file `stop` exists or `ms` pass. */
  | { kind: 'loop'; steps: Step[]; stop: string; ms: number };

/** One file-system operation, relative to the task directory. */
export type Step =
  | { op: 'write'; path: string; text: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'unlink'; path: string }
  | { op: 'mkdir'; path: string }
  | { op: 'mkfifo'; path: string }
  | { op: 'link'; target: string; path: string }
  /** Prints the names in `path` as JSON, or the error code when it cannot be read. */
  | { op: 'readdir'; path: string }
  /** `depth` nested directories named `name`, with `file` at the bottom (beyond PATH_MAX). */
  | { op: 'deep'; name: string; depth: number; file: string };

const CHILD = String.raw`
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const act = JSON.parse(process.argv[1]);
const quiet = (f) => { try { f(); } catch (e) { if (act.kind === 'once') throw e; } };
const run = (s) => {
  switch (s.op) {
    case 'write': return quiet(() => fs.writeFileSync(s.path, s.text));
    case 'symlink': return quiet(() => fs.symlinkSync(s.target, s.path));
    case 'rename': return quiet(() => fs.renameSync(s.from, s.to));
    case 'unlink': return quiet(() => fs.unlinkSync(s.path));
    case 'mkdir': return quiet(() => fs.mkdirSync(s.path, { recursive: true }));
    case 'mkfifo': return quiet(() => execFileSync('mkfifo', [s.path]));
    case 'link': return quiet(() => fs.linkSync(s.target, s.path));
    case 'readdir': {
      let out;
      try { out = fs.readdirSync(s.path); } catch (e) { out = e.code; }
      process.stdout.write(JSON.stringify(out) + '\n');
      return;
    }
    case 'deep': {
      const start = process.cwd();
      for (let i = 0; i < s.depth; i++) { fs.mkdirSync(s.name); process.chdir(s.name); }
      fs.writeFileSync(s.file, 'deep');
      process.chdir(start);
      return;
    }
  }
};
if (act.kind === 'once') act.steps.forEach(run);
else {
  const end = Date.now() + act.ms;
  let rounds = 0;
  while (Date.now() < end && !fs.existsSync(act.stop)) { act.steps.forEach(run); rounds++; }
  process.stdout.write(String(rounds));
}
`;

/** Runs `act` in `dir` as `uid:gid`; resolves with what the child printed (rounds of a loop). */
export function actAs(uid: number, dir: string, act: Act): Promise<string> {
  const child = spawn(process.execPath, ['-e', CHILD, JSON.stringify(act)], {
    cwd: dir,
    uid,
    gid: uid,
    env: {},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`job actor exited ${code}: ${err}`)),
    );
  });
}

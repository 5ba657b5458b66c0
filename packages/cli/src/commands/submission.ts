/**
 * `god submit`'s flags as a job submission. Only what was given is sent, so the server's
 * defaults and validation decide the rest (its field errors come back named by path). Flags
 * the server could not make sense of at all (`--env` without `=`, a job id that is not a
 * number) are refused here with the flag's name.
 */
import type { JobSubmissionInput } from '@god/core';
import { usage } from '../errors.js';
import { intOption, jobId } from '../format.js';

/** The flags of `god submit` as commander parses them. */
export interface SubmitOptions {
  cmd?: string;
  cpu?: string;
  ram?: string;
  gpus?: string;
  image?: string;
  name?: string;
  description?: string;
  tag: string[];
  project?: string;
  volume: string[];
  array?: string;
  after: string[];
  afterok: string[];
  afterany: string[];
  afternotok: string[];
  hold?: boolean;
  interactive?: boolean;
  root?: boolean;
  label: string[];
  port: string[];
  env: string[];
  maxlifespan?: string;
  wait?: boolean;
  json?: boolean;
  quiet?: boolean;
}

type Requirements = NonNullable<JobSubmissionInput['requirements']>;

/** Builds the submission; `env` resolves `--env NAME` (no `=`) from the caller's environment. */
export function buildSubmission(
  opts: SubmitOptions,
  script: { cmd: string; name?: string },
  image: string,
  env: Readonly<Record<string, string | undefined>>,
): JobSubmissionInput {
  const name = opts.name ?? script.name;
  const meta = {
    ...(name !== undefined && { name }),
    ...(opts.description !== undefined && { description: opts.description }),
    ...(opts.tag.length > 0 && { tags: opts.tag }),
  };
  return {
    ...(Object.keys(meta).length > 0 && { meta }),
    ...(opts.project !== undefined && { project: opts.project }),
    requirements: requirementsOf(opts),
    container: {
      image,
      ...(opts.volume.length > 0 && { volumes: opts.volume.map(volumeOf) }),
      ...(opts.root === true && { root: true }),
    },
    command: { cmd: script.cmd, ...(opts.interactive === true && { interactive: true }) },
    ...(opts.env.length > 0 && { env: envOf(opts.env, env) }),
    ...(opts.hold === true && { hold: true }),
  };
}

function requirementsOf(opts: SubmitOptions): Requirements {
  const tasks = [
    ...dependencies('--after', opts.after, 'afterok'),
    ...dependencies('--afterok', opts.afterok, 'afterok'),
    ...dependencies('--afterany', opts.afterany, 'afterany'),
    ...dependencies('--afternotok', opts.afternotok, 'afternotok'),
  ];
  return {
    ...(opts.cpu !== undefined && { cpu: intOption('--cpu', opts.cpu) }),
    ...(opts.ram !== undefined && { ram: opts.ram }),
    ...(opts.gpus !== undefined && { gpus: intOption('--gpus', opts.gpus) }),
    ...(opts.array !== undefined && { array: opts.array }),
    ...(opts.label.length > 0 && { label: opts.label }),
    ...(tasks.length > 0 && { tasks }),
    ...(opts.port.length > 0 && { ports: opts.port.map((p) => intOption('--port', p)) }),
    ...(opts.maxlifespan !== undefined && { maxlifespan: opts.maxlifespan }),
  };
}

function dependencies(
  flag: string,
  ids: readonly string[],
  kind: 'afterok' | 'afterany' | 'afternotok',
): Array<{ id: number; kind: 'afterok' | 'afterany' | 'afternotok' }> {
  return ids.map((v) => {
    try {
      return { id: jobId(v), kind };
    } catch {
      throw usage(`${flag}: "${v}" is not a job id`);
    }
  });
}

/** `name`, `name:ro` or `name:rw`. */
function volumeOf(spec: string): { name: string; acl: 'ro' | 'rw' } {
  const m = /^([^:]+)(?::(ro|rw))?$/.exec(spec);
  if (m === null) throw usage(`--volume: "${spec}" is not name, name:ro or name:rw`);
  return { name: m[1]!, acl: m[2] === 'rw' ? 'rw' : 'ro' };
}

/** `K=V`, or `K` alone for the value K has here (as docker run -e does). */
function envOf(
  specs: readonly string[],
  local: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const key = at < 0 ? spec : spec.slice(0, at);
    const value = at < 0 ? local[spec] : spec.slice(at + 1);
    if (key === '') throw usage(`--env: "${spec}" is not NAME=value`);
    if (value === undefined) throw usage(`--env: ${key} is not set here: give NAME=value`);
    out[key] = value;
  }
  return out;
}

/**
 * The submit form's state, as typed, and the submission it makes (`POST /api/v1/jobs`), plus
 * the form prefilled from an existing job ("Submit again"). Sizes and arrays are sent as the
 * user wrote them: the API parses them with the same rules as the CLI (core units.ts).
 */
import {
  DEPENDENCY_KINDS,
  parseSizeBytes,
  type DependencyKind,
  type FieldIssue,
  type Job,
} from '@god/core/browser';

/** The form, as strings where the user types. */
export interface SubmitForm {
  name: string;
  project: string;
  script: string;
  image: string;
  cpu: string;
  ram: string;
  gpus: string;
  maxlifespan: string;
  array: string;
  deps: Record<DependencyKind, string>;
  /** Constraint name → chosen value ('' = none). */
  labels: Record<string, string>;
  /** Volume name → '' (not mounted), 'ro' or 'rw'. */
  volumes: Record<string, '' | 'ro' | 'rw'>;
  root: boolean;
  hold: boolean;
}

/** An empty form with the configuration's defaults. */
export function emptyForm(defaults: { image: string; cpu: number; ram: number }): SubmitForm {
  return {
    name: '',
    project: '',
    script: '#!/bin/sh\n',
    image: defaults.image,
    cpu: String(defaults.cpu),
    ram: sizeInput(defaults.ram),
    gpus: '0',
    maxlifespan: '',
    array: '',
    deps: { afterok: '', afterany: '', afternotok: '' },
    labels: {},
    volumes: {},
    root: false,
    hold: false,
  };
}

/** `8G`, `512M`, or bytes with `B`: a size as the user would write it. */
export function sizeInput(bytes: number): string {
  if (bytes > 0 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}G`;
  if (bytes > 0 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}M`;
  return `${bytes}B`;
}

/** Job ids from `12, 13 14`; null when something else is there. */
export function parseIds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  if (!parts.every((p) => /^\d{1,15}$/.test(p) && Number(p) > 0)) return null;
  return parts.map(Number);
}

/** A whole number from a field, or null. */
function intOf(text: string): number | null {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/** The submission the form makes, and the problems found before asking the API. */
export function toSubmission(f: SubmitForm): {
  body: Record<string, unknown>;
  issues: FieldIssue[];
} {
  const issues: FieldIssue[] = [];
  const cpu = intOf(f.cpu);
  if (cpu === null || cpu < 1)
    issues.push({ path: 'requirements.cpu', message: 'a whole number of cores, at least 1' });
  const gpus = f.gpus.trim() === '' ? 0 : intOf(f.gpus);
  if (gpus === null) issues.push({ path: 'requirements.gpus', message: 'a whole number of GPUs' });
  const ram = parseSizeBytes(f.ram);
  if (typeof ram === 'string') issues.push({ path: 'requirements.ram', message: ram });
  const tasks: Array<{ id: number; kind: DependencyKind }> = [];
  for (const kind of DEPENDENCY_KINDS) {
    const ids = parseIds(f.deps[kind]);
    if (ids === null)
      issues.push({ path: 'requirements.tasks', message: `${kind}: job ids separated by commas` });
    else tasks.push(...ids.map((id) => ({ id, kind })));
  }
  const label = Object.entries(f.labels)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}==${v}`);
  const volumes = Object.entries(f.volumes)
    .filter(([, acl]) => acl !== '')
    .map(([name, acl]) => ({ name, acl }));
  const requirements: Record<string, unknown> = {
    cpu: cpu ?? f.cpu,
    ram: f.ram.trim(),
    gpus: gpus ?? f.gpus,
    label,
    tasks,
  };
  if (f.array.trim() !== '') requirements['array'] = f.array.trim();
  if (f.maxlifespan.trim() !== '') requirements['maxlifespan'] = f.maxlifespan.trim();
  const body: Record<string, unknown> = {
    meta: f.name.trim() === '' ? {} : { name: f.name.trim() },
    requirements,
    container: { image: f.image.trim(), volumes, root: f.root },
    command: { cmd: f.script },
    hold: f.hold,
  };
  if (f.project.trim() !== '') body['project'] = f.project.trim();
  return { body, issues };
}

/** The form filled from `job`, to submit it again. */
export function formFromJob(job: Job): SubmitForm {
  const r = job.requirements;
  const deps = { afterok: '', afterany: '', afternotok: '' };
  for (const kind of DEPENDENCY_KINDS)
    deps[kind] = r.tasks
      .filter((t) => t.kind === kind)
      .map((t) => t.id)
      .join(', ');
  const labels: Record<string, string> = {};
  for (const l of r.label) {
    const at = l.indexOf('==');
    if (at > 0) labels[l.slice(0, at)] = l.slice(at + 2);
  }
  const volumes: SubmitForm['volumes'] = {};
  for (const v of job.container.volumes) volumes[v.name] = v.acl;
  return {
    name: job.meta.name,
    project: job.user.project,
    script: job.command.cmd,
    image: job.container.image,
    cpu: String(r.cpu),
    ram: sizeInput(r.ram),
    gpus: String(r.gpus),
    maxlifespan: r.maxlifespan > 0 ? String(r.maxlifespan) : '',
    array: r.array?.spec ?? '',
    deps,
    labels,
    volumes,
    root: job.container.root,
    hold: false,
  };
}

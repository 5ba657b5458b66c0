/**
 * A GO-Docker task document turned into a god submission. GO-Docker clients send the whole
 * document, including fields the server fills (`date`, `status`, `container.id`, `container.meta`,
 * ...): those are ignored, since state comes from the scheduler. Identity comes from
 * authentication: `user.id`, `user.uid` and `user.gid` are tolerated only when they repeat the
 * caller's own. Any other field — unknown, or one god decides itself (`volumes[].path`,
 * `container.privileged`, another uid) — is refused with a 400 naming it, as `/api/v1` does:
 * a field silently dropped is a request silently changed.
 */
import { ValidationError, type FieldIssue } from '@god/core';

type Doc = Record<string, unknown>;

/** The caller, whose identity a document may repeat but never change. */
export interface Caller {
  id: string;
  uid: number;
  gid: number;
}

const obj = (v: unknown): Doc =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {};
const has = (d: Doc, k: string): boolean => d[k] !== undefined && d[k] !== null;
const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** What may appear in each part of a GO-Docker document; anything else is refused. */
const KNOWN: Record<string, readonly string[]> = {
  '': ['id', 'date', 'user', 'meta', 'requirements', 'container', 'command', 'status'],
  user: ['id', 'uid', 'gid', 'project'],
  meta: ['name', 'description', 'tags'],
  requirements: [
    ...['cpu', 'ram', 'gpus', 'label', 'ports', 'maxlifespan', 'array', 'tasks'],
    ...['tmpstorage', 'executor'],
  ],
  'requirements.array': ['values'],
  'requirements.tmpstorage': ['size', 'path'],
  container: ['image', 'root', 'volumes', 'network', 'id', 'ports', 'meta', 'stats'],
  volume: ['name', 'acl', 'path', 'mount'],
  command: ['cmd', 'interactive'],
};

/** Issues for every key of `d` not in `KNOWN[part]`, at `prefix`. */
function unknownKeys(d: Doc, part: string, prefix: string): FieldIssue[] {
  const known = KNOWN[part] ?? [];
  return Object.keys(d)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: `${prefix}${k}`, message: 'unknown field' }));
}

/** Refuses what the document may not say; throws one ValidationError listing every problem. */
function checkDocument(doc: Doc, caller: Caller): void {
  const issues: FieldIssue[] = unknownKeys(doc, '', '');
  for (const part of ['user', 'meta', 'requirements', 'container', 'command'])
    issues.push(...unknownKeys(obj(doc[part]), part, `${part}.`));
  const req = obj(doc['requirements']);
  issues.push(...unknownKeys(obj(req['array']), 'requirements.array', 'requirements.array.'));
  const tmp = obj(req['tmpstorage']);
  issues.push(...unknownKeys(tmp, 'requirements.tmpstorage', 'requirements.tmpstorage.'));
  if (!isEmpty(tmp['path']))
    issues.push({ path: 'requirements.tmpstorage.path', message: 'god chooses where it goes' });
  const user = obj(doc['user']);
  for (const k of ['id', 'uid', 'gid'] as const)
    if (has(user, k) && user[k] !== caller[k])
      issues.push({ path: `user.${k}`, message: `must be the caller's own (${caller[k]})` });
  const container = obj(doc['container']);
  if (has(container, 'network') && container['network'] !== true)
    issues.push({ path: 'container.network', message: 'jobs always have a network' });
  if (!isEmpty(container['ports']))
    issues.push({ path: 'container.ports', message: 'ask for ports in requirements.ports' });
  const volumes = container['volumes'];
  if (Array.isArray(volumes))
    volumes.forEach((v, i) => {
      const vol = obj(v);
      const at = `container.volumes[${i}].`;
      issues.push(...unknownKeys(vol, 'volume', at));
      for (const k of ['path', 'mount'])
        if (!isEmpty(vol[k]))
          issues.push({ path: `${at}${k}`, message: 'set by the configuration of the volume' });
    });
  if (issues.length > 0) throw new ValidationError('invalid task', issues);
}

/**
 * The god submission for a GO-Docker task document of `caller` (then validated by submitJobs);
 * throws ValidationError for a field god would otherwise have to drop.
 */
export function toSubmission(body: unknown, caller: Caller): Doc {
  const doc = obj(body);
  checkDocument(doc, caller);
  const meta = obj(doc['meta']);
  const req = obj(doc['requirements']);
  const container = obj(doc['container']);
  const command = obj(doc['command']);
  const user = obj(doc['user']);

  const requirements: Doc = {};
  for (const k of ['cpu', 'ram', 'gpus', 'label', 'ports', 'maxlifespan'])
    if (has(req, k)) requirements[k] = req[k];
  const array = obj(req['array'])['values'];
  if (typeof array === 'string' && array.trim() !== '') requirements['array'] = array.trim();
  if (Array.isArray(req['tasks']))
    requirements['tasks'] = (req['tasks'] as unknown[]).map((t) =>
      typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : t,
    );
  const tmp = obj(req['tmpstorage'])['size'];
  if (tmp !== undefined && tmp !== null && tmp !== '') requirements['tmpstorage'] = tmp;
  if (typeof req['executor'] === 'string' && req['executor'] !== '')
    requirements['executor'] = req['executor'];
  // GO-Docker accepted labels as an empty string when none.
  if (requirements['label'] === '') delete requirements['label'];

  const out: Doc = {
    meta: pick(meta, ['name', 'description', 'tags']),
    requirements,
    container: {
      ...pick(container, ['image', 'root']),
      ...(Array.isArray(container['volumes']) && {
        volumes: container['volumes'].map((v) => {
          const vol = obj(v);
          return { name: vol['name'], ...(has(vol, 'acl') && { acl: vol['acl'] }) };
        }),
      }),
    },
    command: pick(command, ['cmd', 'interactive']),
  };
  if (typeof user['project'] === 'string' && user['project'] !== '')
    out['project'] = user['project'];
  return out;
}

function pick(d: Doc, keys: readonly string[]): Doc {
  const out: Doc = {};
  for (const k of keys) if (has(d, k)) out[k] = d[k];
  return out;
}

/**
 * A GO-Docker task document turned into a god submission. GO-Docker clients send the whole
 * document, including fields the server fills (`user.id`, `date`, `status`, `container.id`,
 * `container.meta`, ...): those are dropped, since identity comes from authentication and
 * state from the scheduler. Everything that describes the job is carried over, and then checked
 * by the same strict validation as any submission.
 */

type Doc = Record<string, unknown>;

const obj = (v: unknown): Doc =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {};
const has = (d: Doc, k: string): boolean => d[k] !== undefined && d[k] !== null;

/** The god submission for a GO-Docker task document (validated later by submitJobs). */
export function toSubmission(body: unknown): Doc {
  const doc = obj(body);
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

/**
 * Every route god serves, as data for the fuzzer: `/api/v1` from its own OpenAPI document, and
 * `/api/1.0` (hidden from that document) from GO-Docker's route table with its zod schemas
 * turned into JSON Schema the same way. Neither list is written by hand, so a route added later
 * is fuzzed without anyone remembering to.
 */
import { z } from 'zod';
import { apiRoutes, type JobServices, type Route, type WebContext } from '@god/web';
import { goDockerRoutes } from '../../packages/web/src/compat/godocker.js';
import { operationsOf, type Operation, type Schema } from '../../packages/web/src/test-fuzz.js';

/** A route table built without a context: the tables only use it inside handlers. */
const tableOnly = new Proxy(
  {},
  {
    get() {
      throw new Error('a route table used its context while being built');
    },
  },
) as WebContext & JobServices;

/** Every `/api/v1` route of the route table (to check the document hides none). */
export function v1RouteCount(): number {
  return apiRoutes(tableOnly, tableOnly).length;
}

/** The `/api/v1` operations of the served OpenAPI document. */
export async function v1Operations(url: string): Promise<Operation[]> {
  const res = await fetch(`${url}/api/v1/openapi.json`);
  return operationsOf((await res.json()) as { paths: Record<string, Record<string, unknown>> });
}

/** A GO-Docker task document as `godjob` sends it. */
export const GODOCKER_TASK = {
  user: { id: 'alice', uid: 0, gid: 0 },
  date: 0,
  meta: { name: 'job', description: 'a job', tags: ['t'] },
  requirements: {
    cpu: 1,
    ram: 1,
    array: { values: '' },
    label: [],
    tmpstorage: { size: '' },
  },
  container: {
    image: 'god-test/busybox:latest',
    volumes: [{ name: 'home', acl: 'ro' }],
    root: false,
  },
  command: { interactive: false, cmd: 'echo hi' },
  status: { primary: 'pending', secondary: '' },
};

function schemaOf(s: z.ZodType | undefined): Schema | null {
  if (s === undefined) return null;
  const json = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  delete json['$schema'];
  return json as Schema;
}

/** The `/api/1.0` operations. */
export function compatOperations(): Operation[] {
  return goDockerRoutes(tableOnly, tableOnly).map((r: Route) => {
    const params = schemaOf(r.params);
    const body =
      r.method === 'post' && r.path === '/task'
        ? ({ type: 'object', properties: {}, default: GODOCKER_TASK } as Schema)
        : schemaOf(r.body);
    return {
      method: r.method.toUpperCase(),
      path: `/api/1.0${r.path}`,
      params: Object.entries(params?.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'path' as const,
        schema,
      })),
      body,
      streams: false,
    };
  });
}

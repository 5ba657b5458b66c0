/**
 * Request generators for fuzzing the API from its own OpenAPI document: for each operation,
 * path parameters, query and body drawn from its JSON Schemas — mostly valid values, and often
 * one thing wrong (a missing required field, an unknown one, a wrong type, a value out of
 * range) — plus arbitrary JSON and bodies that are not JSON at all.
 */
import fc from 'fast-check';

/** A JSON Schema node, as the OpenAPI document carries it. */
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
};

/** One operation of the document. */
export interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: 'path' | 'query'; schema: Schema }>;
  body: Schema | null;
  streams: boolean;
}

/** The operations of an OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as {
        parameters?: Array<{ name: string; in: 'path' | 'query'; schema: Schema }>;
        requestBody?: { content: { 'application/json': { schema: Schema } } };
        responses: Record<string, { content?: Record<string, unknown> }>;
      };
      const ok = Object.values(op.responses)[0]?.content ?? {};
      ops.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json'].schema ?? null,
        streams: 'text/event-stream' in ok,
      });
    }
  }
  return ops;
}

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);

/** Values for `schema`: valid ones mostly, invalid ones often. */
export function valueOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 4) return scalar;
  return fc.oneof(
    { weight: 6, arbitrary: validOf(schema, depth) },
    { weight: 2, arbitrary: invalidOf(schema, depth) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

function validOf(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives !== undefined && alternatives.length > 0)
    return fc.oneof(...alternatives.map((a) => validOf(a, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object':
      return objectOf(s, depth, false);
    case 'array':
      return fc.array(valueOf(s.items ?? {}, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 4),
      });
    case 'integer':
      return fc.integer({
        min: Math.max(s.minimum ?? -1000, -1e6),
        max: Math.min(s.maximum ?? 1000, 1e6),
      });
    case 'number':
      return fc.double({
        min: Math.max(s.minimum ?? -1000, -1e6),
        max: Math.min(s.maximum ?? 1000, 1e6),
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      return fc.oneof(
        fc.constantFrom(
          'god-test/busybox:latest',
          'echo hi',
          '1:9:3',
          '8G',
          'default',
          'someone',
          'pending',
          '10',
        ),
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 16, 16) }),
      );
    default:
      return scalar;
  }
}

function invalidOf(s: Schema, depth: number): fc.Arbitrary<unknown> {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'object') return objectOf(s, depth, true);
  if (type === 'integer' || type === 'number')
    return fc.oneof(
      fc.constant(-1),
      fc.constant(1e308),
      fc.constant(0.5),
      fc.string({ maxLength: 4 }),
    );
  if (type === 'string')
    return fc.oneof(fc.integer(), fc.string({ minLength: 300, maxLength: 400 }), fc.constant(''));
  return scalar;
}

function objectOf(s: Schema, depth: number, broken: boolean): fc.Arbitrary<unknown> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) record[k] = valueOf(v, depth + 1);
  const keys = Object.keys(props);
  const base = fc.record(record, { requiredKeys: keys.filter((k) => required.has(k)) });
  if (!broken) return base;
  return fc.oneof(
    // A required field dropped.
    base.map((o) => {
      const copy = { ...(o as Record<string, unknown>) };
      const first = [...required][0];
      if (first !== undefined) delete copy[first];
      return copy;
    }),
    // An unknown field added.
    base.map((o) => ({ ...(o as Record<string, unknown>), zzUnknown: 1 })),
    // Not an object at all.
    fc.oneof(fc.array(scalar, { maxLength: 3 }), scalar),
  );
}

/** Job submissions: valid ones with random requirements, or one of those slightly broken. */
export function submissionArb(): fc.Arbitrary<unknown> {
  const valid = fc.record(
    {
      meta: fc.record(
        {
          name: fc.constantFrom('a', 'job-1', 'x.y'),
          tags: fc.array(fc.constantFrom('t', 'u'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      requirements: fc.record(
        {
          cpu: fc.integer({ min: 1, max: 8 }),
          ram: fc.constantFrom(1, 0.5, '512M', '2G'),
          gpus: fc.integer({ min: 0, max: 2 }),
          array: fc.constantFrom('3', '1:9:3', '1:5%2', null),
          maxlifespan: fc.constantFrom(0, 60, '1h'),
          label: fc.constantFrom([], ['zone==a']),
        },
        { requiredKeys: [] },
      ),
      container: fc.constant({ image: 'god-test/busybox:latest' }),
      command: fc.record({ cmd: fc.constantFrom('echo hi', '#!/bin/sh\nexit 3\n') }),
      env: fc.constantFrom({}, { A: '1' }),
      hold: fc.boolean(),
    },
    { requiredKeys: ['container', 'command'] },
  );
  const broken = valid.chain((job) =>
    fc.constantFrom(
      { ...job, requirements: { cpu: -1 } },
      { ...job, container: { image: 'BAD IMAGE' } },
      { ...job, command: {} },
      { ...job, extra: true },
      { ...job, env: { GODOCKER_JID: 'x' } },
    ),
  );
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: broken });
}

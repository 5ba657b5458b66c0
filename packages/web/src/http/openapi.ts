/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its zod schemas
 * (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). Request schemas are given in their input
 * form (what a client sends: `ram: "8G"`), answers in their output form.
 */
import { z } from 'zod';
import type { Route } from './route.js';

/** A JSON Schema object, as zod emits it. */
type JsonSchema = Record<string, unknown>;

/** The OpenAPI document of `routes` mounted under `base` (`/api/v1`). */
export function openApiDocument(
  routes: readonly Route[],
  info: { title: string; version: string; base: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.hidden === true) continue;
    const item = (paths[`${info.base}${r.path}`] ??= {});
    item[r.method] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from POST /api/v1/auth/login, or an API key (god_…)',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                issues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['path', 'message'],
                    properties: { path: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

function operation(r: Route): Record<string, unknown> {
  const op: Record<string, unknown> = {
    summary: r.summary,
    tags: r.tags,
    operationId: operationId(r),
    parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
    responses: responses(r),
  };
  if (r.access !== 'public') op['security'] = [{ bearer: [] }];
  const body = r.bodyDoc ?? r.body;
  if (body !== undefined) {
    op['requestBody'] = {
      required: true,
      content: { 'application/json': { schema: schemaOf(body, 'input') } },
    };
  }
  return op;
}

function responses(r: Route): Record<string, unknown> {
  const produces = r.produces ?? 'application/json';
  const ok =
    produces === 'application/json'
      ? { schema: r.response === undefined ? { type: 'object' } : schemaOf(r.response, 'output') }
      : {
          schema: {
            type: 'string',
            ...(produces === 'application/octet-stream' && { format: 'binary' }),
          },
        };
  const error = {
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return {
    [String(r.status ?? 200)]: { description: 'success', content: { [produces]: ok } },
    '400': { description: 'invalid input (every bad field named)', ...error },
    ...(r.access !== 'public' && { '401': { description: 'no or bad credentials', ...error } }),
    ...(r.access === 'admin' && { '403': { description: 'administrators only', ...error } }),
    ...(r.path.includes('{') && { '404': { description: 'not found or not yours', ...error } }),
  };
}

/** Path or query parameters from an object schema, one per property. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (schema === undefined) return [];
  const json = schemaOf(schema, 'input');
  const props = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
    ...(typeof s['description'] === 'string' && { description: s['description'] }),
  }));
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  delete json['$schema'];
  return json;
}

function operationId(r: Route): string {
  const words = r.path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('{') ? `by-${p.slice(1, -1)}` : p));
  return [r.method, ...words]
    .join('-')
    .replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}

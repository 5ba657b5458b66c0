/** Turns zod's issues into god's `FieldIssue`s: one per bad field, named by its full path. */
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';

/** `a.b[0].c` from zod's path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Every issue of a zod error; unknown keys are reported one by one, each with its own path. */
export function fieldIssues(error: z.core.$ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'unknown field',
      }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/** Parses `input` with `schema` or throws a `ValidationError` naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  code: 'INVALID_INPUT' | 'INVALID_CONFIG' = 'INVALID_INPUT',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(what, fieldIssues(result.error), code);
}

/**
 * Maps the API's field issues (`error.issues[].path`, e.g. `requirements.cpu`,
 * `container.volumes[0].name`) to the submit form's fields, so each message shows next to the
 * control that caused it. What matches no field is shown above the form.
 */

/** The submit form's fields that can carry an error. */
export type SubmitField =
  | 'name'
  | 'project'
  | 'script'
  | 'image'
  | 'cpu'
  | 'ram'
  | 'gpus'
  | 'maxlifespan'
  | 'array'
  | 'dependencies'
  | 'labels'
  | 'volumes'
  | 'root'
  | 'hold'
  | 'form';

/** Path prefixes of the submission, most specific first. */
const PREFIXES: Array<[string, SubmitField]> = [
  ['meta.name', 'name'],
  ['meta', 'name'],
  ['project', 'project'],
  ['command.cmd', 'script'],
  ['command', 'script'],
  ['container.image', 'image'],
  ['container.volumes', 'volumes'],
  ['container.root', 'root'],
  ['requirements.cpu', 'cpu'],
  ['requirements.ram', 'ram'],
  ['requirements.gpus', 'gpus'],
  ['requirements.maxlifespan', 'maxlifespan'],
  ['requirements.array', 'array'],
  ['requirements.tasks', 'dependencies'],
  ['requirements.label', 'labels'],
  ['hold', 'hold'],
];

/** The form field of an issue path (`form` when none matches). */
export function fieldOf(path: string): SubmitField {
  for (const [prefix, field] of PREFIXES)
    if (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`))
      return field;
  return 'form';
}

/** Messages per field; a field with several issues gets them joined. */
export function fieldErrors(
  issues: ReadonlyArray<{ path: string; message: string }>,
): Partial<Record<SubmitField, string>> {
  const out: Partial<Record<SubmitField, string>> = {};
  for (const i of issues) {
    const f = fieldOf(i.path);
    const text = f === 'form' && i.path !== '' ? `${i.path}: ${i.message}` : i.message;
    out[f] = out[f] === undefined ? text : `${out[f]}; ${text}`;
  }
  return out;
}

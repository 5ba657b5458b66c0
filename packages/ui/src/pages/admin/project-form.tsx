/** The project form: name (when creating), description, priority, quota and limits with units. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/field.js';
import type { ProjectView } from '../../api/admin.js';
import {
  limitRamText,
  parseCount,
  parseLimitRam,
  quotaFromForm,
  quotaToForm,
  type Errors,
  type QuotaForm,
} from '../../lib/admin-form.js';
import { QuotaFields } from './quota-fields.js';

interface Form {
  id: string;
  description: string;
  priority: string;
  quota: QuotaForm;
  limits: { cpu: string; ram: string; gpus: string; jobs: string };
}

const count = (n: number | undefined): string => (n === undefined || n === 0 ? '' : String(n));

function formOf(p: ProjectView | null): Form {
  return {
    id: p?.id ?? '',
    description: p?.description ?? '',
    priority: String(p?.priority ?? 50),
    quota: quotaToForm(p?.quota ?? null),
    limits: {
      cpu: count(p?.limits?.cpu),
      ram: limitRamText(p?.limits?.ram ?? 0),
      gpus: count(p?.limits?.gpus),
      jobs: count(p?.limits?.jobs),
    },
  };
}

/** The API body of a form, or the fields it got wrong. */
export function projectBody(
  f: Form,
  creating: boolean,
): { body: Record<string, unknown>; errors: Errors } {
  const errors: Errors = {};
  if (creating && f.id.trim() === '') errors.id = 'a name is needed';
  const l = f.limits;
  const none = Object.values(l).every((v) => v.trim() === '');
  const body: Record<string, unknown> = {
    ...(creating && { id: f.id.trim() }),
    description: f.description,
    priority: parseCount(f.priority, 'priority', errors, 50),
    quota: quotaFromForm(f.quota, errors),
    limits: none
      ? null
      : {
          cpu: parseCount(l.cpu, 'limits.cpu', errors),
          ram: parseLimitRam(l.ram, errors),
          gpus: parseCount(l.gpus, 'limits.gpus', errors),
          jobs: parseCount(l.jobs, 'limits.jobs', errors),
        },
  };
  return { body, errors };
}

const LIMITS: Array<{ key: keyof Form['limits']; label: string; hint: string }> = [
  { key: 'cpu', label: 'Cores at once', hint: 'e.g. 64' },
  { key: 'ram', label: 'RAM at once', hint: 'e.g. 256G' },
  { key: 'gpus', label: 'GPUs at once', hint: 'e.g. 4' },
  { key: 'jobs', label: 'Jobs at once', hint: 'running, e.g. 100' },
];

/** The form; `project` null creates. */
export function ProjectForm(props: {
  project: ProjectView | null;
  errors: Errors;
  busy: boolean;
  onSubmit: (body: Record<string, unknown>, errors: Errors) => void;
}): ReactNode {
  const creating = props.project === null;
  const [f, setF] = useState(() => formOf(props.project));
  const { errors } = props;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const { body, errors: local } = projectBody(f, creating);
    props.onSubmit(body, local);
  };
  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      aria-label={creating ? 'New project' : 'Project settings'}
    >
      {errors.form !== undefined ? (
        <p className="form-error" role="alert" data-testid="project-form-error">
          {errors.form}
        </p>
      ) : null}
      <div className="row">
        {creating ? (
          <Field id="project-id" label="Name" error={errors.id}>
            {(p) => (
              <input {...p} value={f.id} onChange={(e) => setF({ ...f, id: e.target.value })} />
            )}
          </Field>
        ) : null}
        <Field
          id="project-priority"
          label="Priority"
          error={errors.priority}
          hint="0 to 100, for fair share"
        >
          {(p) => (
            <input
              {...p}
              value={f.priority}
              onChange={(e) => setF({ ...f, priority: e.target.value })}
            />
          )}
        </Field>
      </div>
      <Field id="project-description" label="Description" error={errors.description}>
        {(p) => (
          <input
            {...p}
            value={f.description}
            onChange={(e) => setF({ ...f, description: e.target.value })}
          />
        )}
      </Field>
      <QuotaFields
        idPrefix="project"
        value={f.quota}
        errors={errors}
        onChange={(quota) => setF({ ...f, quota })}
      />
      <LimitFields value={f.limits} errors={errors} onChange={(limits) => setF({ ...f, limits })} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={props.busy}>
          {creating ? 'Create project' : 'Save'}
        </button>
      </div>
    </form>
  );
}

/** The limits on what the project's jobs hold at once. */
function LimitFields(props: {
  value: Form['limits'];
  errors: Errors;
  onChange: (l: Form['limits']) => void;
}): ReactNode {
  return (
    <fieldset className="row">
      <legend>Limits (empty: unlimited)</legend>
      {LIMITS.map((l) => (
        <Field
          key={l.key}
          id={`project-limit-${l.key}`}
          label={l.label}
          hint={l.hint}
          error={
            props.errors[`limits.${l.key}`] ?? (l.key === 'cpu' ? props.errors.limits : undefined)
          }
        >
          {(p) => (
            <input
              {...p}
              value={props.value[l.key]}
              onChange={(e) => props.onChange({ ...props.value, [l.key]: e.target.value })}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
}

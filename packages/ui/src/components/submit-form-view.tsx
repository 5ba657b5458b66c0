/**
 * The submit form: script, image, resources, array with a live preview of its task ids,
 * dependencies, constraints, volumes, hold. Errors (local checks or the API's field issues)
 * show next to their field; the rest above the form.
 */
import { lazy, Suspense, useState, type FormEvent, type ReactNode } from 'react';
import { DEPENDENCY_KINDS, parseSizeBytes } from '@god/core/browser';
import { formatBytes } from '../lib/format.js';
import type { PublicConfig } from '../api/extra.js';
import { describePreview, previewArray } from '../lib/array-preview.js';
import type { SubmitField } from '../lib/field-errors.js';
import type { SubmitForm } from '../lib/submit-form.js';
import { Field } from './field.js';

const ScriptEditor = lazy(() => import('./script-editor.js'));

/** The form; `editor: 'plain'` uses a textarea (and is what tests use). */
export function SubmitFormView(props: {
  initial: SubmitForm;
  config: PublicConfig;
  errors: Partial<Record<SubmitField, string>>;
  busy: boolean;
  editor?: 'code' | 'plain';
  onSubmit: (f: SubmitForm) => void;
}): ReactNode {
  const { config, errors } = props;
  const [f, setF] = useState(props.initial);
  const set = <K extends keyof SubmitForm>(k: K, v: SubmitForm[K]): void => setF({ ...f, [k]: v });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    props.onSubmit(f);
  };
  const parts: PartProps = { f, config, errors, set };
  return (
    <form className="form submit-form" onSubmit={submit} aria-label="Submit a job" noValidate>
      {errors.form !== undefined ? (
        <p className="form-error" role="alert" data-testid="submit-error">
          {errors.form}
        </p>
      ) : null}
      <Identity {...parts} />
      <ScriptField {...parts} plain={props.editor === 'plain'} />
      <ImageField {...parts} />
      <Resources {...parts} />
      <ArrayField {...parts} />
      <Dependencies {...parts} />
      <Choices {...parts} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={props.busy} data-testid="submit-button">
          {props.busy ? 'Submitting…' : 'Submit'}
        </button>
      </div>
    </form>
  );
}

/** What the form's parts get. */
interface PartProps {
  f: SubmitForm;
  config: PublicConfig;
  errors: Partial<Record<SubmitField, string>>;
  set: <K extends keyof SubmitForm>(k: K, v: SubmitForm[K]) => void;
}

/** Name and project. */
function Identity(props: PartProps): ReactNode {
  const { f, errors, set } = props;
  return (
    <div className="row">
      <Field id="name" label="Name" error={errors.name}>
        {(p) => (
          <input
            {...p}
            value={f.name}
            maxLength={200}
            placeholder="job"
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>
      <Field id="project" label="Project" error={errors.project}>
        {(p) => (
          <input
            {...p}
            value={f.project}
            placeholder="default"
            onChange={(e) => set('project', e.target.value)}
          />
        )}
      </Field>
    </div>
  );
}

/** The script: CodeMirror (lazy), or a plain textarea while it loads or when chosen. */
function ScriptField(props: PartProps & { plain: boolean }): ReactNode {
  const { f, errors, set } = props;
  const [plain, setPlain] = useState(props.plain);
  const textarea = (p: object): ReactNode => (
    <textarea
      {...p}
      rows={10}
      value={f.script}
      spellCheck={false}
      data-testid="submit-script"
      onChange={(e) => set('script', e.target.value)}
    />
  );
  return (
    <Field
      id="script"
      label="Script"
      error={errors.script}
      hint={
        <label className="check">
          <input type="checkbox" checked={plain} onChange={(e) => setPlain(e.target.checked)} />{' '}
          Plain text editor
        </label>
      }
    >
      {(p) =>
        plain ? (
          textarea(p)
        ) : (
          <Suspense fallback={textarea(p)}>
            <ScriptEditor
              value={f.script}
              onChange={(v) => set('script', v)}
              label="Script"
              invalid={errors.script !== undefined}
            />
          </Suspense>
        )
      }
    </Field>
  );
}

/** The image: one of the configured ones (or any reference when none is configured). */
function ImageField(props: PartProps): ReactNode {
  const { f, config, errors, set } = props;
  return (
    <Field id="image" label="Image" error={errors.image}>
      {(p) =>
        config.images.length > 0 ? (
          <select {...p} value={f.image} onChange={(e) => set('image', e.target.value)}>
            {config.images.some((i) => i.url === f.image) ? null : (
              <option value={f.image}>{f.image}</option>
            )}
            {config.images.map((i) => (
              <option key={i.url} value={i.url}>
                {i.name} ({i.url})
              </option>
            ))}
          </select>
        ) : (
          <input {...p} value={f.image} onChange={(e) => set('image', e.target.value)} />
        )
      }
    </Field>
  );
}

/** The array spec, with the live preview of its task ids. */
function ArrayField(props: PartProps): ReactNode {
  const { f, errors, set } = props;
  const preview = f.array.trim() === '' ? null : previewArray(f.array);
  return (
    <Field
      id="array"
      label="Array"
      error={errors.array}
      hint={
        preview === null ? (
          'N, start:end or start:end:step, optionally %limit'
        ) : (
          <span data-testid="array-preview" className={preview.ok ? '' : 'error'}>
            {describePreview(preview)}
          </span>
        )
      }
    >
      {(p) => (
        <input
          {...p}
          value={f.array}
          placeholder="1:9:3"
          onChange={(e) => set('array', e.target.value)}
        />
      )}
    </Field>
  );
}

/** Cores, RAM (with its value in bytes as the API will read it), GPUs, run time. */
function Resources(props: PartProps): ReactNode {
  const { f, config, errors, set } = props;
  const ram = parseSizeBytes(f.ram);
  return (
    <div className="row">
      <Field id="cpu" label="CPUs" error={errors.cpu} hint={`at most ${config.limits.job.max_cpu}`}>
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            value={f.cpu}
            onChange={(e) => set('cpu', e.target.value)}
          />
        )}
      </Field>
      <Field
        id="ram"
        label="RAM"
        error={errors.ram}
        hint={typeof ram === 'number' ? `= ${formatBytes(ram)}` : 'e.g. 8G, 512M'}
      >
        {(p) => <input {...p} value={f.ram} onChange={(e) => set('ram', e.target.value)} />}
      </Field>
      <Field id="gpus" label="GPUs" error={errors.gpus}>
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            value={f.gpus}
            onChange={(e) => set('gpus', e.target.value)}
          />
        )}
      </Field>
      <Field
        id="maxlifespan"
        label="Max run time"
        error={errors.maxlifespan}
        hint="e.g. 2h, 1d (default if empty)"
      >
        {(p) => (
          <input
            {...p}
            value={f.maxlifespan}
            onChange={(e) => set('maxlifespan', e.target.value)}
          />
        )}
      </Field>
    </div>
  );
}

/** afterok / afterany / afternotok job ids. */
function Dependencies(props: PartProps): ReactNode {
  const { f, errors, set } = props;
  return (
    <fieldset
      className="row"
      aria-describedby={errors.dependencies !== undefined ? 'deps-error' : undefined}
    >
      <legend>Dependencies (job ids)</legend>
      {DEPENDENCY_KINDS.map((k) => (
        <Field key={k} id={`dep-${k}`} label={k}>
          {(p) => (
            <input
              {...p}
              value={f.deps[k]}
              placeholder="12, 13"
              onChange={(e) => set('deps', { ...f.deps, [k]: e.target.value })}
            />
          )}
        </Field>
      ))}
      {errors.dependencies !== undefined ? (
        <div className="field-error" id="deps-error" data-testid="dependencies-error">
          {errors.dependencies}
        </div>
      ) : null}
    </fieldset>
  );
}

/** Constraints, volumes, root and hold: choices from the configuration. */
function Choices(props: PartProps): ReactNode {
  const { f, config, errors, set } = props;
  return (
    <>
      {config.constraints.length > 0 ? (
        <fieldset className="row">
          <legend>Constraints</legend>
          {config.constraints.map((c) => (
            <Field key={c.name} id={`label-${c.name}`} label={c.name}>
              {(p) => (
                <select
                  {...p}
                  value={f.labels[c.name] ?? ''}
                  onChange={(e) => set('labels', { ...f.labels, [c.name]: e.target.value })}
                >
                  <option value="">any</option>
                  {c.values.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
          {errors.labels !== undefined ? (
            <div className="field-error" data-testid="labels-error">
              {errors.labels}
            </div>
          ) : null}
        </fieldset>
      ) : null}
      {config.volumes.length > 0 ? (
        <fieldset className="row">
          <legend>Volumes</legend>
          {config.volumes.map((v) => (
            <Field key={v.name} id={`volume-${v.name}`} label={`${v.name} → ${v.mount}`}>
              {(p) => (
                <select
                  {...p}
                  value={f.volumes[v.name] ?? ''}
                  onChange={(e) =>
                    set('volumes', { ...f.volumes, [v.name]: e.target.value as '' | 'ro' | 'rw' })
                  }
                >
                  <option value="">not mounted</option>
                  <option value="ro">read-only</option>
                  {v.acl === 'rw' ? <option value="rw">read-write</option> : null}
                </select>
              )}
            </Field>
          ))}
          {errors.volumes !== undefined ? (
            <div className="field-error" data-testid="volumes-error">
              {errors.volumes}
            </div>
          ) : null}
        </fieldset>
      ) : null}
      {config.allow_root ? (
        <label className="check">
          <input type="checkbox" checked={f.root} onChange={(e) => set('root', e.target.checked)} />{' '}
          Run as root in the container
          {errors.root !== undefined ? <span className="field-error"> {errors.root}</span> : null}
        </label>
      ) : null}
      <label className="check">
        <input
          type="checkbox"
          checked={f.hold}
          onChange={(e) => set('hold', e.target.checked)}
          data-testid="submit-hold"
        />{' '}
        Hold (do not start until released)
      </label>
    </>
  );
}

/** The quota of a user or project, typed with units (`100h`, GB-hours), errors at each field. */
import type { ReactNode } from 'react';
import { Field } from '../../components/field.js';
import type { Errors, QuotaForm } from '../../lib/admin-form.js';

const FIELDS: Array<{ key: keyof QuotaForm; path: string; label: string; hint: string }> = [
  { key: 'cpu', path: 'cpuSeconds', label: 'CPU time', hint: 'core time, e.g. 100h' },
  { key: 'ramGBHours', path: 'ramGBSeconds', label: 'RAM (GB-hours)', hint: 'e.g. 500' },
  { key: 'gpu', path: 'gpuSeconds', label: 'GPU time', hint: 'e.g. 10h' },
  { key: 'wall', path: 'wallSeconds', label: 'Wall time', hint: 'e.g. 2d' },
  { key: 'window', path: 'windowSeconds', label: 'Window', hint: 'sliding, e.g. 7d' },
];

/** The five quota fields; all empty means no quota, an empty one means unlimited. */
export function QuotaFields(props: {
  idPrefix: string;
  value: QuotaForm;
  errors: Errors;
  onChange: (q: QuotaForm) => void;
}): ReactNode {
  return (
    <fieldset className="row">
      <legend>Quota (empty: none)</legend>
      {FIELDS.map((f) => (
        <Field
          key={f.key}
          id={`${props.idPrefix}-quota-${f.key}`}
          label={f.label}
          hint={f.hint}
          error={
            props.errors[`quota.${f.path}`] ?? (f.key === 'window' ? props.errors.quota : undefined)
          }
        >
          {(p) => (
            <input
              {...p}
              value={props.value[f.key]}
              onChange={(e) => props.onChange({ ...props.value, [f.key]: e.target.value })}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
}

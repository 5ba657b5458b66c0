/** A labelled form control with its error message and hint tied to it for screen readers. */
import type { ReactNode } from 'react';

/** What a control gets to be labelled and described. */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A field: label, control (rendered by `children` with the ids), hint, error. */
export function Field(props: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (p: ControlProps) => ReactNode;
}): ReactNode {
  const { id, error, hint } = props;
  const described = [
    hint !== undefined ? `${id}-hint` : '',
    error !== undefined ? `${id}-error` : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  return (
    <div className={`field${error !== undefined ? ' has-error' : ''}`}>
      <label htmlFor={id} id={`${id}-label`}>
        {props.label}
      </label>
      {props.children({
        id,
        'aria-invalid': error !== undefined,
        'aria-describedby': described === '' ? undefined : described,
      })}
      {hint !== undefined ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error !== undefined ? (
        <div className="field-error" id={`${id}-error`} data-testid={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

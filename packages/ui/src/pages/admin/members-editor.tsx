/** A project's members: remove one with its button, add one or several by login. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/field.js';

/** The editor; `onChange` calls the API and resolves to an error message or null. */
export function MembersEditor(props: {
  members: readonly string[];
  busy: boolean;
  error: string | undefined;
  onChange: (change: { add?: string[]; remove?: string[] }) => Promise<boolean>;
}): ReactNode {
  const [text, setText] = useState('');
  const add = (e: FormEvent): void => {
    e.preventDefault();
    const logins = text.split(/[\s,]+/).filter((s) => s !== '');
    if (logins.length === 0) return;
    void props.onChange({ add: logins }).then((ok) => ok && setText(''));
  };
  return (
    <section aria-labelledby="members-title" className="members">
      <h2 id="members-title">Members ({props.members.length})</h2>
      {props.members.length === 0 ? (
        <p className="muted">No members: only administrators use this project.</p>
      ) : (
        <ul className="member-list" aria-label="Members">
          {props.members.map((m) => (
            <li key={m}>
              <span>{m}</span>
              <button
                type="button"
                className="link-button"
                disabled={props.busy}
                aria-label={`Remove ${m}`}
                onClick={() => void props.onChange({ remove: [m] })}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="row inline-form" onSubmit={add} noValidate aria-label="New members">
        <Field
          id="member-add"
          label="Add members"
          error={props.error}
          hint="logins, comma separated"
        >
          {(p) => <input {...p} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit" disabled={props.busy || text.trim() === ''}>
          Add
        </button>
      </form>
    </section>
  );
}

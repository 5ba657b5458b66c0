/**
 * The user form, to create a user (login, password when god keeps passwords) or change one.
 * Values are typed with units; local checks and the API's field issues show at their field.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/field.js';
import type { UserView } from '../../api/admin.js';
import {
  parseCount,
  parseIds,
  quotaFromForm,
  quotaToForm,
  type Errors,
  type QuotaForm,
} from '../../lib/admin-form.js';
import { QuotaFields } from './quota-fields.js';

/** The API's paths that the form names otherwise. */
export const USER_FIELDS = { id: 'login' };

interface Form {
  login: string;
  password: string;
  uid: string;
  gid: string;
  sgids: string;
  email: string;
  home: string;
  priority: string;
  admin: boolean;
  quota: QuotaForm;
}

function formOf(u: UserView | null): Form {
  return {
    login: u?.id ?? '',
    password: '',
    uid: u === null ? '' : String(u.uid),
    gid: u === null ? '' : String(u.gid),
    sgids: u?.sgids.join(', ') ?? '',
    email: u?.email ?? '',
    home: u?.home ?? '',
    priority: String(u?.priority ?? 50),
    admin: u?.admin ?? false,
    quota: quotaToForm(u?.quota ?? null),
  };
}

/** The API body of a form, or the fields it got wrong. */
export function userBody(
  f: Form,
  creating: boolean,
): { body: Record<string, unknown>; errors: Errors } {
  const errors: Errors = {};
  if (creating && f.login.trim() === '') errors.login = 'a login is needed';
  if (f.uid.trim() === '') errors.uid = 'a uid is needed';
  if (f.gid.trim() === '') errors.gid = 'a gid is needed';
  const body: Record<string, unknown> = {
    ...(creating && { id: f.login.trim() }),
    uid: parseCount(f.uid, 'uid', errors),
    gid: parseCount(f.gid, 'gid', errors),
    sgids: parseIds(f.sgids, 'sgids', errors),
    email: f.email.trim(),
    home: f.home.trim(),
    priority: parseCount(f.priority, 'priority', errors, 50),
    admin: f.admin,
    quota: quotaFromForm(f.quota, errors),
    ...(f.password !== '' && { password: f.password }),
  };
  return { body, errors };
}

/** The form; `user` null creates. */
export function UserForm(props: {
  user: UserView | null;
  localAuth: boolean;
  errors: Errors;
  busy: boolean;
  onSubmit: (body: Record<string, unknown>, errors: Errors) => void;
}): ReactNode {
  const creating = props.user === null;
  const [f, setF] = useState(() => formOf(props.user));
  const { errors } = props;
  const text = (k: TextKey, label: string, hint?: string, type = 'text'): ReactNode => (
    <TextField name={k} label={label} hint={hint} type={type} f={f} setF={setF} error={errors[k]} />
  );
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const { body, errors: local } = userBody(f, creating);
    props.onSubmit(body, local);
  };
  return (
    <form
      className="form"
      onSubmit={submit}
      noValidate
      aria-label={creating ? 'New user' : `User ${props.user?.id ?? ''}`}
    >
      {errors.form !== undefined ? (
        <p className="form-error" role="alert" data-testid="user-form-error">
          {errors.form}
        </p>
      ) : null}
      <div className="row">
        {creating ? text('login', 'Login') : null}
        {props.localAuth
          ? text(
              'password',
              creating ? 'Password' : 'New password',
              creating ? 'at least 8 characters; empty: no password' : 'empty: unchanged',
              'password',
            )
          : null}
      </div>
      <div className="row">
        {text('uid', 'UID')}
        {text('gid', 'GID')}
        {text('sgids', 'Groups', 'supplementary gids, e.g. 1001, 1002')}
      </div>
      <div className="row">
        {text('email', 'Email')}
        {text('home', 'Home', 'absolute path')}
        {text('priority', 'Priority', '0 to 100, for fair share')}
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={f.admin}
          onChange={(e) => setF({ ...f, admin: e.target.checked })}
        />{' '}
        Administrator
      </label>
      {errors.admin !== undefined ? <div className="field-error">{errors.admin}</div> : null}
      <QuotaFields
        idPrefix="user"
        value={f.quota}
        errors={errors}
        onChange={(quota) => setF({ ...f, quota })}
      />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={props.busy}>
          {creating ? 'Create user' : 'Save'}
        </button>
      </div>
    </form>
  );
}

type TextKey = Exclude<keyof Form, 'admin' | 'quota'>;

/** One text field of the form, its error under it. */
function TextField(props: {
  name: TextKey;
  label: string;
  hint: string | undefined;
  type: string;
  f: Form;
  setF: (f: Form) => void;
  error: string | undefined;
}): ReactNode {
  const { name, f, type } = props;
  return (
    <Field id={`user-${name}`} label={props.label} error={props.error} hint={props.hint}>
      {(p) => (
        <input
          {...p}
          type={type}
          value={f[name]}
          autoComplete={type === 'password' ? 'new-password' : 'off'}
          onChange={(e) => props.setF({ ...f, [name]: e.target.value })}
        />
      )}
    </Field>
  );
}

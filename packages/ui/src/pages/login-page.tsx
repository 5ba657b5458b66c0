/**
 * The login: a password (god's own users or LDAP: the server decides, the form is the same) or
 * an API key. Success goes to `next` (a path of this site only).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import {
  Button,
  Input,
  Label,
  Tab,
  TabList,
  TabPanel,
  Tabs,
  TextField,
} from 'react-aria-components';
import { ApiError, type SessionLogin } from '@god/client';
import { useSession } from '../api/session.js';
import { safeNext } from '../lib/next.js';

/** The login page. */
export function LoginPage(): ReactNode {
  const { login } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (how: SessionLogin): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await login(how);
      await navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <h1>Log in to god</h1>
      {error !== null ? (
        <p className="form-error" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <Tabs>
        <TabList aria-label="How to log in">
          <Tab id="password">With a password</Tab>
          <Tab id="apikey">With an API key</Tab>
        </TabList>
        <TabPanel id="password">
          <PasswordForm busy={busy} onSubmit={(l, p) => void submit({ login: l, password: p })} />
        </TabPanel>
        <TabPanel id="apikey">
          <KeyForm busy={busy} onSubmit={(k) => void submit({ apiKey: k })} />
        </TabPanel>
      </Tabs>
    </main>
  );
}

function PasswordForm(props: {
  busy: boolean;
  onSubmit: (login: string, password: string) => void;
}): ReactNode {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    props.onSubmit(login, password);
  };
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Log in with a password">
      <TextField value={login} onChange={setLogin} isRequired autoComplete="username">
        <Label>Login</Label>
        <Input name="login" data-testid="login-login" />
      </TextField>
      <TextField
        value={password}
        onChange={setPassword}
        isRequired
        type="password"
        autoComplete="current-password"
      >
        <Label>Password</Label>
        <Input name="password" data-testid="login-password" />
      </TextField>
      <Button type="submit" isDisabled={props.busy} data-testid="login-submit">
        Log in
      </Button>
    </form>
  );
}

function KeyForm(props: { busy: boolean; onSubmit: (key: string) => void }): ReactNode {
  const [key, setKey] = useState('');
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    props.onSubmit(key.trim());
  };
  return (
    <form className="form" onSubmit={onSubmit} aria-label="Log in with an API key">
      <TextField value={key} onChange={setKey} isRequired type="password" autoComplete="off">
        <Label>API key</Label>
        <Input name="apiKey" data-testid="login-apikey" />
      </TextField>
      <Button type="submit" isDisabled={props.busy} data-testid="login-apikey-submit">
        Log in
      </Button>
    </form>
  );
}

/** What the user reads when the login fails. */
function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Wrong login, password or API key.';
    if (err.status === 429)
      return `Too many attempts: try again${err.retryAfter !== undefined ? ` in ${err.retryAfter} s` : ' later'}.`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

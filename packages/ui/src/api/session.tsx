/**
 * The browser session: checked once at start (`GET /auth/session`), started by the login page,
 * ended by logout. Holds the API client that sends the session's CSRF token. A 401 from any
 * call ends it: the app goes to the login page with `next` = where the user was.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError, type GodClient, type Session, type SessionLogin } from '@god/client';

/** What pages get from the session. */
export interface SessionState {
  /** null until logged in. */
  session: Session | null;
  /** The client to call the API with (sends the CSRF token once logged in). */
  client: GodClient;
  /** Asks the server whether the cookie still holds a session. */
  check: () => Promise<Session | null>;
  login: (how: SessionLogin) => Promise<Session>;
  logout: () => Promise<void>;
  /** Forgets the session locally (after a 401). */
  expired: () => void;
}

const Ctx = createContext<SessionState | null>(null);

/** The session of the app; `base` is the client without a session (tests pass their own). */
export function SessionProvider(props: {
  base: GodClient;
  initial?: Session | null;
  children: ReactNode;
}): ReactNode {
  const { base } = props;
  const [session, setSession] = useState<Session | null>(props.initial ?? null);
  const client = useMemo(
    () => (session === null ? base : base.withCsrf(session.csrf)),
    [base, session],
  );
  const check = useCallback(async () => {
    try {
      const s = await base.session();
      setSession(s);
      return s;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setSession(null);
        return null;
      }
      throw err;
    }
  }, [base]);
  const login = useCallback(
    async (how: SessionLogin) => {
      const s = await base.startSession(how);
      setSession(s);
      return s;
    },
    [base],
  );
  const logout = useCallback(async () => {
    try {
      await client.endSession();
    } finally {
      setSession(null);
    }
  }, [client]);
  const expired = useCallback(() => setSession(null), []);
  const value = useMemo(
    () => ({ session, client, check, login, logout, expired }),
    [session, client, check, login, logout, expired],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

/** The session (inside SessionProvider). */
export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}

/** True when `err` says the session is over. */
export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

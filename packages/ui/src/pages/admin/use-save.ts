/** A form's save: local errors first, then the API call, its field issues kept per field. */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@god/client';
import { apiErrors, type Errors } from '../../lib/admin-form.js';

/** What a form needs: its errors, whether it is saving, and the save itself. */
export interface Save {
  errors: Errors;
  busy: boolean;
  /** True when saved. */
  run: (local: Errors, call: () => Promise<unknown>) => Promise<boolean>;
}

/** A save (API paths renamed to form fields by `rename`) that refreshes the admin lists (`['admin', ...]` queries) once done. */
export function useSave(rename: Readonly<Record<string, string>> = {}): Save {
  const qc = useQueryClient();
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const run = async (local: Errors, call: () => Promise<unknown>): Promise<boolean> => {
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return false;
    }
    setBusy(true);
    setErrors({});
    try {
      await call();
      await qc.invalidateQueries({ queryKey: ['admin'] });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0)
        setErrors(apiErrors(err.issues, rename));
      else setErrors({ form: err instanceof Error ? err.message : String(err) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { errors, busy, run };
}

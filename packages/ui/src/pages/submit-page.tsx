/**
 * The submit page: the form, prefilled from a job with `?from=<id>` ("Submit again"). The API's
 * field issues go next to their fields; success opens the new job's page.
 */
import { useState, type ReactNode } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { ApiError } from '@god/client';
import type { JobSubmissionInput } from '@god/core';
import { publicConfig, type PublicConfig } from '../api/extra.js';
import { useSession } from '../api/session.js';
import { SubmitFormView } from '../components/submit-form-view.js';
import { fieldErrors, type SubmitField } from '../lib/field-errors.js';
import { emptyForm, formFromJob, toSubmission, type SubmitForm } from '../lib/submit-form.js';

/** The submit page. */
export function SubmitPage(): ReactNode {
  const { client } = useSession();
  const [params] = useSearchParams();
  const from = Number(params.get('from') ?? '');
  const fromId = Number.isSafeInteger(from) && from > 0 ? from : null;
  const config = useQuery({
    queryKey: ['config'],
    queryFn: () => publicConfig(client),
    staleTime: 300_000,
  });
  const source = useQuery({
    queryKey: ['job', fromId],
    queryFn: () => client.getJob(fromId ?? 0),
    enabled: fromId !== null,
  });
  if (config.isPending || (fromId !== null && source.isPending))
    return <p role="status">Loading the form…</p>;
  if (config.isError)
    return (
      <p role="alert" className="error">
        The configuration could not be loaded: {config.error.message}
      </p>
    );
  const initial =
    source.data !== undefined ? formFromJob(source.data) : emptyForm(config.data.defaults);
  return (
    <section className="page">
      <h1>{source.data !== undefined ? `Submit job ${source.data.id} again` : 'Submit a job'}</h1>
      <SubmitSection key={fromId ?? 'new'} initial={initial} config={config.data} />
    </section>
  );
}

/** The form and its submission; exported for tests. */
export function SubmitSection(props: {
  initial: SubmitForm;
  config: PublicConfig;
  editor?: 'code' | 'plain';
}): ReactNode {
  const { client } = useSession();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<Partial<Record<SubmitField, string>>>({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (f: SubmitForm): Promise<void> => {
    const { body, issues } = toSubmission(f);
    if (issues.length > 0) {
      setErrors(fieldErrors(issues));
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const job = await client.submit(body as unknown as JobSubmissionInput);
      await navigate(`/jobs/${job.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.issues.length > 0) setErrors(fieldErrors(err.issues));
      else setErrors({ form: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <SubmitFormView
      initial={props.initial}
      config={props.config}
      errors={errors}
      busy={busy}
      editor={props.editor ?? 'code'}
      onSubmit={(f) => void onSubmit(f)}
    />
  );
}

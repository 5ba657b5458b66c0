/**
 * Submission on behalf of an authenticated actor, whatever API they came through: their
 * projects are checked, then `submitJobs` validates, counts and inserts all or nothing.
 */
import {
  ValidationError,
  accessFor,
  sameLogin,
  type AuthPlugin,
  type Config,
  type FieldIssue,
  type Job,
} from '@god/core';
import type { Counters, EventPublisher } from '@god/coord';
import type { Store } from '@god/store';
import type { Actor } from './actions.js';
import { MAX_BULK, submitJobs, type SubmitDeps } from './submit.js';

/** What submitting for an actor needs. */
export interface SubmitForDeps {
  config: Pick<
    Config,
    'limits' | 'constraints' | 'executor' | 'defaults' | 'auth' | 'volumes' | 'security'
  >;
  store: Store;
  counters: Counters;
  publisher: EventPublisher;
  /** The auth plugin, which may narrow the volumes and root rules of an account. */
  plugin: AuthPlugin;
  /** Told how many jobs were stored (metrics). */
  onSubmitted?: (count: number) => void;
}

/** Submits `inputs` for `actor` after checking their projects; all or nothing. */
export async function submitFor(
  deps: SubmitForDeps,
  actor: Actor,
  inputs: unknown[],
  bulk: boolean,
): Promise<Job[]> {
  if (inputs.length > MAX_BULK)
    throw new ValidationError('invalid submission', [
      { path: 'jobs', message: `at most ${MAX_BULK} jobs at once` },
    ]);
  await checkProjects(deps.store, actor, inputs, bulk);
  const { config } = deps;
  const submit: SubmitDeps = {
    store: deps.store,
    counters: deps.counters,
    publisher: deps.publisher,
    limits: config.limits,
    constraints: config.constraints,
    executors: [config.executor],
    access: accessFor(deps.plugin, actor.account, config),
    defaults: config.defaults,
    shareProjectTasks: config.auth.share_project_tasks,
  };
  const a = actor.account;
  const jobs = await submitJobs(
    submit,
    { id: a.id, uid: a.uid, gid: a.gid, sgids: a.sgids, home: a.home, admin: actor.admin },
    inputs,
  );
  deps.onSubmitted?.(jobs.length);
  return jobs;
}

/** Refuses projects that do not exist or that the submitter is not a member of. */
async function checkProjects(
  store: Store,
  actor: Actor,
  inputs: unknown[],
  bulk: boolean,
): Promise<void> {
  const issues: FieldIssue[] = [];
  const known = new Map<string, boolean>();
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const project =
      input !== null && typeof input === 'object'
        ? (input as { project?: unknown }).project
        : undefined;
    if (typeof project !== 'string' || project === 'default') continue;
    let ok = known.get(project);
    if (ok === undefined) {
      const stored = await store.getProject(project);
      ok = stored !== null && (actor.admin || stored.members.some((m) => sameLogin(m, actor.id)));
      known.set(project, ok);
    }
    if (!ok)
      issues.push({
        path: bulk ? `jobs[${i}].project` : 'project',
        message: `no project ${project} that ${actor.id} is a member of`,
      });
  }
  if (issues.length > 0) throw new ValidationError('invalid job', issues);
}

/**
 * The API calls of the UI's pages, in one place: the job listing with the list's own query
 * (already in the API's spelling), the public configuration, and forwards to the client's
 * methods (task summaries, maintenance) so the pages import one module.
 */
import type { GodClient, TaskSummary } from '@god/client';
import type { Job } from '@god/core/browser';

/** One page of `GET /jobs`. */
export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

/** `GET /jobs` with the list filters (`filtersToApi`) and a cursor. */
export function listJobs(
  client: GodClient,
  query: Record<string, string>,
  page: { cursor?: string | undefined; limit?: number } = {},
): Promise<JobPage> {
  return client.call('GET', '/jobs', {
    query: {
      ...query,
      limit: page.limit ?? 50,
      ...(page.cursor !== undefined && { cursor: page.cursor }),
    },
  });
}

export type { TaskSummary } from '@god/client';

/** `GET /jobs/{id}/tasks/summary`. */
export function taskSummary(client: GodClient, id: number): Promise<TaskSummary> {
  return client.taskSummary(id);
}

/** `GET /maintenance`. */
export function maintenance(client: GodClient): Promise<{ maintenance: boolean }> {
  return client.maintenance();
}

/** What `GET /config` tells users (the parts the submit form offers). */
export interface PublicConfig {
  images: Array<{ name: string; url: string; interactive: boolean; default: boolean }>;
  volumes: Array<{ name: string; acl: 'ro' | 'rw'; path: string; mount: string }>;
  constraints: Array<{ name: string; values: string[] }>;
  defaults: { image: string; cpu: number; ram: number };
  limits: { job: { max_cpu: number; max_ram: number; max_gpus: number } };
  allow_root: boolean;
}

/** `GET /config`. */
export function publicConfig(client: GodClient): Promise<PublicConfig> {
  return client.call('GET', '/config');
}

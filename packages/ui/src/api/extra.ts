/**
 * The API routes of issue #11 that GodClient does not have a method for yet (list filters,
 * tasks summary, maintenance), called through `client.call` with the shapes of the shared
 * contract. Once the client gains them, these become one-line forwards.
 */
import type { GodClient } from '@god/client';
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

/** Counts of an array job's tasks by state (tasks not made yet count as pending). */
export interface TaskSummary {
  total: number;
  pending: number;
  held: number;
  scheduled: number;
  running: number;
  suspended: number;
  success: number;
  failed: number;
  killed: number;
  other: number;
}

/** `GET /jobs/{id}/tasks/summary`. */
export function taskSummary(client: GodClient, id: number): Promise<TaskSummary> {
  return client.call('GET', `/jobs/${id}/tasks/summary`);
}

/** `GET /maintenance`. */
export function maintenance(client: GodClient): Promise<{ maintenance: boolean }> {
  return client.call('GET', '/maintenance');
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

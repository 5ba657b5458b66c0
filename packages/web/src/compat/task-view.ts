/** A god job in GO-Docker's task shape, as its CLI and Galaxy's GoDocker runner read it. */
import { BYTES_PER_GB, taskDirOf, TASK_MOUNT, type Job } from '@god/core';
import type { WebContext } from '../context.js';

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** A job in GO-Docker's shape. */
export function goDockerTask(ctx: Pick<WebContext, 'config'>, job: Job): Record<string, unknown> {
  const s = job.status;
  const dir = taskDirOf(ctx.config.shared_dir, job);
  const ended = s.dates.ended !== null;
  return {
    id: job.id,
    user: { id: job.user.id, uid: job.user.uid, gid: job.user.gid, project: job.user.project },
    date: s.dates.submitted / 1000,
    meta: job.meta,
    requirements: {
      cpu: job.requirements.cpu,
      // GO-Docker's RAM is in GB; god keeps bytes.
      ram: job.requirements.ram / BYTES_PER_GB,
      gpus: job.requirements.gpus,
      array: { values: job.requirements.array?.spec ?? null },
      label: job.requirements.label,
      tasks: job.requirements.tasks.map((t) => t.id),
      ports: job.requirements.ports,
      tmpstorage: null,
      executor: job.requirements.executor,
      maxlifespan: job.requirements.maxlifespan,
    },
    container: {
      image: job.container.image,
      root: job.container.root,
      network: true,
      id: null,
      ports: job.placement?.ports ?? [],
      volumes: [
        { name: 'go-docker', path: dir, mount: TASK_MOUNT, acl: 'rw' },
        ...job.container.volumes.map((v) => ({
          name: v.name,
          acl: v.acl,
          path: null,
          mount: null,
        })),
      ],
      meta:
        job.placement === null && !ended
          ? null
          : {
              Node: { Name: job.placement?.host ?? null },
              ...(ended && { State: { ExitCode: s.exitcode ?? -1 } }),
            },
    },
    command: job.command,
    status: {
      primary: s.primary,
      secondary: s.secondary,
      reason: s.reason,
      exitcode: s.exitcode,
      ...(s.dates.started !== null && { date_running: seconds(s.dates.started) }),
      date_over: seconds(s.dates.ended),
    },
  };
}

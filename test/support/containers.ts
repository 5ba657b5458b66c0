/**
 * Cleanup of the containers god's docker executor leaves on the test dockerd: every test that
 * runs an agent removes, at its end, the containers of its own executor host (label god.host),
 * so that files sharing the one test dockerd never see each other's containers.
 */
import Docker from 'dockerode';

/** A dockerode client of `unix:///…/docker.sock` (the test dockerd's `dockerHost`). */
export function dockerOf(dockerHost: string): Docker {
  return new Docker({ socketPath: new URL(dockerHost).pathname });
}

/** Force-removes every god job container of executor host `hostName` (errors ignored). */
export async function removeJobContainers(dockerHost: string, hostName: unknown): Promise<void> {
  const docker = dockerOf(dockerHost);
  const left = await docker.listContainers({ all: true, filters: { label: ['god.job'] } });
  await Promise.all(
    left
      .filter((c) => c.Labels['god.host'] === hostName)
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
  );
}

/**
 * Images: found locally, or pulled (with the configured registry's credentials) when allowed.
 * Credentials go to the daemon only: they never appear in logs, errors or containers.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { GodError } from '@god/core';
import type { DockerExecutorConfig } from './config.js';
import { isNotFound, isUnreachable, messageOf } from './docker-errors.js';

type Registry = DockerExecutorConfig['registries'][number];

const DOCKER_HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The registry an image reference names (`docker.io` when it names none). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return isHost ? normaliseServer(first) : DOCKER_HUB;
}

/** A registry server as written in settings, reduced to its host[:port]. */
export function normaliseServer(server: string): string {
  const host = server.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The image with `:latest` when it has neither tag nor digest (a bare name pulls every tag). */
export function withTag(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

/** The credentials configured for `image`'s registry, if any. */
export function authFor(image: string, registries: readonly Registry[]): Registry | undefined {
  const wanted = registryOf(image);
  return registries.find((r) => normaliseServer(r.server) === wanted);
}

/**
 * Makes sure `image` is on the daemon: pulls it when missing and `pull` allows. A missing image
 * that cannot be had is a non-retryable GodError `image X not found`; an unreachable daemon or
 * registry is thrown as is (retryable).
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  settings: Pick<DockerExecutorConfig, 'pull' | 'registries'>,
): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const notFound = (): GodError => new GodError('NOT_FOUND', `image ${image} not found`);
  if (settings.pull === 'never') throw notFound();
  const auth = authFor(image, settings.registries);
  try {
    const options = auth === undefined ? {} : { authconfig: authConfig(auth) };
    const stream = (await docker.pull(withTag(image), options)) as Readable;
    await drainPull(stream);
  } catch (err) {
    if (isUnreachable(err)) throw err;
    if (
      isNotFound(err) ||
      /not found|manifest unknown|does not exist|access denied/i.test(messageOf(err))
    )
      throw notFound();
    throw new GodError('UNAVAILABLE', `pulling image ${image} failed: ${messageOf(err)}`, {
      retryable: true,
    });
  }
}

function authConfig(r: Registry): { username: string; password: string; serveraddress: string } {
  return { username: r.username, password: r.password, serveraddress: r.server };
}

/** Reads a pull's progress stream to its end; a progress line with an error fails it. */
function drainPull(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let failure: string | null = null;
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        failure ??= progressError(line);
      }
    });
    stream.once('error', reject);
    stream.once('end', () => {
      failure ??= progressError(buffer.trim());
      if (failure === null) resolve();
      else reject(new Error(failure));
    });
  });
}

function progressError(line: string): string | null {
  if (line === '') return null;
  try {
    const obj = JSON.parse(line) as { error?: unknown };
    return typeof obj.error === 'string' ? obj.error : null;
  } catch {
    return null;
  }
}

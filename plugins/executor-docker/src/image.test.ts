/** Image references: which registry's credentials apply, and the tag a pull uses. */
import { describe, expect, it } from 'vitest';
import { authFor, normaliseServer, registryOf, withTag } from './image.js';

const registries = [
  { server: 'https://index.docker.io/v1/', username: 'hub', password: 'p1' },
  { server: 'registry.example.org:5000', username: 'corp', password: 'p2' },
];

describe('registryOf', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['library/busybox:1', 'docker.io'],
    ['user/app', 'docker.io'],
    ['registry.example.org:5000/team/app:2', 'registry.example.org:5000'],
    ['localhost/app', 'localhost'],
    ['docker.io/library/busybox', 'docker.io'],
  ])('%s is on %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });
});

describe('authFor', () => {
  it('finds the credentials of the image registry, Docker Hub aliases included', () => {
    expect(authFor('busybox', registries)?.username).toBe('hub');
    expect(authFor('registry.example.org:5000/app', registries)?.username).toBe('corp');
    expect(authFor('quay.io/app', registries)).toBeUndefined();
    expect(normaliseServer('https://registry-1.docker.io')).toBe('docker.io');
  });
});

describe('withTag', () => {
  it('adds :latest only when there is neither tag nor digest', () => {
    expect(withTag('busybox')).toBe('busybox:latest');
    expect(withTag('busybox:1.36')).toBe('busybox:1.36');
    expect(withTag('host:5000/app')).toBe('host:5000/app:latest');
    expect(withTag('app@sha256:abc')).toBe('app@sha256:abc');
  });
});

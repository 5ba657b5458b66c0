import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The unit projects (`unit`, and `unit-ui` for the web UI's components): pure logic that needs
 * no service (no Redis, store, dockerd, slapd), no root and no network, so `npm run test:unit`
 * runs anywhere in seconds. A test file belongs here by
 * being listed below; everything else is the integration project, so a file missing from the
 * list is still run by `npm test`, only with the services.
 */
const UNIT = [
  'packages/core/src/**/*.test.ts',
  'packages/testkit/src/**/*.test.ts',
  'packages/agent/src/limiter.test.ts',
  'packages/agent/src/topology/*.test.ts',
  'packages/cli/src/client.test.ts',
  'packages/cli/src/tty.test.ts',
  'packages/cli/src/visible.test.ts',
  'packages/coord/src/keys.test.ts',
  'packages/scheduler/src/pending-tally.test.ts',
  'packages/scheduler/src/placement/*.test.ts',
  'packages/watcher/src/lost-hosts.test.ts',
  'plugins/auth-ldap/src/search.test.ts',
  'plugins/auth-ldap/src/settings.test.ts',
  'plugins/auth-local/src/*.test.ts',
  'plugins/executor-docker/src/config.test.ts',
  'plugins/executor-docker/src/image.test.ts',
  'plugins/executor-docker/src/report.test.ts',
  'plugins/executor-docker/src/spec.test.ts',
  'plugins/executor-fake/src/*.test.ts',
  'plugins/policy-fairshare/src/*.test.ts',
  'plugins/policy-fifo/src/*.test.ts',
  'plugins/watcher-maxlifespan/src/*.test.ts',
  // The web UI's pure logic (its components are the unit-ui project's).
  'packages/ui/src/**/*.test.ts',
];

/** The web UI's component tests (React in happy-dom): unit tests too, no services. */
const UNIT_UI = ['packages/ui/src/**/*.test.tsx'];

const ALL = ['packages/*/src/**/*.test.ts', 'plugins/*/src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under the "source" condition,
    // so tests run against src/ without a build step.
    conditions: ['source'],
    // react-aria-components (the web UI's) also declares a "source" condition, naming files it
    // does not publish: it is resolved as Node resolves it.
    alias: [
      {
        find: /^react-aria-components$/,
        replacement: fileURLToPath(import.meta.resolve('react-aria-components')),
      },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Only the unit project uses threads. Vitest 3 reads this per pool, not per project, so it
    // stands here: pure logic shares no state between files, and one pool without per-file
    // isolation runs them all in a few seconds instead of twenty.
    poolOptions: { threads: { isolate: false } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT,
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-ui',
          include: UNIT_UI,
          environment: 'happy-dom',
          // One process per file, isolated: React, react-aria and Testing Library keep state
          // per document, and each file gets its own happy-dom document.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ALL,
          // The adversarial suite has its own run (vitest.security.config.ts, npm run test:security).
          exclude: [...configDefaults.exclude, ...UNIT, ...UNIT_UI, 'test/security/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});

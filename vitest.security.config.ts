import { defineConfig } from 'vitest/config';

/**
 * The adversarial suite (`npm run test:security`): a real `god web` attacked over loopback by
 * two users, an administrator and strangers. Kept apart from `npm test` because it is slow and
 * loads the machine; CI runs both.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['test/security/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One attack at a time: each file loads the machine on purpose, and measures it.
    fileParallelism: false,
  },
});

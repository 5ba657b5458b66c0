#!/usr/bin/env node
/**
 * Composition root of the workstation build of `god` (scripts/bundle-cli.ts bundles it, with
 * what it imports, into packages/cli/dist/god-cli.mjs): no roles, so no logger or signals.
 */
import { runClientCli } from './client.js';
import { CliError } from './errors.js';
import { processContext, runMain } from './entry.js';

// Only roles use these, and this build has none (its server-side commands are stubs).
const noRoles = (): never => {
  throw new CliError('this god is the workstation build: it runs no roles');
};

runMain(runClientCli, {
  ...processContext(),
  roles: { logger: noRoles, untilSignal: noRoles, onReload: noRoles },
});

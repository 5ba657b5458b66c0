/**
 * The Store contract: one suite every adapter must pass, run against a real database by each
 * adapter's test file. Each test gets a fresh, empty database from `makeStore`.
 */
import { describe } from 'vitest';
import { describeDirectory, describeLedger } from './contract-accounts.js';
import { describeBrowse } from './contract-browse.js';
import { describeFence } from './contract-fence.js';
import { useFixture, type MakeStore } from './contract-fixtures.js';
import { describeCounters, describeInsert } from './contract-jobs.js';
import { describeApiKeys, describeUpdateJob } from './contract-keys.js';
import { describeList } from './contract-list.js';
import { describeMany } from './contract-many.js';
import {
  describeCas,
  describeConcurrency,
  describeEdges,
  describeLifecycle,
} from './contract-transitions.js';

export type { MakeStore, StoreFixture } from './contract-fixtures.js';

/** Registers the whole Store contract suite for the adapter `name`. */
export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const fixture = useFixture(makeStore);
    describeInsert(fixture);
    describeCounters(fixture);
    describeList(fixture);
    describeBrowse(fixture);
    describeEdges(fixture);
    describeLifecycle(fixture);
    describeCas(fixture);
    describeConcurrency(fixture);
    describeMany(fixture);
    describeFence(fixture);
    describeDirectory(fixture);
    describeLedger(fixture);
    describeApiKeys(fixture);
    describeUpdateJob(fixture);
  });
}

/**
 * The one contract suite for the EventStore port. Every adapter's test file runs it against its
 * own engine, so that all of them provably share the semantics documented in docs/event-store.md:
 *
 *   import t from 'tap';
 *   import { runEventStoreContract } from '@timebank/event-store/contract';
 *   runEventStoreContract(t, { name: 'sqlite', create: async () => createSqliteEventStore({ path }) });
 *
 * Each test gets a fresh empty store from `harness.create()` (with the default limits) and closes
 * it when done. The suite takes seconds, not minutes, on an embedded engine.
 */
import { appendContract } from './append-tests.js';
import { claimContract } from './claim-tests.js';
import { concurrencyContract } from './concurrency-tests.js';
import type { ContractHarness, Tap } from './fixtures.js';
import { limitsContract } from './limits-tests.js';
import { readContract } from './read-tests.js';
import { subscriptionContract } from './subscription-tests.js';

export type { ContractHarness, Tap } from './fixtures.js';
export { newEvent } from './fixtures.js';

/** Registers the whole contract as subtests of `t`, named after the harness. */
export function runEventStoreContract(t: Tap, harness: ContractHarness): void {
  void t.test(`event store contract: ${harness.name}`, async (t) => {
    appendContract(t, harness);
    concurrencyContract(t, harness);
    readContract(t, harness);
    subscriptionContract(t, harness);
    limitsContract(t, harness);
    claimContract(t, harness);
  });
}

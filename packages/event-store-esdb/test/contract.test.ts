/**
 * The one contract suite, against a real KurrentDB / EventStoreDB named by ESDB_URL (for example
 * `esdb://localhost:2113?tls=false`; see infra/kurrentdb/README.md). Skips with a printed reason
 * when ESDB_URL is unset.
 *
 * One server cannot be emptied between tests, so every store gets a fresh random namespace: its
 * streams are `<namespace>.<stream>` and its reads, subscriptions and head position see nothing
 * else, which makes it the "fresh, empty store" the suite asks for.
 */
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { runEventStoreContract } from '@timebank/event-store/contract';
import { requireServerUrl } from '@timebank/event-store/testing';
import { createEsdbEventStore, type EsdbEventStore } from '../src/index.js';

const url = requireServerUrl('ESDB_URL');
if (url !== undefined) {
  runEventStoreContract(t, {
    name: 'esdb',
    async create() {
      return createEsdbEventStore({ connectionString: url, namespace: `t${randomBytes(6).toString('hex')}` });
    },
    async disconnectSubscriptions(store) {
      await (store as EsdbEventStore).disconnectSubscriptions();
    },
  });
}

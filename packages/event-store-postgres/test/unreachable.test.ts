/**
 * PostgreSQL going away under an open store (a restart, a failover, a network cut), played by a
 * TCP proxy in front of the real server that the test shuts: reads then fail with the port's
 * `STORE_UNAVAILABLE`, as appends already did, rather than with the driver's raw socket error
 * (which the API answered as a 500), and work again once the server is back.
 */
import t from 'tap';
import { EventStoreError } from '@timebank/event-store';
import { requireServerUrl } from '@timebank/event-store/testing';
import { cuttableProxy } from '../src/testing/index.js';
import { newEvent, openStore } from './helpers.js';

const url = requireServerUrl('POSTGRES_URL');

t.test(
  'reads fail with STORE_UNAVAILABLE while PostgreSQL is unreachable, and recover',
  { skip: url === undefined ? 'POSTGRES_URL is not set' : false },
  async (t) => {
    const proxy = await cuttableProxy(t, new URL(url!));
    const through = new URL(url!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    const store = await openStore(t, through.toString());
    await store.appendToStream('thing-1', [newEvent()], { expectedRevision: 'no_stream' });

    await proxy.cut();
    const reads = {
      readStream: () => store.readStream('thing-1'),
      readAll: () => store.readAll(),
      headPosition: () => store.headPosition(),
      readIdempotencyClaim: () => store.readIdempotencyClaim('ab'.repeat(32)),
    };
    for (const [name, read] of Object.entries(reads)) {
      const error: unknown = await read().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      t.ok(error instanceof EventStoreError, `${name}: an EventStoreError`);
      t.equal((error as EventStoreError).code, 'STORE_UNAVAILABLE', `${name}: STORE_UNAVAILABLE`);
    }

    await proxy.restore();
    t.equal((await store.readStream('thing-1')).length, 1, 'reads work again once the server is back');
  },
);

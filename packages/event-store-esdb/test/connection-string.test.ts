import { EventStoreDBClient } from '@eventstore/db-client';
import t from 'tap';
import { clientConnectionString } from '../src/connection-string.js';

t.test('kurrentdb:// schemes are translated for the client; esdb:// ones pass unchanged', async (t) => {
  t.equal(clientConnectionString('kurrentdb://127.0.0.1:2113?tls=false'), 'esdb://127.0.0.1:2113?tls=false');
  t.equal(
    clientConnectionString('kurrentdb+discover://admin:changeit@a:2113,b:2113?nodePreference=leader'),
    'esdb+discover://admin:changeit@a:2113,b:2113?nodePreference=leader',
  );
  t.equal(clientConnectionString('esdb://h:2113'), 'esdb://h:2113');
  t.equal(clientConnectionString('esdb+discover://h:2113'), 'esdb+discover://h:2113');
  t.equal(clientConnectionString('esdb://kurrentdb://'), 'esdb://kurrentdb://', 'only a leading scheme');
});

t.test('the client accepts what the translation gives, and still refuses kurrentdb:// itself', async (t) => {
  t.throws(() => EventStoreDBClient.connectionString('kurrentdb://127.0.0.1:1?tls=false'));
  for (const url of ['kurrentdb://127.0.0.1:1?tls=false', 'kurrentdb+discover://127.0.0.1:1?tls=false']) {
    const client = EventStoreDBClient.connectionString(clientConnectionString(url));
    await client.dispose();
  }
});

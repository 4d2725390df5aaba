import t from 'tap';
import { parseConfig } from '../src/config.js';

t.test('the relay runs on EventStoreDB like the API: LEDGER_STORE=esdb with ESDB_URL', async (t) => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092', LEDGER_STORE: 'esdb' };
  t.same(parseConfig({ ...base, ESDB_URL: 'kurrentdb://h:2113?tls=false' }).store, {
    engine: 'esdb',
    url: 'kurrentdb://h:2113?tls=false',
  });
  t.throws(() => parseConfig(base), { message: /ESDB_URL: is required when LEDGER_STORE=esdb/ });
  t.throws(() => parseConfig({ ...base, ESDB_URL: 'http://h' }), { message: /ESDB_URL: must be an esdb/ });
});

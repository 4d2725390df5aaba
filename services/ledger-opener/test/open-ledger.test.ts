import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  EVENT_STORE_FILE,
  isLedgerOpenError,
  openEventStore,
  openLedger,
  READ_MODELS_FILE,
} from '../src/index.js';

function temporaryDirectory(t: Test): string {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-opener-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

t.test(
  'SQLite: the store and the read models are opened under their names in the data directory',
  async (t) => {
    const dataDir = join(temporaryDirectory(t), 'data');
    const opened = await openLedger({ engine: 'sqlite', dataDir });
    t.equal(await opened.store.headPosition(), 0n);
    await opened.close();
    t.ok(existsSync(join(dataDir, EVENT_STORE_FILE)));
    t.ok(existsSync(join(dataDir, READ_MODELS_FILE)));
  },
);

t.test('mustExist refuses to create an empty SQLite store', async (t) => {
  const dataDir = temporaryDirectory(t);
  const error: unknown = await openLedger({ engine: 'sqlite', dataDir }, { mustExist: true }).catch(
    (caught: unknown) => caught,
  );
  t.ok(isLedgerOpenError(error) && error.reason === 'missing', 'a LedgerOpenError, reason missing');
  t.match(String(error), /no event store at .*ledger\.sqlite/);
  t.notOk(existsSync(join(dataDir, EVENT_STORE_FILE)), 'nothing was created');
});

t.test('an unreachable EventStoreDB fails at opening, naming the store', async (t) => {
  const url = 'kurrentdb://admin:secret@127.0.0.1:1?tls=false';
  const error: unknown = await openEventStore({ engine: 'esdb', url }).catch((caught: unknown) => caught);
  t.ok(isLedgerOpenError(error) && error.reason === 'unreachable', 'a LedgerOpenError, reason unreachable');
  t.match(String(error), 'cannot reach the event store (esdb at kurrentdb://127.0.0.1:1?tls=false)');
  t.notMatch(String(error), /secret/, 'credentials are not repeated');
});

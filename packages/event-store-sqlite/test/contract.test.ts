import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runEventStoreContract } from '@timebank/event-store/contract';
import { createSqliteEventStore } from '../src/index.js';

// One temp directory for the file, one database per test, so that every test starts empty.
const directory = mkdtempSync(join(tmpdir(), 'timebank-sqlite-contract-'));
t.teardown(() => rmSync(directory, { recursive: true, force: true }));
let stores = 0;

runEventStoreContract(t, {
  name: 'sqlite',
  create: async () => {
    stores += 1;
    return createSqliteEventStore({ path: join(directory, `store-${stores}.db`) });
  },
});

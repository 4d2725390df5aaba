/**
 * What every erasure test checks once the data key is destroyed: the ledger still verifies end to
 * end and still rebuilds, because erasure removes a key, never an event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { openReadModels } from '@timebank/ledger-opener';
import { rebuildReadModels, verifyLedger } from '@timebank/projections';
import type { World } from './fixtures.js';

/**
 * The audit chain over HTTP, `verifyLedger` against the live read models, and a full rebuild into
 * a fresh directory all pass. Read models opened here are closed at the test's teardown.
 */
export async function checkLedgerAfterErasure(t: Test, w: World): Promise<void> {
  const chain = await w.get('/v1/audit/verify', w.auditor);
  t.match(chain.json(), { ok: true }, 'the hash chain and the catalogue check pass');
  const liveModels = await openReadModels({ engine: 'sqlite', dataDir: w.directory });
  t.teardown(() => liveModels.close());
  const report = await verifyLedger({ store: w.store, db: liveModels });
  t.same(report.findings, [], 'verify (chain, schemas, replayed read models) passes after erasure');
  const rebuildDirectory = mkdtempSync(join(tmpdir(), 'timebank-rebuild-'));
  const rebuilt = await openReadModels({ engine: 'sqlite', dataDir: rebuildDirectory });
  t.teardown(async () => {
    await rebuilt.close();
    rmSync(rebuildDirectory, { recursive: true, force: true });
  });
  await rebuildReadModels({ store: w.store, db: rebuilt });
  t.pass('rebuild passes after erasure');
}

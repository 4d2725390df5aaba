import t from 'tap';
import { BatchApplier } from '../src/applier.js';
import { replayInto, type ReplayProgress } from '../src/audit/replay.js';
import { DEFAULT_LEDGER_RULES } from '@timebank/domain';
import { projectionRules } from '../src/handlers/index.js';
import { SHADOW_PREFIX } from '../src/tables.js';
import { sqliteHarness } from './harness.js';
import { seedScenario } from './scenario.js';

t.test('progress is reported only once events are applied: never "0 events, ETA ?"', async (t) => {
  const engine = await sqliteHarness.create();
  t.teardown(() => engine.close());
  const { last } = await seedScenario(engine.store);
  const prefix = SHADOW_PREFIX;
  const applier = new BatchApplier(engine.db, prefix, {
    rules: projectionRules(DEFAULT_LEDGER_RULES),
    freshTableSet: true,
  });
  await engine.db.dropTableSet(prefix);
  await applier.open();
  const reports: ReplayProgress[] = [];
  // One event per page, all gathered into one batch: every page is read before any is applied.
  const result = await replayInto(engine.store, applier, {
    pageEvents: 1,
    batchEventsMax: 1_000_000,
    progressIntervalMs: 0,
    onProgress: (progress) => reports.push(progress),
  });
  t.equal(result.position, last);
  t.ok(reports.length >= 1, 'the final report is always made');
  t.same(
    reports.filter((report) => report.events === 0),
    [],
    'no report before the first batch is applied',
  );
  t.match(reports.at(-1), { events: Number(last), position: last });
});

import t from 'tap';
import type { Row, TableSpec } from '../src/tables.js';
import { joinKey, WorkingSet } from '../src/working-set.js';

const record = (volunteerId: string, recordId: string): Row => ({
  volunteer_id: volunteerId,
  record_id: recordId,
  status: 'pending',
});

t.test(
  'a bulk load with a synchronous loader looks up a dropped row at the miss, and only then',
  async (t) => {
    const ws = new WorkingSet(true);
    const lookups: { table: string; parts: readonly string[] }[] = [];
    const stored = new Map<string, Row>();
    ws.loadDroppedWith((table: TableSpec, parts) => {
      lookups.push({ table: table.name, parts });
      return stored.get(parts.join('|'));
    });
    for (let index = 0; index < 10; index += 1) {
      ws.records.put(joinKey('v1', `r${index}`), record('v1', `r${index}`));
    }
    const written = ws.takeColdest(4);
    t.equal(written[0]?.rows.length, 6, 'the six oldest records leave memory');
    for (const row of written[0]?.rows ?? []) stored.set(`${row.volunteer_id}|${row.record_id}`, row);
    t.notOk(ws.needsLookups(), 'no event has to name its rows beforehand');

    t.equal(ws.records.get(joinKey('v1', 'r9'))?.record_id, 'r9', 'a row still in memory');
    t.equal(ws.records.get(joinKey('v1', 'new')), undefined, 'a key never dropped is new');
    t.same(lookups, [], 'neither needed a lookup');

    const reloaded = ws.records.get(joinKey('v1', 'r2'));
    t.equal(reloaded?.record_id, 'r2', 'a dropped row comes back from the loader');
    t.same(lookups, [{ table: 'service_record', parts: ['v1', 'r2'] }], 'looked up once, by its key parts');
    t.equal(ws.records.get(joinKey('v1', 'r2')), reloaded, 'and stays in memory afterwards');
    t.equal(lookups.length, 1, 'without a second lookup');
    t.equal(ws.rowCount(), 5, 'counted against the budget again');
  },
);

t.test('without a synchronous loader, dropped rows must be named and loaded first', async (t) => {
  const ws = new WorkingSet(true);
  ws.records.put(joinKey('v1', 'r1'), record('v1', 'r1'));
  ws.records.put(joinKey('v1', 'r2'), record('v1', 'r2'));
  ws.takeColdest(1);
  t.ok(ws.needsLookups(), 'a miss may now be a stored row');
  t.equal(ws.records.get(joinKey('v1', 'r1')), undefined, 'get alone does not look it up');
  ws.records.want(joinKey('v1', 'r1'), ['v1', 'r1']);
  await ws.prefetch(async (_table, keys) =>
    keys.map(([volunteerId, recordId]) => record(volunteerId ?? '', recordId ?? '')),
  );
  t.equal(ws.records.get(joinKey('v1', 'r1'))?.record_id, 'r1', 'prefetch brought it back');
});

t.test('only a working set that started empty takes a synchronous loader', async (t) => {
  t.throws(() => new WorkingSet(false).loadDroppedWith(() => undefined), /did not start empty/);
});

t.test(
  'a bulk load keeps the write-once fact rows in order, without keys, and refuses to read them',
  async (t) => {
    const ws = new WorkingSet(true);
    ws.appendWriteOnceRows();
    const fact = (position: number): Row => ({ position: String(position), community: 'c1' });
    for (let position = 1; position <= 10; position += 1)
      ws.communityFacts.put(String(position), fact(position));
    t.equal(ws.rowCount(), 10, 'fact rows count against the budget');
    const written = ws.takeColdest(4);
    const facts = written.find((change) => change.table.name === 'community_fact');
    t.same(
      facts?.rows.map((row) => row.position),
      ['1', '2', '3', '4', '5', '6'],
      'the oldest facts leave memory first, in the order they were put',
    );
    t.equal(ws.communityFacts.dropped.added, 0, 'their keys need no filter: nothing reads them back');
    t.notOk(ws.needsLookups(), 'and no event has to name its rows beforehand');
    t.throws(() => ws.communityFacts.get('7'), /only appended/, 'a read is refused, not answered wrongly');
    const rest = ws.takeChanges().find((change) => change.table.name === 'community_fact');
    t.same(
      rest?.rows.map((row) => row.position),
      ['7', '8', '9', '10'],
      'the rest at the end',
    );
    t.equal(ws.rowCount(), 0, 'and the list is empty afterwards');
    t.throws(() => new WorkingSet(false).appendWriteOnceRows(), /did not start empty/);
  },
);

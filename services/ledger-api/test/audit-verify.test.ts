/**
 * `GET /v1/audit/verify` on a ledger that was tampered with behind the API's back: one byte of one
 * stored event changed, and one event deleted from the middle of a stream. The route must name
 * exactly that stream and revision, over the whole log and over the one stream.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { startWorld, type World } from './fixtures.js';
import { problemOf } from './harness.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

interface Report {
  ok: boolean;
  eventsChecked: number;
  failures: { kind: string; streamName: string; revision: string; reason: string }[];
  failureCount: number;
}

async function verify(world: World, streamName?: string): Promise<Report> {
  const query = streamName === undefined ? '' : `?streamName=${streamName}`;
  const response = await world.get(`/v1/audit/verify${query}`, world.auditor);
  if (response.statusCode !== 200)
    throw new Error(`verify answered ${response.statusCode}: ${response.body}`);
  return response.json<Report>();
}

t.test('the verify route names a changed byte and a missing event by stream and revision', async (t) => {
  const world = await startWorld(t);
  const volunteerId = await world.registerVolunteer(7);
  await world.earn(volunteerId, 2, 30);
  const stream = `volunteer-${volunteerId}`;
  t.match(await verify(world), { ok: true, failures: [], failureCount: 0 }, 'the untouched ledger verifies');

  const raw = new Database(join(world.directory, EVENT_STORE_FILE));
  t.teardown(() => raw.close());
  const select = raw.prepare(
    'SELECT data FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = ?) AND revision = ?',
  );
  const update = raw.prepare(
    'UPDATE events SET data = ? WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = ?) AND revision = ?',
  );
  const original = (select.get(stream, 0) as { data: string }).data;
  // The name is stored sealed (docs/privacy.md), so the community is the plain text to change.
  const at = original.indexOf('"community":"c1"') + '"community":"'.length;
  t.ok(at > '"community":"'.length, 'the registration stores the community');
  // 'c' (0x63) XOR 1 is 'b': one bit of one byte, and still valid JSON and a valid community.
  const flipped = original.slice(0, at) + 'b' + original.slice(at + 1);
  update.run(flipped, stream, 0);

  const changed = [
    { kind: 'hash-chain', streamName: stream, revision: '0', reason: 'stored hash does not match content' },
  ];
  const tampered = await verify(world);
  t.equal(tampered.ok, false, 'a changed byte fails verification');
  t.same(tampered.failures, changed, 'exactly that stream and revision');
  t.equal(tampered.failureCount, 1);
  t.same((await verify(world, stream)).failures, changed, 'also when verifying that one stream');
  update.run(original, stream, 0);
  t.match(await verify(world), { ok: true }, 'restoring the byte restores the chain');

  raw
    .prepare(
      'DELETE FROM events WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = ?) AND revision = 1',
    )
    .run(stream);
  const missing = [
    { kind: 'hash-chain', streamName: stream, revision: '1', reason: 'revision 1 is missing' },
  ];
  const gap = await verify(world);
  t.equal(gap.ok, false, 'a deleted event fails verification');
  t.same(gap.failures, missing, 'the gap is named, and nothing else');
  t.same((await verify(world, stream)).failures, missing, 'also when verifying that one stream');
});

t.test('the verify route checks every event against the event catalogue', async (t) => {
  const world = await startWorld(t);
  const raw = new Database(join(world.directory, EVENT_STORE_FILE));
  t.teardown(() => raw.close());
  // A type renamed in place changes the hash too; the schema finding says what is wrong with it.
  raw
    .prepare(
      "UPDATE events SET type = 'ApiKeyForged' WHERE stream_id = (SELECT stream_id FROM streams WHERE stream_name = 'access-keys') AND revision = 0",
    )
    .run();
  const report = await verify(world, 'access-keys');
  t.equal(report.ok, false);
  t.match(report.failures, [
    { kind: 'hash-chain', streamName: 'access-keys', revision: '0' },
    { kind: 'schema', streamName: 'access-keys', revision: '0', reason: 'unknown event type "ApiKeyForged"' },
  ]);
});

t.test('verifying a stream that holds no events is 404 STREAM_NOT_FOUND, not ok', async (t) => {
  const world = await startWorld(t);
  const volunteerId = await world.registerVolunteer(7);
  // One character off a real stream name: the auditor's typo must not read as a verified stream.
  const response = await world.get(`/v1/audit/verify?streamName=volunteer-${volunteerId}x`, world.auditor);
  t.equal(response.statusCode, 404, response.body);
  const problem = problemOf(t, response);
  t.equal(problem.code, 'STREAM_NOT_FOUND');
  t.equal(problem.detail, `no stream volunteer-${volunteerId}x: nothing to verify`);
  t.match(
    await verify(world, `volunteer-${volunteerId}`),
    { ok: true, eventsChecked: 1 },
    'the real one verifies',
  );
  t.match(await verify(world), { ok: true }, 'and so does the whole log');
});

t.test(
  'reading a stream that holds no events is 404 STREAM_NOT_FOUND; past its end is an empty page',
  async (t) => {
    const world = await startWorld(t);
    const volunteerId = await world.registerVolunteer(8);
    const typo = await world.get(`/v1/audit/streams/volunteer-${volunteerId}x`, world.auditor);
    t.equal(typo.statusCode, 404, typo.body);
    t.equal(problemOf(t, typo).code, 'STREAM_NOT_FOUND');
    t.equal(problemOf(t, typo).detail, `no stream volunteer-${volunteerId}x`);
    const typoLater = await world.get(
      `/v1/audit/streams/volunteer-${volunteerId}x?fromRevision=5`,
      world.auditor,
    );
    t.equal(typoLater.statusCode, 404, 'not found from any revision');
    const real = await world.get(`/v1/audit/streams/volunteer-${volunteerId}`, world.auditor);
    t.equal(real.statusCode, 200, real.body);
    t.equal(real.json<{ events: unknown[] }>().events.length, 1);
    const pastEnd = await world.get(
      `/v1/audit/streams/volunteer-${volunteerId}?fromRevision=1`,
      world.auditor,
    );
    t.equal(pastEnd.statusCode, 200, 'a real stream read past its end is an empty page');
    t.same(pastEnd.json(), { streamName: `volunteer-${volunteerId}`, events: [], nextFromRevision: null });
  },
);

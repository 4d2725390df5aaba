/**
 * A bulk activity validates every volunteer's record, then writes them one stream at a time. A
 * concurrent write to a volunteer between the two (here: another record overlapping the activity,
 * landing while the bulk writes its first volunteer) makes that volunteer's write fail. The answer
 * used to be the bare domain refusal (422 SERVICE_RECORD_OVERLAP), not saying that the first
 * volunteer's record had been written; now it names the refused line, the records written before
 * it, and says that nothing after it was.
 */
import t from 'tap';
import type { EventStore } from '@timebank/event-store';
import { withAppend } from '../src/http/store-wrapper.js';
import { hoursAgo, startWorld } from './fixtures.js';
import { problemOf } from './harness.js';

t.test('a bulk write refused half-way says which records were written', async (t) => {
  let beforeAppend: { stream: string; run: () => Promise<unknown> } | null = null;
  const wrapStore = (store: EventStore): EventStore =>
    withAppend(store, async (stream, events, options) => {
      const hook = beforeAppend;
      if (hook !== null && stream === hook.stream) {
        beforeAppend = null;
        await hook.run();
      }
      return store.appendToStream(stream, events, options);
    });
  const w = await startWorld(t, {}, { wrapStore });
  const first = await w.registerVolunteer(6001);
  const second = await w.registerVolunteer(6002);
  const activity = {
    activity: 'Spring clean-up',
    organisationId: 'org1',
    startAt: hoursAgo(30),
    endAt: hoursAgo(28),
  };
  // Right before the bulk writes the first volunteer, another request records overlapping
  // service for the second one.
  let raced = 0;
  beforeAppend = {
    stream: `volunteer-${first}`,
    run: async () => {
      const response = await w.post(`/v1/volunteers/${second}/service-records`, w.organiser, {
        ...activity,
        activity: 'Library duty',
      });
      raced = response.statusCode;
    },
  };
  const bulk = await w.post(
    '/v1/activities',
    w.organiser,
    { ...activity, volunteerIds: [first, second] },
    'bulk-race',
  );
  t.equal(raced, 201, 'the racing record was written');
  t.equal(bulk.statusCode, 422, bulk.body);
  const problem = problemOf(t, bulk);
  t.equal(problem.code, 'SERVICE_RECORD_OVERLAP', 'the domain code of the refusal');
  t.same(
    problem.errors?.map((issue) => issue.field),
    ['body.volunteerIds.1'],
    'the refused line',
  );
  const history = await w.get(`/v1/volunteers/${first}/history`, w.admin);
  const recorded = history
    .json<{ events: { type: string; data: { recordId?: string } }[] }>()
    .events.find((event) => event.type === 'ServiceHoursRecorded');
  t.ok(recorded?.data.recordId, "the first volunteer's record was written");
  t.match(problem.detail, `volunteer ${first} (record ${recorded?.data.recordId})`);
  t.match(problem.detail, /nothing after it/);
  t.match(problem.detail, /same Idempotency-Key/);
});

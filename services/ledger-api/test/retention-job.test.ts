/**
 * Retention as a scheduler job, with an injected clock: a deactivated volunteer is erased by the
 * scheduler's `retention-erasure` job once LEDGER_RETENTION_DAYS have passed, not a day before;
 * a repeated run stores nothing more; the erasure goes on the erasure list; an active volunteer
 * is never erased.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERASED_TEXT } from '@timebank/domain';
import { ERASURE_LIST_FILE } from '@timebank/ledger-opener';
import { startWorld } from './fixtures.js';

const DAY_MS = 86_400_000;

t.test('the scheduler erases a deactivated volunteer once the retention period has passed', async (t) => {
  let nowMs = Date.now();
  const w = await startWorld(t, { LEDGER_RETENTION_DAYS: '30' }, { clock: () => nowMs });
  const leaving = await w.registerVolunteer(8101);
  const staying = await w.registerVolunteer(8102);
  await w.earn(leaving, 2, 30);
  const deactivated = await w.post(`/v1/volunteers/${leaving}/deactivate`, w.desk, { reason: 'moved away' });
  t.equal(deactivated.statusCode, 200, deactivated.body);
  const before = (await w.get(`/v1/volunteers/${leaving}`, w.desk)).json<Record<string, unknown>>();
  const scheduler = w.ledgerClock.scheduler;

  nowMs += 29 * DAY_MS;
  t.equal((await scheduler.tick()).effects['retention-erasure'], 0, 'nothing is due a day early');
  t.match(await w.personalKeys.store.dataKey(leaving), { state: 'active' });

  nowMs += DAY_MS + 1;
  t.equal((await scheduler.tick()).effects['retention-erasure'], 1, 'due after 30 days: erased');
  t.match(await w.personalKeys.store.dataKey(leaving), { state: 'erased' }, 'the key is destroyed');
  t.match(await w.personalKeys.store.dataKey(staying), { state: 'active' }, 'an active volunteer is kept');
  t.equal((await scheduler.tick()).effects['retention-erasure'], 0, 'a second run erases nothing more');

  const stream = await w.get(`/v1/audit/streams/volunteer-${leaving}?limit=1000`, w.auditor);
  const erasures = stream
    .json<{ events: { type: string; data: Record<string, unknown>; metadata?: Record<string, unknown> }[] }>()
    .events.filter((event) => event.type === 'PersonalDataErased');
  t.equal(erasures.length, 1, 'one erasure event');
  t.match(erasures[0]?.data, { volunteerId: leaving, reason: 'retention_ended' });

  t.ok(await w.projector.waitFor(await w.store.headPosition(), 10_000));
  const after = (await w.get(`/v1/volunteers/${leaving}`, w.desk)).json<Record<string, unknown>>();
  t.equal(after.name, ERASED_TEXT, 'reads show the placeholder');
  t.equal(after.confirmedMinutes, before.confirmedMinutes, 'hours unchanged');
  t.equal(after.availableCentipoints, before.availableCentipoints, 'points unchanged');

  const list = readFileSync(join(w.directory, ERASURE_LIST_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.match(list, [
    { volunteerId: leaving, reason: 'retention_ended', erasedAt: new Date(nowMs).toISOString() },
  ]);
});

/**
 * The volunteer's history joins a redemption's hold and capture into one entry (积分兑换), and
 * leaves a hold pending, released or expired as it was: frozen, then given back.
 */
import t from 'tap';
import type { HistoryEvent } from '../src/web/screens/volunteer-card.js';
import { historyEntries } from '../src/web/screens/volunteer-history.js';

let revision = 0;
const event = (type: string, recordedAt: string, data: Record<string, unknown> = {}): HistoryEvent => {
  revision += 1;
  return { revision: String(revision), type, recordedAt, data };
};
const held = (holdId: string, at: string): HistoryEvent =>
  event('PointsHeld', at, { holdId, partnerId: 'canteen', centipoints: 200, offerId: 'lunch' });
const resolved = (type: string, holdId: string, at: string): HistoryEvent =>
  event(type, at, { holdId, partnerId: 'canteen', centipoints: 200 });

t.test('a redemption at the counter is one entry, its capture', async (t) => {
  const earned = event('PointsEarned', '2026-12-01T02:00:00.000Z', { centipoints: 300 });
  const hold = held('h1', '2026-12-02T04:00:00.010Z');
  const capture = resolved('PointsCaptured', 'h1', '2026-12-02T04:00:00.020Z');
  t.same(historyEntries([earned, hold, capture]), [{ event: earned }, { event: capture }]);
});

t.test('a hold captured later is one entry that says when the points were frozen', async (t) => {
  const hold = held('h2', '2026-12-02T04:00:00.000Z');
  const other = event('ServiceHoursRecorded', '2026-12-02T06:00:00.000Z');
  const capture = resolved('PointsCaptured', 'h2', '2026-12-03T01:00:00.000Z');
  t.same(historyEntries([hold, other, capture]), [
    { event: other },
    { event: capture, heldAt: '2026-12-02T04:00:00.000Z' },
  ]);
});

t.test('a hold released, expired or still pending stays, with what became of it', async (t) => {
  const events = [
    held('h3', '2026-12-02T04:00:00.000Z'),
    resolved('PointsReleased', 'h3', '2026-12-02T05:00:00.000Z'),
    held('h4', '2026-12-02T06:00:00.000Z'),
    resolved('PointsHoldExpired', 'h4', '2026-12-09T06:00:00.000Z'),
    held('h5', '2026-12-10T06:00:00.000Z'),
  ];
  t.same(
    historyEntries(events).map((entry) => entry.event),
    events,
  );
});

t.test('a capture whose hold is not in the history is shown alone', async (t) => {
  const capture = resolved('PointsCaptured', 'h6', '2026-12-03T01:00:00.000Z');
  t.same(historyEntries([capture]), [{ event: capture }]);
});

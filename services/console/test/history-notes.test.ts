/** What the desk's card and the volunteer's history say of an event beyond its name. */
import t from 'tap';
import { eventNotes, type HistoryEvent } from '../src/web/screens/volunteer-card.js';

const event = (type: string, data: Record<string, unknown>): HistoryEvent => ({
  revision: '1',
  type,
  recordedAt: '2026-12-04T18:00:00.000Z',
  data,
});

t.test('points moved are said with their amount, a rejection with its reason', async (t) => {
  t.same(eventNotes(event('PointsEarned', { centipoints: 250 })), ['2.5 分']);
  t.same(eventNotes(event('PointsHeld', { centipoints: 200, holdId: 'h1' })), ['2 分']);
  t.same(eventNotes(event('ServiceHoursRejected', { recordId: 'r1', reason: '时长填错了' })), [
    '说明：时长填错了',
  ]);
  t.same(
    eventNotes(
      event('ServiceHoursRecorded', {
        activity: '陪伴独居老人',
        durationMinutes: 150,
        startAt: '2026-12-04T01:00:00.000Z',
        endAt: '2026-12-04T03:30:00.000Z',
      }),
    ),
    ['陪伴独居老人，2.5 小时（2026年12月4日 09:00–11:30）'],
  );
  t.same(eventNotes(event('ServiceHoursConfirmed', { recordId: 'r1' })), [], 'nothing more to say');
  t.same(
    eventNotes(event('DisputeFiled', { kind: 'not_mine', recordId: 'r1', text: '这次不是我去的。' })),
    ['不是本人的记录：“这次不是我去的。”'],
    "a dispute by its kind and the volunteer's words",
  );
});

t.test('in English, one point is singular', async (t) => {
  const { formatPoints, setLocale } = await import('../src/web/lib/i18n.js');
  // The page's storage and root element, which the language choice writes to.
  const stored = new Map<string, string>();
  Object.assign(globalThis, {
    localStorage: { getItem: (key: string) => stored.get(key) ?? null, setItem: stored.set.bind(stored) },
    document: { documentElement: {} },
  });
  setLocale('en');
  t.teardown(() => setLocale('zh-CN'));
  t.same(eventNotes(event('PointsHeld', { centipoints: 100, holdId: 'h1' })), ['1 point']);
  t.same([0, 150, 200].map(formatPoints), ['0 points', '1.5 points', '2 points']);
});

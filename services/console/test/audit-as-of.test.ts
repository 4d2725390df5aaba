/**
 * The auditor's as-of form asks the API about the past only (it refuses an `at` after now): today
 * at a time still to come, the form's default 23:59, is asked as of now and headed
 * so; an earlier time, or another day, is sent as typed.
 */
import t from 'tap';
import { pastInstant } from '../src/web/screens/audit-as-of.js';

t.test('today at a later time is asked as of now', async (t) => {
  // 2026-06-10 14:30:45 in Asia/Shanghai.
  const nowMs = Date.UTC(2026, 5, 10, 6, 30, 45);
  t.same(pastInstant('2026-06-10', '23:59', nowMs), {
    at: '2026-06-10T06:30:45.000Z',
    when: '2026-06-10 14:30',
  });
  t.same(pastInstant('2026-06-10', '09:15', nowMs), {
    at: '2026-06-10T01:15:00.000Z',
    when: '2026-06-10 09:15',
  });
  t.same(pastInstant('2026-06-09', '23:59', nowMs), {
    at: '2026-06-09T15:59:00.000Z',
    when: '2026-06-09 23:59',
  });
  t.same(
    pastInstant('2026-06-11', '08:00', nowMs),
    { at: '2026-06-11T00:00:00.000Z', when: '2026-06-11 08:00' },
    'a later day is the API’s to refuse',
  );
});

/** Service typed as a date and two Asia/Shanghai times, night care past midnight included. */
import t from 'tap';
import { serviceInstants, serviceTimesRefusal } from '../src/web/screens/record-service.js';

t.test('an end earlier than the start, within 12 hours, is on the next day', async (t) => {
  t.same(serviceInstants('2026-12-01', '22:00', '01:00'), {
    startAt: '2026-12-01T14:00:00.000Z',
    endAt: '2026-12-01T17:00:00.000Z',
  });
  t.same(
    serviceInstants('2026-12-31', '20:00', '08:00').endAt,
    '2027-01-01T00:00:00.000Z',
    '12 hours, into a new year',
  );
});

t.test('service within one day, or an end far before the start, is as typed', async (t) => {
  t.same(serviceInstants('2026-12-01', '09:00', '11:30'), {
    startAt: '2026-12-01T01:00:00.000Z',
    endAt: '2026-12-01T03:30:00.000Z',
  });
  const slip = serviceInstants('2026-12-01', '11:00', '09:00');
  t.equal(slip.endAt, '2026-12-01T01:00:00.000Z', '22 hours overnight is a slip, not a night');
  t.equal(
    serviceTimesRefusal(slip.startAt, slip.endAt, Date.parse('2026-12-05T00:00:00Z')),
    'SERVICE_END_BEFORE_START',
  );
  t.equal(
    serviceInstants('2026-12-01', '10:00', '10:00').endAt,
    '2026-12-01T02:00:00.000Z',
    'an empty span stays one',
  );
});

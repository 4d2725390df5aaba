/** The partner's statement as CSV: times in Asia/Shanghai, points as numbers, cash in yuan. */
import t from 'tap';
import { statementCsv } from '../src/web/screens/partner-statement.js';

t.test('a hold made at 00:30 on 1 December in Shanghai is dated 1 December', async (t) => {
  const csv = statementCsv(
    'canteen',
    '2026-12',
    [
      {
        volunteerId: 'v1',
        holdId: 'h1',
        offerId: 'lunch',
        centipoints: 250,
        heldAt: '2026-11-30T16:30:00.000Z',
        status: 'captured',
        cashCopayFen: 1250,
      },
    ],
    undefined,
  );
  t.equal(csv.split('\r\n')[1], 'canteen,2026-12,h1,lunch,2026-12-01 00:30:00,captured,2.5,12.50');
});

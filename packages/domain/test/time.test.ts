import fc from 'fast-check';
import t from 'tap';
import { formatInstant, isInstant, minutesPerLocalDay, parseInstant } from '../src/index.js';

t.test('the Date-free instant parser and formatter agree with Date', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (epochMs) => {
      const text = new Date(epochMs).toISOString();
      return formatInstant(epochMs) === text && parseInstant(text) === epochMs;
    }),
    { numRuns: 2000 },
  );
  t.equal(
    parseInstant('2026-03-10T04:00:00Z'),
    Date.parse('2026-03-10T04:00:00Z'),
    'milliseconds are optional',
  );
});

t.test('only UTC instants with valid calendar fields are accepted', async (t) => {
  for (const text of [
    '2026-02-29T00:00:00Z',
    '2026-03-10T04:00:00+08:00',
    '2026-13-01T00:00:00Z',
    '2026-03-10 04:00:00Z',
    '2026-03-10T24:00:00Z',
  ]) {
    t.notOk(isInstant(text), text);
  }
  t.ok(isInstant('2024-02-29T23:59:59.999Z'), 'a leap day');
  t.throws(() => parseInstant('yesterday'), /^not an ISO-8601 UTC instant: "yesterday"$/);
});

t.test('minutes are split by local day', async (t) => {
  const offset = 480; // UTC+8
  const split = minutesPerLocalDay(
    parseInstant('2026-03-09T14:00:00Z'),
    parseInstant('2026-03-09T18:30:00Z'),
    offset,
  );
  t.same([...split.values()], [120, 150], '22:00–24:00 local, then 00:00–02:30 local');
});

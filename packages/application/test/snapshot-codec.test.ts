/**
 * The snapshot encoding and the fold's version: one encoding per state (Maps and Sets in their
 * order, bigints, numbers JSON lacks), a decoded state that folds on exactly like the original,
 * and a fold version that changes with the fold's code or its state's shape.
 */
import t from 'tap';
import { deciderFor, initialVolunteerState } from '@timebank/domain';
import { foldVersionOf } from '../src/snapshots/fold-version.js';
import {
  decodeState,
  decodeStateBytes,
  encodeState,
  encodeStateBytes,
} from '../src/snapshots/state-codec.js';
import { ledgerFixture, volunteerWithPoints } from './support/ledger-fixture.js';

t.test('encodes what state holds, deterministically, and decodes it back', async (t) => {
  const state = {
    b: new Map<unknown, unknown>([
      ['z', new Set(['y', 'x'])],
      [1, { $map: 'an own key that looks like a tag', $$n: 1 }],
    ]),
    a: [1n, -0, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, 'text'],
    skipped: undefined,
  };
  const text = encodeState(state);
  const decoded = decodeState(text) as typeof state;
  t.equal(encodeState(decoded), text, 'a decoded state encodes to the same text');
  t.ok(text.indexOf('"a"') < text.indexOf('"b"'), 'object keys sorted');
  t.same([...decoded.b.keys()], ['z', 1], 'Map order kept');
  t.same([...(decoded.b.get('z') as Set<string>)], ['y', 'x'], 'Set order kept');
  t.same(decoded.b.get(1), { $map: 'an own key that looks like a tag', $$n: 1 }, 'escaped keys come back');
  t.equal(decoded.a[0], 1n);
  t.ok(Object.is(decoded.a[1], -0));
  t.ok(Number.isNaN(decoded.a[2]));
  t.equal(decoded.a[3], Number.POSITIVE_INFINITY);
  t.equal(decoded.a[5], undefined);
  t.notOk(Object.hasOwn(decoded, 'skipped'), 'an undefined property is absent');
  // A Map of uniform plain objects is written as a table, and comes back the same.
  const table = new Map(
    Array.from({ length: 10 }, (_, index) => [
      `r${index}`,
      { minutes: index, status: 'confirmed', note: null },
    ]),
  );
  const mixed = new Map<string, object>([
    ...table,
    ['odd', { minutes: 1, status: 'x', extra: new Set([1]) }],
  ]);
  for (const map of [table, mixed]) {
    const encoded = encodeState({ map });
    t.same((decodeState(encoded) as { map: unknown }).map, map);
    t.equal(encodeState(decodeState(encoded)), encoded);
  }
  t.match(encodeState(table), /"\$table"/, 'uniform values: a table');
  t.notMatch(encodeState(mixed), /"\$table"/, 'a value with other keys: entry by entry');
  t.throws(() => encodeState({ when: new Date() }), TypeError, 'a class instance is refused');
  t.throws(() => encodeState({ run: () => 1 }), TypeError, 'a function is refused');
});

t.test('long lists go on lines of their own, none near the large-object size, and come back', async (t) => {
  const records = new Map(
    Array.from({ length: 5_000 }, (_, index) => [
      `r${index}`,
      {
        recordId: `r${index}`,
        minutes: index,
        status: index % 3 === 0 ? 'pending' : 'confirmed',
        note: 'x'.repeat(index % 40),
      },
    ]),
  );
  const state = {
    records,
    earnedByDay: new Map(Array.from({ length: 3_000 }, (_, index) => [18_000 + index, index * 2])),
    processedKeys: new Set(Array.from({ length: 4_100 }, (_, index) => `key-${index}`)),
    awards: Array.from({ length: 2_500 }, (_, index) => ({ level: index % 5, at: BigInt(index) })),
    // One entry longer than a line's limit still goes on a line of its own, whole.
    notes: new Map(
      Array.from({ length: 3_000 }, (_, index) => [index, index === 7 ? 'n'.repeat(70_000) : 'n']),
    ),
    small: new Map([['a', 1]]),
  };
  const text = encodeState(state);
  const lines = text.split('\n');
  t.ok(lines.length > 8, `cut into ${lines.length} lines`);
  const longest = Math.max(
    ...lines.filter((line) => !line.includes('n'.repeat(70_000))).map((line) => line.length),
  );
  t.ok(longest <= 64 * 1024, `every line without the one long entry is at most 64 KiB (longest ${longest})`);
  t.match(lines[0], /"\$lines":\[\d+,\d+\]/, 'the first line refers to the others');
  const bytes = encodeStateBytes(state);
  t.same(bytes, Buffer.from(text, 'utf8'), 'the bytes are the text, encoded');
  for (const decoded of [decodeState(text), decodeStateBytes(bytes)] as (typeof state)[]) {
    t.same(decoded, state);
    t.same([...decoded.records.keys()].slice(0, 3), ['r0', 'r1', 'r2'], 'Map order kept across lines');
    t.same([...decoded.processedKeys].at(-1), 'key-4099', 'Set order kept across lines');
    t.equal(decoded.awards[2_499]?.at, 2_499n);
    t.equal(encodeState(decoded), text, 'a decoded state encodes to the same lines');
  }
  // A table column that an object literal would take as the prototype is refused.
  const table = encodeState({ records });
  t.throws(() => decodeState(table.replace('"minutes"', '"__proto__"')), /not a property name/);
  const decodedRecord = (decodeState(table) as typeof state).records.get('r7');
  t.same(Object.keys(decodedRecord ?? {}), ['minutes', 'note', 'recordId', 'status'], 'columns in order');
  t.equal(Object.getPrototypeOf(decodedRecord), Object.prototype, 'a plain object');
  // Column lists that a plain join would confuse get builders of their own.
  const joined = new Map(Array.from({ length: 8 }, (_, index) => [index, { 'a\nb': index }]));
  const split = new Map(Array.from({ length: 8 }, (_, index) => [index, { a: index, b: -index }]));
  const both = decodeState(encodeState({ joined, split })) as { joined: typeof joined; split: typeof split };
  t.same(both.joined.get(3), { 'a\nb': 3 });
  t.same(both.split.get(3), { a: 3, b: -3 });
  const mixedNames = new Map<number, Record<string, number>>([...split, [99, { 'a\nb': 1 }]]);
  t.same((decodeState(encodeState({ mixedNames })) as { mixedNames: unknown }).mixedNames, mixedNames);
  // A reference to lines the encoding does not have is refused, not read as an empty list.
  t.throws(() => decodeState(lines.slice(0, 2).join('\n')), /not in the encoding/);
  t.throws(() => decodeState('{"a":{"$set":{"$lines":[0,1]}}}'), /not in the encoding/);
  t.throws(() => decodeState('{"a":{"$map":{"$lines":[1,1]}}}\n{"not":"a list"}'), /is not a list/);
});

t.test('a decoded volunteer state equals the folded one and encodes the same', async (t) => {
  const fixture = ledgerFixture(t);
  const ledger = fixture.ledger();
  const volunteerId = await volunteerWithPoints(ledger, 40);
  const { state } = await ledger.load('volunteer', volunteerId);
  const text = encodeState(state);
  const decoded = decodeState(text);
  t.same(decoded, state);
  t.equal(encodeState(decoded), text);
  t.equal(
    encodeState(decodeState(encodeState(initialVolunteerState()))),
    encodeState(initialVolunteerState()),
  );
});

t.test('the fold version changes with the fold', async (t) => {
  const fold = deciderFor('volunteer');
  const version = foldVersionOf(fold);
  t.match(version, /^[0-9a-f]{64}$/);
  t.equal(foldVersionOf({ ...fold }), version, 'the same code: the same version');
  t.not(
    foldVersionOf({ ...fold, applyInPlace: (state, event) => fold.applyInPlace?.(state, event) }),
    version,
    'another applyInPlace',
  );
  t.not(
    foldVersionOf({ ...fold, evolve: (state, event) => fold.evolve(state, event) }),
    version,
    'another evolve',
  );
  t.not(
    foldVersionOf({ ...fold, initialState: () => ({ ...initialVolunteerState(), added: 0 }) }),
    version,
    'a field added to the state',
  );
  t.not(foldVersionOf(deciderFor('partner')), version, 'another family');
});

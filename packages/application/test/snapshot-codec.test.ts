/**
 * The snapshot encoding and the fold's version: one encoding per state (Maps and Sets in their
 * order, bigints, numbers JSON lacks), a decoded state that folds on exactly like the original,
 * and a fold version that changes with the fold's code or its state's shape.
 */
import t from 'tap';
import { deciderFor, initialVolunteerState } from '@timebank/domain';
import { foldVersionOf } from '../src/snapshots/fold-version.js';
import { decodeState, encodeState } from '../src/snapshots/state-codec.js';
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

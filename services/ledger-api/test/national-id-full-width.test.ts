/**
 * A Chinese input method in full-width mode types `１３０１…` and `Ｘ`: every route that takes a
 * national ID number folds full-width digits and X to ASCII before it checks and hashes the
 * number, so registration and look-up agree whichever way the number was typed.
 */
import t from 'tap';
import { nationalIdNumber, startWorld } from './fixtures.js';

/** The full-width form of an ASCII ID number: `0`–`9` → `０`–`９`, `X` → `Ｘ` (or `ｘ`). */
function fullWidth(ascii: string, x: 'Ｘ' | 'ｘ' = 'Ｘ'): string {
  return [...ascii]
    .map((character) => (character === 'X' ? x : String.fromCharCode(character.charCodeAt(0) + 0xfee0)))
    .join('');
}

/** A seed whose ID number ends in the check character X. */
function seedEndingInX(): number {
  for (let seed = 1; ; seed += 1) if (nationalIdNumber(seed).endsWith('X')) return seed;
}

t.test('a full-width typed ID number finds the volunteer registered in ASCII, and back', async (t) => {
  const w = await startWorld(t);
  const seed = seedEndingInX();
  const ascii = nationalIdNumber(seed);
  const volunteerId = await w.registerVolunteer(seed);

  for (const typed of [
    fullWidth(ascii),
    fullWidth(ascii, 'ｘ'),
    `${fullWidth(ascii.slice(0, 6))}\u3000${fullWidth(ascii.slice(6))}`,
  ]) {
    const found = await w.post('/v1/volunteers/lookup', w.desk, { nationalIdNumber: typed });
    t.equal(found.statusCode, 200, `${typed}: ${found.body}`);
    t.equal(found.json<{ volunteerId: string }>().volunteerId, volunteerId, 'the same volunteer');
  }

  const again = await w.post('/v1/volunteers', w.desk, {
    name: 'Typed twice',
    nationalIdNumber: fullWidth(ascii),
    phone: '+86-311-5550000',
    community: 'c1',
  });
  t.equal(again.statusCode, 409, again.body);
  t.equal(again.json<{ code: string }>().code, 'VOLUNTEER_ALREADY_REGISTERED', 'the same keyed hash');

  const otherSeed = seed + 1;
  const registered = await w.post('/v1/volunteers', w.desk, {
    name: 'Typed in full width',
    nationalIdNumber: fullWidth(nationalIdNumber(otherSeed)),
    phone: '+86-311-5550000',
    community: 'c1',
  });
  t.equal(registered.statusCode, 201, registered.body);
  const { volunteerId: other, nationalIdMasked } = registered.json<{
    volunteerId: string;
    nationalIdMasked: string;
  }>();
  t.equal(
    nationalIdMasked,
    `${nationalIdNumber(otherSeed).slice(0, 4)}**********${nationalIdNumber(otherSeed).slice(-4)}`,
    'masked in ASCII',
  );
  const byAscii = await w.post('/v1/volunteers/lookup', w.desk, {
    nationalIdNumber: nationalIdNumber(otherSeed),
  });
  t.equal(byAscii.statusCode, 200, byAscii.body);
  t.equal(
    byAscii.json<{ volunteerId: string }>().volunteerId,
    other,
    'registered in full width, found in ASCII',
  );

  // Only full-width digits and X are folded: circled digits are still not an ID number.
  const circled = await w.post('/v1/volunteers/lookup', w.desk, {
    nationalIdNumber: `①${ascii.slice(1)}`,
  });
  t.equal(circled.statusCode, 422);
  t.equal(circled.json<{ code: string }>().code, 'INVALID_NATIONAL_ID');
});

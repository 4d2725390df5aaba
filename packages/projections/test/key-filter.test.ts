import t from 'tap';
import { KeyFilter } from '../src/key-filter.js';

t.test('a key filter never forgets a key and rarely claims one it was not given', async (t) => {
  const filter = new KeyFilter();
  t.notOk(filter.mightContain('v1|r1'), 'an empty filter contains nothing');
  const added = Array.from({ length: 200_000 }, (_, index) => `v${index % 20_000}|r${index}`);
  for (const key of added) filter.add(key);
  t.equal(filter.added, added.length);
  t.ok(
    added.every((key) => filter.mightContain(key)),
    'no false negatives: every added key is reported',
  );
  let falsePositives = 0;
  const probes = 100_000;
  for (let index = 0; index < probes; index += 1) {
    if (filter.mightContain(`v${index}|h${index}`)) falsePositives += 1;
  }
  // 200,000 keys in 2^23 bits with 3 probes: (1 − e^(−3·200000/2^23))^3 ≈ 0.03%.
  t.ok(falsePositives / probes < 0.005, `false positives ${falsePositives} of ${probes}`);
  filter.clear();
  t.notOk(filter.mightContain(added[0] ?? ''), 'a cleared filter contains nothing');
  t.equal(filter.added, 0);
});

import t from 'tap';
import { esdbPosition, portPosition, requirePosition } from '../src/positions.js';

t.test('an implicitly committed event maps to its commit position and back', async (t) => {
  t.equal(portPosition({ commit: 4096n, prepare: 4096n }), 4096n);
  t.same(esdbPosition(4096n), { commit: 4096n, prepare: 4096n });
  t.equal(portPosition(esdbPosition(0n)), 0n);
  const largest = 2n ** 64n - 1n;
  t.equal(portPosition(esdbPosition(largest)), largest);
});

t.test('an explicit-transaction event (commit differs from prepare) is refused loudly', async (t) => {
  t.throws(() => portPosition({ commit: 9000n, prepare: 8800n }), /explicit transaction/);
});

t.test('positions outside the unsigned 64-bit range are refused', async (t) => {
  t.throws(() => esdbPosition(-1n), RangeError);
  t.throws(() => esdbPosition(2n ** 64n), RangeError);
  t.throws(() => portPosition({ commit: -1n, prepare: -1n }), /unsigned 64-bit/);
});

t.test('a stream read without a position names the minimum server version', async (t) => {
  t.throws(() => requirePosition(undefined, 'stream s revision 0'), /22\.6 or later/);
  t.equal(requirePosition({ commit: 7n, prepare: 7n }, 'here'), 7n);
});

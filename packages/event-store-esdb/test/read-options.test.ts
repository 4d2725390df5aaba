import t from 'tap';
import { DEFAULT_STORE_LIMITS } from '@timebank/event-store';
import { assertValidPosition, resolveMaxCount, resolveStreamRead } from '../src/read-options.js';

const limits = { ...DEFAULT_STORE_LIMITS, readBatchMax: 50 };

t.test('maxCount defaults to and is capped at readBatchMax', async (t) => {
  t.equal(resolveMaxCount(undefined, limits), 50);
  t.equal(resolveMaxCount(10, limits), 10);
  t.equal(resolveMaxCount(500, limits), 50);
  t.equal(resolveMaxCount(0, limits), 0);
  for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
    t.throws(() => resolveMaxCount(bad, limits), { code: 'INVALID_EVENT' });
  }
});

t.test('stream reads go forwards from the start or backwards from the end by default', async (t) => {
  t.same(resolveStreamRead({}, limits), { direction: 'forwards', fromRevision: 'start', maxCount: 50 });
  t.same(resolveStreamRead({ direction: 'backwards' }, limits), {
    direction: 'backwards',
    fromRevision: 'end',
    maxCount: 50,
  });
  t.same(resolveStreamRead({ fromRevision: 3n, maxCount: 2 }, limits), {
    direction: 'forwards',
    fromRevision: 3n,
    maxCount: 2,
  });
  t.throws(() => resolveStreamRead({ fromRevision: -1n }, limits), { code: 'INVALID_EVENT' });
  t.throws(() => resolveStreamRead({ direction: 'sideways' as 'forwards' }, limits), {
    code: 'INVALID_EVENT',
  });
});

t.test('positions must be non-negative bigints', async (t) => {
  t.doesNotThrow(() => assertValidPosition(undefined, 'fromPosition'));
  t.doesNotThrow(() => assertValidPosition(0n, 'fromPosition'));
  t.throws(() => assertValidPosition(-1n, 'fromPosition'), { code: 'INVALID_EVENT' });
  t.throws(() => assertValidPosition(5 as unknown as bigint, 'fromPosition'), { code: 'INVALID_EVENT' });
});

import t from 'tap';
import { StateCache } from '../src/state-cache.js';
import { KeyedSerializer } from '../src/keyed-serializer.js';
import { deterministicEventId } from '../src/event-ids.js';

t.test('the state cache evicts the least recently used stream beyond its bound', async (t) => {
  const cache = new StateCache<string>(2);
  cache.set('a-1', { state: 'a', revision: 0n });
  cache.set('b-1', { state: 'b', revision: 0n });
  t.equal(cache.get('a-1')?.state, 'a', 'touch a so b becomes the oldest');
  cache.set('c-1', { state: 'c', revision: 0n });
  t.equal(cache.size, 2);
  t.equal(cache.get('b-1'), undefined, 'b was evicted');
  t.equal(cache.get('a-1')?.state, 'a');
  t.equal(cache.get('c-1')?.state, 'c');
});

t.test('the state cache never moves an entry to an older revision', async (t) => {
  const cache = new StateCache<string>(10);
  cache.set('a-1', { state: 'new', revision: 5n });
  cache.set('a-1', { state: 'old', revision: 3n });
  t.same(cache.get('a-1'), { state: 'new', revision: 5n });
  const disabled = new StateCache<string>(0);
  disabled.set('a-1', { state: 'x', revision: 0n });
  t.equal(disabled.get('a-1'), undefined, 'a zero bound disables caching');
  t.throws(() => new StateCache<string>(-1), RangeError);
});

t.test('the keyed serializer runs one task at a time per key, in order, and forgets idle keys', async (t) => {
  const serializer = new KeyedSerializer();
  const log: string[] = [];
  let running = 0;
  let runningMax = 0;
  const task = (label: string) => async () => {
    running += 1;
    runningMax = Math.max(runningMax, running);
    log.push(`start ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push(`end ${label}`);
    running -= 1;
    if (label === 'a2') throw new Error('boom');
    return label;
  };
  const results = await Promise.allSettled([
    serializer.run('a', task('a1')),
    serializer.run('a', task('a2')),
    serializer.run('a', task('a3')),
  ]);
  t.same(log, ['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
  t.equal(runningMax, 1);
  t.match(results, [
    { status: 'fulfilled', value: 'a1' },
    { status: 'rejected' },
    { status: 'fulfilled', value: 'a3' },
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(serializer.activeKeys, 0);
});

t.test('event ids are deterministic UUIDs per key, stream and index', async (t) => {
  const first = deterministicEventId('key-1', 'volunteer-1', 0);
  t.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(deterministicEventId('key-1', 'volunteer-1', 0), first);
  t.not(deterministicEventId('key-1', 'volunteer-1', 1), first);
  t.not(deterministicEventId('key-2', 'volunteer-1', 0), first);
  t.not(deterministicEventId('key-1', 'volunteer-2', 0), first);
});

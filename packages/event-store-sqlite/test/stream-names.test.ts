import t from 'tap';
import { StreamNames } from '../src/rows.js';

t.test(
  'StreamNames looks an id up once, forgets the oldest past its bound, and refuses an unknown id',
  async (t) => {
    const stored = new Map<bigint, string>([
      [1n, 'volunteer-a'],
      [2n, 'volunteer-b'],
      [3n, 'volunteer-c'],
    ]);
    const lookedUp: bigint[] = [];
    const names = new StreamNames((id) => {
      lookedUp.push(id);
      return stored.get(id);
    }, 2);
    t.same(
      [1n, 1n, 2n, 1n, 2n].map((id) => names.nameOf(id)),
      ['volunteer-a', 'volunteer-a', 'volunteer-b', 'volunteer-a', 'volunteer-b'],
    );
    t.same(lookedUp, [1n, 2n], 'each id read from the table once');
    t.equal(names.nameOf(3n), 'volunteer-c');
    t.equal(names.nameOf(1n), 'volunteer-a', 'id 1, the oldest, was forgotten and is read again');
    t.same(lookedUp, [1n, 2n, 3n, 1n]);
    t.throws(() => names.nameOf(9n), /unknown stream id 9/);
  },
);

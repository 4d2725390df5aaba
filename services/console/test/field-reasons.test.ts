/** Why a field was refused, read from the API's validation messages. */
import t from 'tap';
import { fieldReason } from '../src/web/lib/field-reasons.js';

t.test(
  'a too long or empty text, and a name without letters, are reasons; anything else is not',
  async (t) => {
    t.same(fieldReason('Too big: expected string to have <=200 characters'), {
      kind: 'tooLong',
      lengthMax: 200,
    });
    t.same(fieldReason('Too big: expected string to have <=1 character'), { kind: 'tooLong', lengthMax: 1 });
    t.same(fieldReason('Too small: expected string to have >=1 characters'), { kind: 'empty' });
    t.same(fieldReason('must contain at least one letter'), { kind: 'letterRequired' });
    t.equal(
      fieldReason('Too big: expected number to be <=100000'),
      undefined,
      'a number is not a text length',
    );
    t.equal(fieldReason('expected 5-20 digits, dashes, optional leading +'), undefined);
    t.same(
      fieldReason(
        'invalid command: priceCentipoints is above the highest balance cap of the points policy (150000)',
      ),
      { kind: 'aboveBalanceCap', capCentipoints: 150_000 },
      'an offer above what any volunteer may hold',
    );
  },
);

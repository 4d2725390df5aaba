import t from 'tap';
import { StoreLimitError } from '../src/errors.js';
import { canonicalJson } from '../src/hash-chain.js';
import { DEFAULT_STORE_LIMITS, validateAppend } from '../src/limits.js';
import type { NewEvent } from '../src/port.js';

const ID = '00000000-0000-4000-8000-000000000001';
const event = (data: NewEvent['data'], id = ID): NewEvent => ({
  id,
  type: 'Thing',
  data,
  metadata: { schemaVersion: 1 },
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof StoreLimitError ? error.code : `not a StoreLimitError: ${String(error)}`;
  }
}

t.test('validateAppend returns each event’s canonical encoding', async (t) => {
  const events = [event({ b: 1, a: [true, null] })];
  t.same(validateAppend('s-1', events, 'no_stream', DEFAULT_STORE_LIMITS), [
    canonicalJson({ type: 'Thing', data: { a: [true, null], b: 1 }, metadata: { schemaVersion: 1 } }),
  ]);
});

t.test('the event size limit is inclusive, in bytes of UTF-8', async (t) => {
  const overhead = Buffer.byteLength(
    canonicalJson({ type: 'Thing', data: { s: '' }, metadata: { schemaVersion: 1 } }),
  );
  const limits = { ...DEFAULT_STORE_LIMITS, eventSizeBytesMax: overhead + 30 };
  t.equal(
    codeOf(() => validateAppend('s-1', [event({ s: 'x'.repeat(30) })], 'any', limits)),
    undefined,
    'at the limit',
  );
  t.equal(
    codeOf(() => validateAppend('s-1', [event({ s: 'x'.repeat(31) })], 'any', limits)),
    'EVENT_TOO_LARGE',
  );
  // "时" is three bytes in UTF-8: ten of them are 30 bytes, not 10 characters.
  t.equal(
    codeOf(() => validateAppend('s-1', [event({ s: '时'.repeat(10) })], 'any', limits)),
    undefined,
  );
  t.equal(
    codeOf(() => validateAppend('s-1', [event({ s: '时'.repeat(11) })], 'any', limits)),
    'EVENT_TOO_LARGE',
  );
});

t.test('configured limits replace the defaults', async (t) => {
  const limits = { ...DEFAULT_STORE_LIMITS, eventsPerAppendMax: 2 };
  const ids = ['1', '2', '3'].map((digit) => `00000000-0000-4000-8000-00000000000${digit}`);
  t.equal(
    codeOf(() =>
      validateAppend(
        's-1',
        ids.slice(0, 2).map((id) => event({}, id)),
        'any',
        limits,
      ),
    ),
    undefined,
  );
  t.equal(
    codeOf(() =>
      validateAppend(
        's-1',
        ids.map((id) => event({}, id)),
        'any',
        limits,
      ),
    ),
    'TOO_MANY_EVENTS',
  );
});

t.test('metadata and expected revisions are validated too', async (t) => {
  const withMetadata = (metadata: unknown): NewEvent[] => [
    { ...event({}), metadata: metadata as NewEvent['metadata'] },
  ];
  t.equal(
    codeOf(() => validateAppend('s-1', withMetadata({ schemaVersion: 1.5 }), 'any', DEFAULT_STORE_LIMITS)),
    'INVALID_EVENT',
  );
  t.equal(
    codeOf(() => validateAppend('s-1', withMetadata({ schemaVersion: 0 }), 'any', DEFAULT_STORE_LIMITS)),
    'INVALID_EVENT',
  );
  t.equal(
    codeOf(() =>
      validateAppend(
        's-1',
        withMetadata({ schemaVersion: 1, actor: Number.NaN }),
        'any',
        DEFAULT_STORE_LIMITS,
      ),
    ),
    'INVALID_EVENT',
  );
  t.equal(
    codeOf(() => validateAppend('s-1', [event({})], 'latest' as unknown as 'any', DEFAULT_STORE_LIMITS)),
    'INVALID_EVENT',
    'an unknown expected revision keyword',
  );
  t.equal(
    codeOf(() => validateAppend('s-1', [event({})], 5n, DEFAULT_STORE_LIMITS)),
    undefined,
  );
  t.equal(
    codeOf(() => validateAppend('volunteer-1', [event({})], 'stream_exists', DEFAULT_STORE_LIMITS)),
    undefined,
  );
});

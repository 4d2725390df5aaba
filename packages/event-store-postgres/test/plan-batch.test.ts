/**
 * The group-commit planner alone (no database): per-append checks inside one batch, and the
 * idempotency rules, which must match the SQLite adapter's.
 */
import t from 'tap';
import {
  EventStoreError,
  verifyStreamChain,
  type ExpectedRevision,
  type NewEvent,
} from '@timebank/event-store';
import { planBatch, type AppendOutcome, type QueuedAppend } from '../src/plan-batch.js';
import { newEvent } from './helpers.js';

function append(
  streamName: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): QueuedAppend {
  return { streamName, events, expectedRevision, sizeBytes: 100 };
}

function codes(outcomes: readonly AppendOutcome[]): string[] {
  return outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code));
}

t.test('appends of one batch see each other, and a conflict fails only itself', async (t) => {
  const [a, b, c] = [newEvent(), newEvent(), newEvent()];
  const plan = planBatch(
    [
      append('s-1', [a], 'no_stream'),
      append('s-1', [b], 'no_stream'),
      append('s-1', [c], 0n),
      append('s-2', [newEvent()], 'stream_exists'),
    ],
    { heads: new Map(), ids: new Map(), lastPosition: 41n },
  );
  t.same(codes(plan.outcomes), ['ok', 'WRONG_EXPECTED_VERSION', 'ok', 'WRONG_EXPECTED_VERSION']);
  t.same(
    plan.rows.map((row) => [row.id, row.revision, row.position]),
    [
      [a.id, 0n, 42n],
      [c.id, 1n, 43n],
    ],
    'positions continue gaplessly from the last stored one',
  );
  const recorded = plan.rows.map((row) => ({
    ...row,
    data: JSON.parse(row.data) as NewEvent['data'],
    metadata: JSON.parse(row.metadata) as NewEvent['metadata'],
    recordedAt: '',
  }));
  t.equal(verifyStreamChain('s-1', recorded).ok, true, 'the planned rows form a valid chain');
});

t.test('idempotency: retries return the original result; anything else is refused', async (t) => {
  const first = [newEvent(), newEvent()];
  const next = [newEvent()];
  const stored = planBatch([append('s-1', first, 'no_stream'), append('s-1', next, 1n)], {
    heads: new Map(),
    ids: new Map(),
    lastPosition: 0n,
  });
  const ids = new Map(
    stored.rows.map((row) => [
      row.id,
      { streamName: row.streamName, revision: row.revision, position: row.position },
    ]),
  );
  const heads = new Map([['s-1', { revision: 2n, hash: stored.rows[2]?.hash ?? '' }]]);
  const retry = planBatch(
    [
      append('s-1', first, 'no_stream'),
      append('s-1', first, 'any'),
      append('s-1', next, 1n),
      append('s-1', first, 2n),
      append('s-2', [first[0] as NewEvent], 'any'),
      append('s-1', [first[1] as NewEvent, first[0] as NewEvent], 'any'),
      append('s-1', [newEvent(), first[0] as NewEvent], 2n),
      append('s-1', [newEvent(), first[0] as NewEvent], 0n),
    ],
    { heads, ids, lastPosition: 3n },
  );
  t.same(codes(retry.outcomes), [
    'ok',
    'ok',
    'ok',
    'WRONG_EXPECTED_VERSION',
    'DUPLICATE_EVENT_ID',
    'DUPLICATE_EVENT_ID',
    'DUPLICATE_EVENT_ID',
    'WRONG_EXPECTED_VERSION',
  ]);
  t.same(retry.outcomes[0], { ok: true, result: { nextExpectedRevision: 1n, position: 2n } });
  t.same(retry.outcomes[2], { ok: true, result: { nextExpectedRevision: 2n, position: 3n } });
  t.same(retry.rows, [], 'nothing is stored twice');
  const refused = retry.outcomes[3];
  t.ok(!refused?.ok && refused?.error instanceof EventStoreError);
});

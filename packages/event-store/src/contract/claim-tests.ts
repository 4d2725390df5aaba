/**
 * Contract: idempotency claims written in the append's transaction (the optional capability
 * `IdempotencyClaims`). A store without it must refuse an append that carries a claim, and
 * write nothing.
 */
import { createHash } from 'node:crypto';
import { EventStoreError, IdempotencyKeyClaimedError } from '../errors.js';
import { idempotencyClaimsOf } from '../port.js';
import type { EventStore, IdempotencyClaim, IdempotencyClaims } from '../port.js';
import { newEvent, newEvents, withStore } from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

/** How many appends race for one key; enough to share a group commit and to span several. */
const RACING_CLAIMS = 20;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function claimOf(key: string, request: string): IdempotencyClaim {
  return { keyHash: sha256(`key:${key}`), requestHash: sha256(`request:${request}`) };
}

/** Runs `body` only on stores that offer claims; on the others checks that a claim is refused. */
function withClaims(
  t: Tap,
  harness: ContractHarness,
  name: string,
  body: (t: Tap, store: EventStore, claims: IdempotencyClaims) => Promise<void>,
): void {
  withStore(t, harness, name, async (t, store) => {
    const claims = idempotencyClaimsOf(store);
    if (claims !== undefined) return body(t, store, claims);
    const refused = await store
      .appendToStream('unclaimable', [newEvent(1)], {
        expectedRevision: 'no_stream',
        idempotencyClaim: claimOf('k', 'r'),
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    t.ok(refused instanceof Error, `${harness.name} has no claims and refuses an append with one`);
    t.same(await store.readStream('unclaimable'), [], 'and writes nothing');
  });
}

export function claimContract(t: Tap, harness: ContractHarness): void {
  withClaims(
    t,
    harness,
    'a claim is stored with its append and answers a repeat',
    async (t, store, claims) => {
      const claim = claimOf('same', 'request-1');
      const events = newEvents(2);
      const first = await store.appendToStream('claimed-1', events, {
        expectedRevision: 'no_stream',
        idempotencyClaim: claim,
      });
      t.same(await claims.readIdempotencyClaim(claim.keyHash), {
        ...claim,
        streamName: 'claimed-1',
        ...first,
      });
      t.equal(
        await claims.readIdempotencyClaim(sha256('never')),
        undefined,
        'an unclaimed key reads as none',
      );

      const retried = await store.appendToStream('claimed-1', events, {
        expectedRevision: 'no_stream',
        idempotencyClaim: claim,
      });
      t.same(retried, first, 'same key, same request, same events: the same result');

      const repeat: unknown = await store
        .appendToStream('claimed-1', newEvents(1, 10), { expectedRevision: 1n, idempotencyClaim: claim })
        .catch((error: unknown) => error);
      t.ok(repeat instanceof IdempotencyKeyClaimedError, 'same key, same request, new events: claimed');
      if (repeat instanceof IdempotencyKeyClaimedError) {
        t.equal(repeat.sameRequest, true, 'recognised as the same request');
        t.same(repeat.claim, { ...claim, streamName: 'claimed-1', ...first }, 'carrying the original result');
      }
      t.equal((await store.readStream('claimed-1')).length, 2, 'nothing more was written');
    },
  );

  withClaims(t, harness, 'the same key with a different request conflicts', async (t, store) => {
    const first = claimOf('reused', 'request-1');
    await store.appendToStream('reused-1', [newEvent(1)], {
      expectedRevision: 'no_stream',
      idempotencyClaim: first,
    });
    const other: unknown = await store
      .appendToStream('reused-2', [newEvent(2)], {
        expectedRevision: 'no_stream',
        idempotencyClaim: { keyHash: first.keyHash, requestHash: sha256('request-2') },
      })
      .catch((error: unknown) => error);
    t.ok(other instanceof IdempotencyKeyClaimedError, 'refused as claimed');
    if (other instanceof IdempotencyKeyClaimedError) {
      t.equal(other.sameRequest, false, 'as a different request');
      t.equal(other.claim.streamName, 'reused-1', 'naming the claiming stream');
      t.equal(other.code, 'IDEMPOTENCY_KEY_CLAIMED');
    }
    t.same(await store.readStream('reused-2'), [], 'the refused append wrote nothing');
  });

  withClaims(
    t,
    harness,
    `${RACING_CLAIMS} concurrent claims of one key: one wins`,
    async (t, store, claims) => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: RACING_CLAIMS }, (_, caller) =>
          store.appendToStream(`racer-${caller}`, [newEvent(caller)], {
            expectedRevision: 'no_stream',
            // Half repeat one request, half send others: either way only one append may claim.
            idempotencyClaim: claimOf('raced', caller % 2 === 0 ? 'even' : `odd-${caller}`),
          }),
        ),
      );
      const winners = outcomes.flatMap((outcome, caller) => (outcome.status === 'fulfilled' ? [caller] : []));
      t.equal(winners.length, 1, 'exactly one append claims the key');
      const losers = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
      );
      t.ok(
        losers.every((error) => error instanceof IdempotencyKeyClaimedError),
        'every other one is refused as claimed',
      );
      const stored = await claims.readIdempotencyClaim(claimOf('raced', 'even').keyHash);
      t.equal(stored?.streamName, `racer-${winners[0]}`, 'the claim names the winner');
      const written = await Promise.all(
        Array.from(
          { length: RACING_CLAIMS },
          async (_, caller) => (await store.readStream(`racer-${caller}`)).length,
        ),
      );
      t.equal(
        written.reduce((sum, count) => sum + count, 0),
        1,
        'only the winner wrote',
      );
    },
  );

  withClaims(t, harness, 'a refused append leaves its key unclaimed', async (t, store, claims) => {
    const claim = claimOf('atomic', 'request-1');
    await store.appendToStream('atomic-1', [newEvent(1)], { expectedRevision: 'no_stream' });
    const conflict: unknown = await store
      .appendToStream('atomic-1', [newEvent(2)], { expectedRevision: 'no_stream', idempotencyClaim: claim })
      .catch((error: unknown) => error);
    t.ok(
      conflict instanceof EventStoreError && conflict.code === 'WRONG_EXPECTED_VERSION',
      'a revision conflict',
    );
    t.equal(await claims.readIdempotencyClaim(claim.keyHash), undefined, 'stored no claim');
    const invalid: unknown = await store
      .appendToStream('atomic-1', [newEvent(3)], {
        expectedRevision: 0n,
        idempotencyClaim: { keyHash: 'not-a-hash', requestHash: claim.requestHash },
      })
      .catch((error: unknown) => error);
    t.ok(
      invalid instanceof EventStoreError && invalid.code === 'INVALID_EVENT',
      'a malformed claim is refused',
    );
    const result = await store.appendToStream('atomic-1', [newEvent(4)], {
      expectedRevision: 0n,
      idempotencyClaim: claim,
    });
    t.equal(result.nextExpectedRevision, 1n, 'the corrected append claims the key');
    t.equal((await claims.readIdempotencyClaim(claim.keyHash))?.nextExpectedRevision, 1n);
  });
}

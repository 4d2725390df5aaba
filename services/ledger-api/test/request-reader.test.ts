/**
 * The request reader (src/auth/request-reader.ts): requests read in one event-loop turn share one
 * freshness check, made after they all arrived; a request that arrives after a check waits for
 * the next one rather than reusing it.
 */
import t from 'tap';
import type { FastifyRequest } from 'fastify';
import type { Ledger } from '@timebank/application';
import { requestReader } from '../src/auth/request-reader.js';
import { startWorld } from './fixtures.js';

/** The world's real ledger, counting its freshness checks. */
function countingChecks(ledger: Ledger): { ledger: Ledger; checks: () => number } {
  let checks = 0;
  const counted: Ledger = Object.create(ledger) as Ledger;
  Object.defineProperty(counted, 'checkedReader', {
    value: () => {
      checks += 1;
      return ledger.checkedReader();
    },
  });
  return { ledger: counted, checks: () => checks };
}

/** Stands for a request: the reader only uses it as the key of its per-request memo. */
const aRequest = (): FastifyRequest => ({}) as FastifyRequest;

t.test('requests of one loop turn share one check, made after the last of them asked', async (t) => {
  const w = await startWorld(t);
  const { ledger, checks } = countingChecks(w.context.ledger);
  const first = aRequest();
  const second = aRequest();
  const firstReader = requestReader(ledger, first);
  const secondReader = requestReader(ledger, second);
  t.equal(checks(), 0, 'no check before the turn ends: a request asking later in it still shares it');
  t.equal(requestReader(ledger, first), firstReader, 'a request asking again gets the same reader');
  await Promise.all([firstReader, secondReader]);
  t.equal(checks(), 1, 'one check for both');

  const later = requestReader(ledger, aRequest());
  t.equal(checks(), 1, 'a request after the check does not reuse it…');
  await later;
  t.equal(checks(), 2, '…it waits for a check of its own turn');
});

t.test('a change made after one request read is seen by the next request', async (t) => {
  const w = await startWorld(t);
  const volunteerId = await w.registerVolunteer(7);
  await w.earn(volunteerId, 2, 5);
  await w.grantMandate(volunteerId);
  const url = `/v1/partners/p1/volunteers/${volunteerId}/redeemable-points`;
  const points = async (): Promise<number> =>
    (await w.get(url, w.partner)).json<{ redeemableCentipoints: number }>().redeemableCentipoints;
  t.equal(await points(), 200, 'cached now');
  const redeemed = await w.post('/v1/partners/p1/redemptions', w.partner, {
    volunteerId,
    offerId: 'meal',
    centipoints: 100,
  });
  t.equal(redeemed.statusCode, 201, redeemed.body);
  t.equal(await points(), 100, 'the redemption counts at once');
});

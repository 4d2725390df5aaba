/**
 * A read's `minPosition` beyond the store's head names a write that has not happened: no wait can
 * reach it, so it is the client's error, answered at once as `400 POSITION_BEYOND_HEAD` rather
 * than after the read-your-writes wait as `503 READ_MODEL_BEHIND` (which stays for positions that
 * exist but the read models have not applied yet).
 */
import type { FastifyRequest } from 'fastify';
import type { EventStore } from '@timebank/event-store';
import { ProblemError } from './problem.js';

/**
 * The check, for the access hooks' preHandler (`auth/access.ts`): after validation (so
 * `minPosition` is a range-checked decimal), and before the route's scope rule, which may itself
 * wait on the read models. A request without `minPosition` costs no promise.
 */
export function minPositionCheck(store: EventStore): (request: FastifyRequest) => Promise<void> | undefined {
  return (request) => {
    const query = request.query as { minPosition?: unknown } | undefined;
    if (typeof query?.minPosition !== 'string') return undefined;
    const asked = BigInt(query.minPosition);
    return store.headPosition().then((head) => {
      if (asked > head) {
        throw ProblemError.http(
          'POSITION_BEYOND_HEAD',
          `minPosition ${asked} is beyond the store's head position ${head}; pass a position a write returned`,
          [{ field: 'query.minPosition', message: `beyond the head position ${head}` }],
        );
      }
    });
  };
}

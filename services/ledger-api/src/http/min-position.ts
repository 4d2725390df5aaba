/**
 * A read's `minPosition` beyond the store's head names a write that has not happened: no wait can
 * reach it, so it is the client's error, answered at once as `400 POSITION_BEYOND_HEAD` rather
 * than after the read-your-writes wait as `503 READ_MODEL_BEHIND` (which stays for positions that
 * exist but the read models have not applied yet).
 */
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '@timebank/event-store';
import { ProblemError } from './problem.js';

/**
 * Installs the check as a preHandler: after validation (so `minPosition` is a range-checked
 * decimal), and registered before access control so that it runs before a scope rule that would
 * itself wait on the read models.
 */
export function registerMinPositionCheck(app: FastifyInstance, store: EventStore): void {
  app.addHook('preHandler', async (request) => {
    const query = request.query as { minPosition?: unknown } | undefined;
    if (typeof query?.minPosition !== 'string') return;
    const asked = BigInt(query.minPosition);
    const head = await store.headPosition();
    if (asked > head) {
      throw ProblemError.http(
        'POSITION_BEYOND_HEAD',
        `minPosition ${asked} is beyond the store's head position ${head}; pass a position a write returned`,
        [{ field: 'query.minPosition', message: `beyond the head position ${head}` }],
      );
    }
  });
}

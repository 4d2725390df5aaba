/**
 * A read's `minPosition` beyond the store's head names a write that has not happened: no wait can
 * reach it, so it is the client's error, answered at once as `400 POSITION_BEYOND_HEAD` rather
 * than after the read-your-writes wait as `503 READ_MODEL_BEHIND` (which stays for positions that
 * exist but the read models have not applied yet).
 */
import type { FastifyInstance } from 'fastify';
import type { EventStore } from '@timebank/event-store';
/**
 * Installs the check as a preHandler: after validation (so `minPosition` is a range-checked
 * decimal), and registered before access control so that it runs before a scope rule that would
 * itself wait on the read models.
 */
export declare function registerMinPositionCheck(app: FastifyInstance, store: EventStore): void;

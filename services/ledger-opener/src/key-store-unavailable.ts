/**
 * The personal-data key store with each call's failure of its engine (a PostgreSQL server out of
 * reach or too slow; a SQLite file on a full disk, an I/O error, a lock held too long) reported as
 * the port's `STORE_UNAVAILABLE`: the API answers 503, as for the event store beside it, not 500
 * with the driver's error. A registration on a full disk was 500 INTERNAL_ERROR, with a stack
 * trace in the log for every request, while the event store's own appends answered 503.
 */
import type { PersonalKeyStore } from '@timebank/application';
import { EventStoreError } from '@timebank/event-store';

export function reportingUnavailable(
  store: PersonalKeyStore,
  isUnavailable: (error: unknown) => boolean,
): PersonalKeyStore {
  const rethrow = (error: unknown): never => {
    if (error instanceof Error && !(error instanceof EventStoreError) && isUnavailable(error)) {
      throw new EventStoreError(
        'STORE_UNAVAILABLE',
        `the personal-data key store is unavailable: ${error.message}`,
      );
    }
    throw error;
  };
  return {
    insertDataKey: (...args) => store.insertDataKey(...args).catch(rethrow),
    dataKey: (...args) => store.dataKey(...args).catch(rethrow),
    erase: (...args) => store.erase(...args).catch(rethrow),
    claimRegistration: (...args) => store.claimRegistration(...args).catch(rethrow),
    findRegistration: (...args) => store.findRegistration(...args).catch(rethrow),
    activeDataKeys: () => store.activeDataKeys().catch(rethrow),
    anyActiveDataKey: () => store.anyActiveDataKey().catch(rethrow),
    replaceWrappedKeys: (...args) => store.replaceWrappedKeys(...args).catch(rethrow),
    close: () => store.close(),
  };
}

/**
 * SQLite's result codes for a file the process cannot use now, as opposed to a wrong statement:
 * a full disk, an I/O error (every extended SQLITE_IOERR_*), a lock held past the busy timeout, a
 * file made read-only or gone. better-sqlite3 puts the extended code in `code`.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|PROTOCOL|NOMEM)/;

export function isSqliteUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLITE_UNAVAILABLE.test(code);
}

/**
 * Wraps the event store so that nothing the API appends can fall outside the ledger's event
 * catalogue (`@timebank/domain`): an auditor's verify checks every stored event against it, so
 * a type written here but missing there would make every real ledger fail verification. An
 * append of such an event is a programmer error and throws before anything is stored.
 *
 * Domain events are built by deciders typed from their zod schemas, so only their type and
 * schema version are checked; the API's own events (access keys, idempotency records) are
 * built as plain JSON, so their data is validated against the catalogue's schema as well.
 */
import { isEventType, isLedgerEventType, ledgerEventSchemaVersion, parseLedgerEvent } from '@timebank/domain';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { withAppend } from './store-wrapper.js';

export class UncataloguedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UncataloguedEventError';
  }
}

function assertCatalogued(streamName: string, event: NewEvent): void {
  const where = `${event.type} appended to ${streamName}`;
  if (!isLedgerEventType(event.type)) {
    throw new UncataloguedEventError(
      `${where}: the type is not in the ledger's event catalogue (packages/domain/src/events/catalogue.ts)`,
    );
  }
  const version = event.metadata.schemaVersion;
  if (version !== ledgerEventSchemaVersion(event.type)) {
    throw new UncataloguedEventError(
      `${where}: schema version ${String(version)}, the catalogue says ${ledgerEventSchemaVersion(event.type)}`,
    );
  }
  if (isEventType(event.type)) return;
  try {
    parseLedgerEvent(event.type, event.data, version);
  } catch (error) {
    throw new UncataloguedEventError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The same store, every capability included, with every append checked against the catalogue first. */
export function catalogueCheckedStore<Store extends EventStore>(store: Store): Store {
  return withAppend(store, async (streamName, events, options) => {
    for (const event of events) assertCatalogued(streamName, event);
    return store.appendToStream(streamName, events, options);
  });
}

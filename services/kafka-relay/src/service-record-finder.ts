/**
 * Finds a service record's facts in the volunteer's stream, for ServiceHoursConfirmed (whose
 * domain event names only the record). A record is created by ServiceHoursRecorded or as the
 * replacement in a ServiceRecordCorrected.
 */
import { ID_PATTERN, volunteerStream } from '@timebank/domain';
import type { EventStore, JsonObject } from '@timebank/event-store';
import type { FindServiceRecord, ServiceRecordFacts } from './integration-events/mapper.js';

/** Events read per page while scanning a stream; a volunteer's stream is rarely longer. */
const PAGE_EVENTS = 1000;

function facts(fields: JsonObject): ServiceRecordFacts {
  return {
    organisationId: fields.organisationId,
    startAt: fields.startAt,
    endAt: fields.endAt,
    durationMinutes: fields.durationMinutes,
  };
}

export function createServiceRecordFinder(store: EventStore): FindServiceRecord {
  return async (volunteerId, recordId) => {
    if (!ID_PATTERN.test(volunteerId)) return undefined;
    const stream = volunteerStream(volunteerId);
    let fromRevision = 0n;
    for (;;) {
      const page = await store.readStream(stream, { fromRevision, maxCount: PAGE_EVENTS });
      for (const event of page) {
        if (event.type === 'ServiceHoursRecorded' && event.data.recordId === recordId)
          return facts(event.data);
        const replacement = event.data.replacement;
        if (
          event.type === 'ServiceRecordCorrected' &&
          event.data.replacementRecordId === recordId &&
          replacement !== null &&
          typeof replacement === 'object' &&
          !Array.isArray(replacement)
        ) {
          return facts(replacement);
        }
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE_EVENTS) return undefined;
      fromRevision = last.revision + 1n;
    }
  };
}

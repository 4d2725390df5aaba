import t from 'tap';
import type { AllStreamRecordedEvent } from '@eventstore/db-client';
import { CLAIM_EVENT_TYPE, claimEvent, claimEventId, claimStreamName } from '../src/event-id-claims.js';
import { decodeEvent, portStreamName } from '../src/wire-format.js';

const eventId = '0d6f1a52-3c4e-4b7a-9f10-2a3b4c5d6e7f';
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('a claim id is a UUID fixed by (event id, stream), so only the same stream repeats it', async (t) => {
  const id = claimEventId(eventId, 'volunteer-1');
  t.match(id, UUID_V8);
  t.equal(claimEventId(eventId, 'volunteer-1'), id, 'deterministic: a retry is idempotent at the server');
  t.not(claimEventId(eventId, 'volunteer-2'), id, 'another stream conflicts instead');
  t.not(claimEventId('0d6f1a52-3c4e-4b7a-9f10-2a3b4c5d6e70', 'volunteer-1'), id);
});

t.test('claim streams live beside the ledger streams but are never read as ledger events', async (t) => {
  t.equal(claimStreamName(eventId, undefined), `~event-id-${eventId}`);
  t.equal(claimStreamName(eventId, 'ns1'), `ns1.~event-id-${eventId}`);
  t.equal(portStreamName(claimStreamName(eventId, 'ns1'), 'ns1'), undefined);
  t.equal(portStreamName(claimStreamName(eventId, undefined), undefined), undefined);
  const claim = claimEvent(eventId, 'volunteer-1');
  t.equal(claim.type, CLAIM_EVENT_TYPE);
  t.ok(claim.type.startsWith('$'), 'system-typed, so server-side system filters drop it too');
  t.same(claim.data, { eventId, streamName: 'volunteer-1' });
  const stored: AllStreamRecordedEvent = {
    streamId: claimStreamName(eventId, undefined),
    id: claim.id,
    isJson: true,
    revision: 0n,
    type: claim.type,
    created: new Date(0),
    data: { eventId, streamName: 'volunteer-1' },
    metadata: undefined,
    position: { commit: 10n, prepare: 10n },
  };
  t.equal(decodeEvent(stored, undefined), undefined);
});

import t from 'tap';
import type { RecordedEvent } from '@timebank/event-store';
import { matchesFilter, serverFilter } from '../src/subscription-filter.js';

function recorded(streamName: string, type: string): RecordedEvent {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    type,
    data: {},
    metadata: { schemaVersion: 1 },
    streamName,
    revision: 0n,
    position: 1n,
    recordedAt: '2026-01-01T00:00:00.000Z',
    hash: '0'.repeat(64),
  };
}

t.test('the adapter-side filter is the port filter: prefixes and exact types, both applied', async (t) => {
  const event = recorded('volunteer-1', 'PointsHeld');
  t.ok(matchesFilter(event, undefined));
  t.ok(matchesFilter(event, {}));
  t.ok(matchesFilter(event, { streamPrefixes: ['partner-', 'volunteer-'] }));
  t.notOk(matchesFilter(event, { streamPrefixes: ['partner-'] }));
  t.ok(matchesFilter(event, { eventTypes: ['PointsHeld'] }));
  t.notOk(
    matchesFilter(event, { eventTypes: ['PointsHeldX', 'Points'] }),
    'types match exactly, not by prefix',
  );
  t.notOk(matchesFilter(event, { streamPrefixes: ['volunteer-'], eventTypes: ['PointsCaptured'] }));
  t.notOk(matchesFilter(event, { streamPrefixes: [] }), 'an empty list lets nothing through');
});

t.test('the server pre-filter never excludes what the port filter would deliver', async (t) => {
  t.match(serverFilter(undefined, undefined), { filterOn: 'eventType', regex: '^[^$].*' });
  t.match(serverFilter({ streamPrefixes: ['volunteer-'] }, 'ns1'), {
    filterOn: 'streamName',
    prefixes: ['ns1.volunteer-'],
  });
  t.match(serverFilter(undefined, 'ns1'), { filterOn: 'streamName', prefixes: ['ns1.'] });
  t.match(serverFilter({ eventTypes: ['Points.Held-v2', 'X'] }, 'ns1'), { prefixes: ['ns1.'] });
  const byType = serverFilter({ eventTypes: ['Points.Held-v2', 'X'] }, undefined);
  t.match(byType, { filterOn: 'eventType' });
  const regex = new RegExp((byType as { regex: string }).regex);
  t.ok(regex.test('Points.Held-v2'));
  t.ok(regex.test('X'));
  t.notOk(regex.test('PointsxHeld-v2'), 'dots are literal');
  t.notOk(regex.test('XY'));
  t.match(serverFilter({ streamPrefixes: [] }, undefined), { regex: '^[^$].*' });
});

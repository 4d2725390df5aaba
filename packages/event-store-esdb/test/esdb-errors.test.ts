import t from 'tap';
import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import { WrongExpectedVersionError, isWrongExpectedVersion } from '@timebank/event-store';
import { esdbConflict, isStreamNotFound, isTransientEsdbError, toPortConflict } from '../src/esdb-errors.js';

/** A gRPC `ServiceError` as @grpc/grpc-js delivers it: an Error with a status code and metadata. */
function serviceError(code: number, details: string, metadata: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${code} ${details}`), {
    code,
    details,
    metadata: { getMap: () => metadata },
  });
}

t.test('unavailable, not-leader, cancelled and deadline errors are transient', async (t) => {
  t.ok(isTransientEsdbError(new UnavailableError()));
  t.ok(isTransientEsdbError(new CancelledError()));
  t.ok(isTransientEsdbError(new DeadlineExceededError()));
  const notLeader = new NotLeaderError(
    serviceError(5, 'Leader info available', {
      exception: 'not-leader',
      'leader-endpoint-host': 'node2',
      'leader-endpoint-port': '2113',
    }) as ConstructorParameters<typeof NotLeaderError>[0],
  );
  t.equal(notLeader.leader.address, 'node2');
  t.ok(isTransientEsdbError(notLeader));
});

t.test('raw gRPC errors are classified through the client conversion', async (t) => {
  t.ok(isTransientEsdbError(serviceError(14, 'No connection established')), 'UNAVAILABLE');
  t.ok(isTransientEsdbError(serviceError(4, 'Deadline exceeded')), 'DEADLINE_EXCEEDED');
  t.ok(isTransientEsdbError(serviceError(1, 'Cancelled by server')), 'server-side CANCELLED');
  t.notOk(isTransientEsdbError(serviceError(1, 'Cancelled on client')), 'our own cancellation');
  t.ok(
    isTransientEsdbError(
      serviceError(5, 'x', {
        exception: 'not-leader',
        'leader-endpoint-host': 'a',
        'leader-endpoint-port': '1',
      }),
    ),
  );
});

t.test('conflicts, access errors and programmer errors are not transient', async (t) => {
  const conflict = new EsdbWrongExpectedVersionError(undefined, {
    streamName: 'volunteer-1',
    expected: 3n,
    current: 5n,
  });
  t.notOk(isTransientEsdbError(conflict));
  t.notOk(isTransientEsdbError(new AccessDeniedError()));
  t.notOk(isTransientEsdbError(new TypeError('bug')));
  t.notOk(isTransientEsdbError('not an error'));
});

t.test('a server conflict becomes the port conflict with the actual revision', async (t) => {
  const behind = new EsdbWrongExpectedVersionError(undefined, {
    streamName: 'ns.v-1',
    expected: 3n,
    current: 5n,
  });
  t.equal(esdbConflict(behind), behind);
  const mapped = toPortConflict('v-1', 3n, behind);
  t.ok(mapped instanceof WrongExpectedVersionError);
  t.ok(isWrongExpectedVersion(mapped));
  t.match(mapped, {
    code: 'WRONG_EXPECTED_VERSION',
    streamName: 'v-1',
    expectedRevision: 3n,
    actualRevision: 5n,
  });
  const missing = new EsdbWrongExpectedVersionError(undefined, {
    streamName: 'v-2',
    expected: 'stream_exists',
    current: 'no_stream',
  });
  t.match(toPortConflict('v-2', 'stream_exists', missing), { actualRevision: 'no_stream' });
  const raw = serviceError(9, 'wev', {
    exception: 'wrong-expected-version',
    'stream-name': 'v-3',
    'expected-version': '1',
    'actual-version': '4',
  });
  t.equal(esdbConflict(raw)?.actualVersion, 4n);
  t.equal(esdbConflict(new UnavailableError()), undefined);
});

t.test('a missing stream is recognised so that it reads as empty', async (t) => {
  t.ok(isStreamNotFound(new StreamNotFoundError(undefined, 'volunteer-9')));
  t.notOk(isStreamNotFound(new UnavailableError()));
});

/**
 * Graceful shutdown over real HTTP, in the order server.ts runs it: `close()` stops accepting
 * connections, lets the request in flight finish with its normal answer, stops the projector and
 * closes the read models; then the store closes. The in-flight request is held inside the real
 * SQLite store's append by a gate, so the test controls exactly when it finishes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqliteEventStore } from '@timebank/event-store-sqlite';
import type { EventStore, Subscription } from '@timebank/event-store';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/http/logging.js';
import { wireLedgerApi } from '../src/wiring.js';
import { EVENT_STORE_FILE } from '@timebank/ledger-opener';

/**
 * The real store; appends to `gatedStream` wait until the gate opens. `liveSubscriptions` holds
 * the subscriptions opened through it and not yet closed, so the test can see that a stopped
 * projector no longer follows the store instead of waiting to see whether it applies anything.
 */
function gatedStore(store: EventStore, gatedStream: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const liveSubscriptions = new Set<Subscription>();
  const gated: EventStore = Object.create(store) as EventStore;
  gated.appendToStream = async (streamName, events, options) => {
    if (streamName === gatedStream) {
      entered();
      await gate;
    }
    return store.appendToStream(streamName, events, options);
  };
  gated.subscribeToAll = (options) => {
    const subscription = store.subscribeToAll(options);
    liveSubscriptions.add(subscription);
    return {
      [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
      close: async () => {
        liveSubscriptions.delete(subscription);
        await subscription.close();
      },
    };
  };
  return { store: gated, open, reached, liveSubscriptions };
}

/** Resolves with the connection error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** Connects until the port refuses, at most `attemptsMax` times; answers the last outcome. */
async function refusedWithin(port: number, attemptsMax: number): Promise<string> {
  let outcome = await tryConnect(port);
  for (let attempt = 1; attempt < attemptsMax && outcome !== 'ECONNREFUSED'; attempt += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    outcome = await tryConnect(port);
  }
  return outcome;
}

t.test('close() drains the in-flight request, refuses new connections, stops the projector', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'timebank-shutdown-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const real = createSqliteEventStore({ path: join(directory, EVENT_STORE_FILE) });
  const { store, open, reached, liveSubscriptions } = gatedStore(real, 'organisation-slow');
  const wired = await wireLedgerApi({
    // The projector in this thread, so the gated store sees its subscription (projector-thread.test.ts covers the worker).
    config: loadConfig({ LEDGER_DATA_DIR: directory, LEDGER_PROJECTOR_THREAD: 'false' }),
    store,
    logger: createLogger({ level: 'silent' }),
  });
  const { key } = await wired.context.keys.issue({
    role: 'admin',
    scope: { kind: 'all' },
    label: 'admin',
    issuedBy: 'test',
    idempotencyKey: 'admin-key',
  });
  const address = await wired.app.listen({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(address).port);
  const post = (organisationId: string) =>
    fetch(`${address}/v1/admin/organisations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'idempotency-key': organisationId,
      },
      body: JSON.stringify({ organisationId, name: 'Station', community: 'c1' }),
    });

  const before = await post('fast');
  t.equal(before.status, 201, 'the server answers before shutdown');
  t.ok(await wired.projector.waitFor(await real.headPosition(), 5000), 'the projector caught up');
  t.ok(liveSubscriptions.size > 0, 'the running projector follows the store');

  const inFlight = post('slow');
  await reached;
  const events: string[] = [];
  const closing = wired.close().then(() => events.push('closed'));
  // fastify stops listening as close() begins; the in-flight request keeps its connection. Wait
  // for the listener to go (a positive signal) rather than for a fixed pause: the in-flight request
  // is still held by the gate, so whatever close() does meanwhile, it cannot have finished draining.
  t.equal(await refusedWithin(port, 200), 'ECONNREFUSED', 'new connections are refused while draining');
  t.same(events, [], 'close() waits for the request in flight');

  open();
  const answered = await inFlight;
  events.push('answered');
  t.equal(answered.status, 201, 'the in-flight request completes with its normal answer');
  t.match(await answered.json(), { organisationId: 'slow', position: /^\d+$/ });
  await closing;
  t.same(events, ['answered', 'closed'], 'close() resolved after the in-flight answer');
  t.equal(answered.headers.get('connection'), 'close', 'the drained answer ends its keep-alive connection');

  t.equal(liveSubscriptions.size, 0, 'the stopped projector no longer follows the store');
  const checkpoint = wired.projector.checkpoint();
  // A subscriber that is still live: once it has the later event, the store has delivered it.
  const witness = real.subscribeToAll({ fromPosition: checkpoint });
  const later = await real.appendToStream(
    'organisation-later',
    [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'OrganisationRegistered',
        data: {
          idempotencyKey: 'later',
          organisationId: 'later',
          name: 'Later',
          community: 'c1',
          registeredAt: new Date().toISOString(),
          actor: { id: 'admin', role: 'administrator' },
        },
        metadata: { schemaVersion: 1 },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  for await (const message of witness) {
    if (message.kind === 'event' && message.event.position >= later.position) break;
  }
  await witness.close();
  t.equal(wired.projector.checkpoint(), checkpoint, 'the stopped projector applies nothing more');
  await t.rejects(
    wired.projector.waitForPosition(await real.headPosition()),
    { code: 'PROJECTION_STOPPED' },
    'read-your-writes waits are refused once the projector stopped',
  );

  await real.close();
  await t.rejects(
    real.readStream('organisation-slow'),
    { message: /^event store .* is closed$/ },
    'the store is closed',
  );
});

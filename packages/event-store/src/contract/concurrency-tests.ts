/**
 * Contract: behaviour under concurrent callers — one winner per expected revision, and a global
 * log that a concurrent reader pages through without skipping or repeating anything.
 */
import { isWrongExpectedVersion, WrongExpectedVersionError } from '../errors.js';
import { verifyStreamChain } from '../hash-chain.js';
import type { ExpectedRevision, RecordedEvent } from '../port.js';
import { newEvent, newEvents, readWholeLog, withStore } from './fixtures.js';
import type { ContractHarness, Tap } from './fixtures.js';

/** How many callers race for one stream; enough to land in one group commit and across several. */
const RACING_CALLERS = 20;

export function concurrencyContract(t: Tap, harness: ContractHarness): void {
  for (const expected of ['no_stream', 'exact'] as const) {
    withStore(
      t,
      harness,
      `${RACING_CALLERS} callers at one expected revision (${expected}): one wins`,
      async (t, store) => {
        let expectedRevision: ExpectedRevision = 'no_stream';
        if (expected === 'exact') {
          await store.appendToStream('race-1', newEvents(2), { expectedRevision: 'no_stream' });
          expectedRevision = 1n;
        }
        const batches = Array.from({ length: RACING_CALLERS }, (_, caller) => newEvents(3, caller * 100));
        const outcomes = await Promise.allSettled(
          batches.map((batch) => store.appendToStream('race-1', batch, { expectedRevision })),
        );
        const winners = outcomes.flatMap((outcome, caller) =>
          outcome.status === 'fulfilled' ? [caller] : [],
        );
        t.equal(winners.length, 1, 'exactly one caller wins');
        const base = expected === 'exact' ? 2 : 0;
        for (const outcome of outcomes) {
          if (outcome.status === 'fulfilled') continue;
          const error: unknown = outcome.reason;
          if (!(error instanceof WrongExpectedVersionError)) {
            t.fail(`a loser failed with something else: ${String(error)}`);
            continue;
          }
          if (error.actualRevision !== BigInt(base + 2)) {
            t.fail(`a loser saw actual revision ${String(error.actualRevision)}`);
          }
        }
        const events = await store.readStream('race-1');
        t.equal(events.length, base + 3, 'only the winner was written, whole');
        const winner = batches[winners[0] ?? -1];
        t.same(
          events.slice(base).map((event) => event.id),
          winner?.map((event) => event.id),
          'the stored events are the winner’s',
        );
        t.equal(verifyStreamChain('race-1', events).ok, true);
        t.equal((await readWholeLog(store)).length, base + 3, 'nothing half-written anywhere in the log');
      },
    );
  }

  withStore(
    t,
    harness,
    'callers appending with any to one stream get gapless revisions',
    async (t, store) => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, caller) =>
          store.appendToStream('busy-1', newEvents(2, caller * 10), { expectedRevision: 'any' }),
        ),
      );
      const revisions = results.map((result) => result.nextExpectedRevision).sort((a, b) => (a < b ? -1 : 1));
      t.same(
        revisions,
        Array.from({ length: 30 }, (_, index) => BigInt(index * 2 + 1)),
        'each append got its own slot',
      );
      const events = await store.readStream('busy-1');
      t.equal(events.length, 60);
      t.equal(verifyStreamChain('busy-1', events).ok, true);
    },
  );

  withStore(t, harness, 'readAll pages a log written concurrently by many streams', async (t, store) => {
    const streams = 12;
    const appendsPerStream = 8;
    let writing = true;
    const writers = Array.from({ length: streams }, async (_, stream) => {
      let expectedRevision: ExpectedRevision = 'no_stream';
      for (let append = 0; append < appendsPerStream; append += 1) {
        const events = newEvents((append % 3) + 1, append * 10);
        const result = await store.appendToStream(`many-${stream}`, events, { expectedRevision });
        expectedRevision = result.nextExpectedRevision;
      }
    });
    // A reader pages through the log while it grows; it must see every event once and in order.
    const seen: RecordedEvent[] = [];
    const reader = (async () => {
      let fromPosition: bigint | undefined;
      for (;;) {
        const stillWriting = writing;
        const page = await store.readAll(
          fromPosition === undefined ? { maxCount: 7 } : { fromPosition, maxCount: 7 },
        );
        if (page.length > 7) throw new Error(`maxCount 7 returned ${page.length} events`);
        seen.push(...page);
        fromPosition = page.at(-1)?.position ?? fromPosition;
        if (page.length === 0 && !stillWriting) return;
        if (page.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await Promise.all(writers);
    writing = false;
    await reader;

    const log = await readWholeLog(store);
    t.equal(log.length, streams * (1 + 2 + 3 + 1 + 2 + 3 + 1 + 2), 'every event is in the log');
    t.ok(
      log.every((event, index) => index === 0 || event.position > (log[index - 1]?.position ?? 0n)),
      'positions strictly increase',
    );
    t.equal(new Set(log.map((event) => event.id)).size, log.length, 'every event exactly once');
    t.same(
      seen.map((event) => event.id),
      log.map((event) => event.id),
      'the concurrent reader saw exactly the final log, in order',
    );
    const next = new Map<string, bigint>();
    for (const event of log) {
      if (event.revision !== (next.get(event.streamName) ?? 0n)) {
        t.fail(`${event.streamName} revision ${event.revision} out of order in the global log`);
      }
      next.set(event.streamName, event.revision + 1n);
    }
    const middle = log[20];
    if (middle !== undefined) {
      t.same(
        await store.readAll({ fromPosition: middle.position, maxCount: 5 }),
        log.slice(21, 26),
        'fromPosition is exclusive and maxCount bounds the page',
      );
    }
    const last = log.at(-1);
    if (last !== undefined) {
      t.same(await store.readAll({ fromPosition: last.position }), [], 'nothing after the head');
      t.equal(await store.headPosition(), last.position, 'head position is the last event');
    }
  });

  withStore(t, harness, 'a conflicting append never fails its neighbours', async (t, store) => {
    await store.appendToStream('mixed-0', [newEvent(0)], { expectedRevision: 'no_stream' });
    const outcomes = await Promise.allSettled([
      store.appendToStream('mixed-1', [newEvent(1)], { expectedRevision: 'no_stream' }),
      store.appendToStream('mixed-0', [newEvent(2)], { expectedRevision: 'no_stream' }),
      store.appendToStream('mixed-2', [newEvent(3)], { expectedRevision: 'no_stream' }),
      store.appendToStream('mixed-0', [newEvent(4)], { expectedRevision: 5n }),
      store.appendToStream('mixed-3', [newEvent(5)], { expectedRevision: 'no_stream' }),
    ]);
    t.same(
      outcomes.map((outcome) => outcome.status === 'fulfilled' || isWrongExpectedVersion(outcome.reason)),
      [true, true, true, true, true],
      'failures are conflicts only',
    );
    t.same(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
    );
    t.equal((await readWholeLog(store)).length, 4);
  });
}

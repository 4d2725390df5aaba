/**
 * Child process of the ledger-soak benchmark: the API built in process (`wireLedgerApi`, durable
 * SQLite) takes `--requests` mixed requests through `app.inject`, half one-centipoint redemptions
 * with a fresh Idempotency-Key each, half balance queries, from 20 callers. It prints as JSON the
 * heap retained after a forced full GC once warm, after `--checkpoint` requests and at the end,
 * the RSS at the end, and the store's bytes per redemption. Every `--checkpoint` requests it also
 * reads the heap after a forced GC and the RSS, and prints a progress line on stderr (the parent
 * shows it live: a million requests take a quarter of an hour or more); the readings go into the
 * JSON as `curve`. `--previous-release` stores what the
 * previous release stored, the baseline: the store's `IdempotencyClaims` hidden, so that keys are
 * claimed as events of their own streams, and the metadata of every event repeating the
 * idempotency key and the actor its data records, and its bytes are those of the previous
 * release's table layout (text stream names, ids, hashes and times), into which the store's rows
 * are copied in commit order (support/previous-release-layout.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { actorLabelOf, idempotencyKeyOf } from '@timebank/application';
import type { EventStore, NewEvent } from '@timebank/event-store';
import { EVENT_STORE_FILE, openEventStore } from '@timebank/ledger-opener';
import { loadConfig } from '../../services/ledger-api/src/config.js';
import { createLogger } from '../../services/ledger-api/src/http/logging.js';
import { wireLedgerApi } from '../../services/ledger-api/src/wiring.js';
import { previousReleaseMirror } from './support/previous-release-layout.js';
import { soakWorld } from './support/soak-world.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    checkpoint: { type: 'string' },
    volunteers: { type: 'string' },
    'previous-release': { type: 'boolean', default: false },
  },
  strict: true,
});
const requests = Number(values.requests);
const checkpoint = Number(values.checkpoint);
const volunteers = Number(values.volunteers);
if (
  !Number.isInteger(requests) ||
  !Number.isInteger(volunteers) ||
  !Number.isInteger(checkpoint) ||
  checkpoint > requests
)
  throw new Error('usage: ledger-soak-child --requests N --checkpoint N --volunteers N [--previous-release]');
/** Concurrent callers, as in the issue's soak. */
const CALLERS = 20;
/** Requests before the first reading, as a share of the checkpoint: caches and JIT warm. */
const WARM_FRACTION = 0.1;
/** Centipoints one hour earns under the default policy; each redemption spends one. */
const CENTIPOINTS_PER_HOUR = 50;

/**
 * The store as the previous release used it: no `IdempotencyClaims`, and metadata that repeats
 * the idempotency key and the actor that the data records.
 */
function previousRelease(store: EventStore): EventStore {
  const withRepeatedMetadata = (event: NewEvent): NewEvent => {
    const key = idempotencyKeyOf(event);
    const actor = actorLabelOf(event);
    return {
      ...event,
      metadata: {
        ...event.metadata,
        ...(key === undefined ? {} : { idempotencyKey: key }),
        ...(actor === undefined ? {} : { actor }),
      },
    };
  };
  return {
    engine: store.engine,
    appendToStream: (streamName, events, options) =>
      store.appendToStream(streamName, events.map(withRepeatedMetadata), options),
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

const directory = mkdtempSync(join(tmpdir(), 'timebank-soak-'));
const path = join(directory, EVENT_STORE_FILE);
// The soak measures memory and disk, not the per-key rate limit a partner terminal is held to.
const config = loadConfig({ LEDGER_DATA_DIR: directory, RATE_LIMIT_REQUESTS_MAX: '10000000' });
// Opened as the server opens it (server.ts): the configuration's defaults, writer thread included.
const sqlite = await openEventStore(config.store);
const store = values['previous-release'] ? previousRelease(sqlite) : sqlite;
const api = await wireLedgerApi({
  config,
  store,
  logger: createLogger({ level: 'silent' }),
});
const meter = new Database(path, { readonly: true });
const mirror = values['previous-release']
  ? previousReleaseMirror(path, join(directory, 'previous-release-layout.db'))
  : undefined;
/** Bytes the database holds in use, WAL included (the reading connection sees the WAL's pages). */
const storeBytes = (): number => {
  if (mirror !== undefined) return mirror.catchUp();
  const pages = Number(meter.pragma('page_count', { simple: true }));
  const free = Number(meter.pragma('freelist_count', { simple: true }));
  return (pages - free) * Number(meter.pragma('page_size', { simple: true }));
};
/** Resident memory by kind (anonymous: heaps and caches; file: code and mapped files), in bytes. */
const rssParts = (): Record<string, number> =>
  Object.fromEntries(
    [...readFileSync('/proc/self/status', 'utf8').matchAll(/^(Rss\w+):\s+(\d+) kB$/gm)].map((match) => [
      match[1]!,
      Number(match[2]) * 1024,
    ]),
  );
const heapAfterGc = (): number => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

try {
  // Enough points for every redemption the soak sends to one volunteer, and an hour to spare.
  const earnedHours = Math.ceil(requests / 2 / volunteers / CENTIPOINTS_PER_HOUR) + 1;
  const world = await soakWorld(api, volunteers, earnedHours);
  let sent = 0;
  let redemptions = 0;
  let failures = 0;
  const drive = async (until: number): Promise<void> => {
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (sent < until) {
          const n = sent++;
          const volunteerId = world.volunteerIds[n % world.volunteerIds.length]!;
          const response =
            n % 2 === 0 ? await world.redeem(volunteerId, `soak-${n}`) : await world.balance(volunteerId);
          if (response.statusCode >= 300) failures += 1;
          else if (n % 2 === 0) redemptions += 1;
        }
      }),
    );
  };
  const started = performance.now();
  const curve: { requests: number; heapBytes: number; rssBytes: number; seconds: number }[] = [];
  /** Drives to `until` requests, then reads the heap after GC and the RSS, and reports progress. */
  const driveAndRead = async (until: number): Promise<number> => {
    await drive(until);
    const heapBytes = heapAfterGc();
    const seconds = (performance.now() - started) / 1000;
    curve.push({ requests: until, heapBytes, rssBytes: process.memoryUsage().rss, seconds });
    const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
    process.stderr.write(
      `soak: ${until.toLocaleString('en-US')} of ${requests.toLocaleString('en-US')} requests in ${seconds.toFixed(0)} s ` +
        `(${Math.round(until / seconds)}/s), heap after GC ${mib(heapBytes)} MiB, RSS ${mib(process.memoryUsage().rss)} MiB ` +
        `(${Object.entries(rssParts())
          .map(([name, bytes]) => `${name} ${mib(bytes)}`)
          .join(', ')}; external ${mib(process.memoryUsage().external)})\n`,
    );
    return heapBytes;
  };
  const warmHeapBytes = await driveAndRead(Math.floor(checkpoint * WARM_FRACTION));
  const warmStoreBytes = storeBytes();
  const warmRedemptions = redemptions;
  const checkpointHeapBytes = await driveAndRead(checkpoint);
  for (let next = checkpoint * 2; next < requests; next += checkpoint) await driveAndRead(next);
  const endHeapBytes = await driveAndRead(requests);
  const bytesPerRedemption = (storeBytes() - warmStoreBytes) / Math.max(1, redemptions - warmRedemptions);
  console.log(
    JSON.stringify({
      warmHeapBytes,
      checkpointHeapBytes,
      endHeapBytes,
      rssBytes: process.memoryUsage().rss,
      memory: { ...process.memoryUsage(), ...rssParts() },
      bytesPerRedemption,
      redemptions,
      failures,
      curve,
    }),
  );
} finally {
  meter.close();
  mirror?.close();
  await api.close();
  await sqlite.close();
  rmSync(directory, { recursive: true, force: true });
}

/**
 * The floor of the `api-http` write benchmark (issue #15): the least a durable write can do over
 * HTTP on this machine. Fastify with no plugins parses the record's body, and one SQLite
 * transaction per batch (group commit, WAL, `synchronous` FULL unless FLOOR_SYNCHRONOUS says
 * otherwise) inserts the event row (its sha-256 id and hash chain), the Idempotency-Key's claim
 * and one read-model row, then answers 201 with the position. No authentication, validation,
 * domain decision, idempotency lookup, canonical encoding, metrics or logging. With
 * FLOOR_WRITER=thread the transaction runs on a worker thread (the request thread posts one batch
 * per tick and goes on parsing), as the ledger's writer thread does; otherwise on the request
 * thread. `AB_FLOOR=1 AB_ROUTE=writes tsx scripts/bench/api-http-ab.ts` sets it beside the ledger
 * and the plain route.
 *
 *   node --import tsx scripts/bench/api-http-floor-server.ts   (prints "listening on <url>")
 */
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

interface Item {
  readonly stream: string;
  readonly key: string;
  readonly data: string;
  readonly minutes: number;
}

/** Opens the store in `directory` and returns the group commit of one batch. */
function openStore(directory: string): (items: readonly Item[]) => number[] {
  const db = new Database(join(directory, 'events.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${process.env.FLOOR_SYNCHRONOUS ?? 'FULL'}`);
  db.exec(`CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL,
      id BLOB NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, hash BLOB NOT NULL, UNIQUE (stream, revision));
    CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS hours (volunteer TEXT PRIMARY KEY, minutes INTEGER NOT NULL, position INTEGER NOT NULL) WITHOUT ROWID;`);
  const insertEvent = db.prepare(
    'INSERT INTO events (stream, revision, id, type, data, hash) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertClaim = db.prepare('INSERT INTO claims (key, position) VALUES (?, ?)');
  const upsertHours = db.prepare(
    'INSERT INTO hours (volunteer, minutes, position) VALUES (?, ?, ?) ' +
      'ON CONFLICT (volunteer) DO UPDATE SET minutes = minutes + excluded.minutes, position = excluded.position',
  );
  const revisions = new Map<string, number>();
  let lastHash = Buffer.alloc(32);
  return db.transaction((items: readonly Item[]) =>
    items.map((item) => {
      const revision = (revisions.get(item.stream) ?? -1) + 1;
      revisions.set(item.stream, revision);
      const id = createHash('sha256').update(item.key).digest();
      lastHash = createHash('sha256').update(lastHash).update(item.data).digest();
      const position = Number(
        insertEvent.run(item.stream, revision, id, 'ServiceHoursRecorded', item.data, lastHash)
          .lastInsertRowid,
      );
      insertClaim.run(item.key, position);
      upsertHours.run(item.stream, item.minutes, position);
      return position;
    }),
  );
}

if (!isMainThread) {
  const commit = openStore(workerData as string);
  parentPort!.on('message', (items: Item[]) => parentPort!.postMessage(commit(items)));
} else {
  const directory = mkdtempSync(join(tmpdir(), 'floor-'));
  let commitBatch: (items: Item[]) => Promise<number[]>;
  if (process.env.FLOOR_WRITER === 'thread') {
    const worker = new Worker(
      // A worker does not inherit tsx's loader on Node 20: register it, then load this file.
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`,
      { eval: true, workerData: directory },
    );
    const waiting: ((positions: number[]) => void)[] = [];
    worker.on('message', (positions: number[]) => waiting.shift()!(positions));
    commitBatch = (items) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        worker.postMessage(items);
      });
  } else {
    const commit = openStore(directory);
    commitBatch = async (items) => commit(items);
  }
  // One batch in flight at a time: requests that arrive while it commits form the next batch.
  let batch: { item: Item; resolve: (position: number) => void }[] = [];
  let committing = false;
  const flush = (): void => {
    if (committing || batch.length === 0) return;
    const taken = batch;
    batch = [];
    committing = true;
    void commitBatch(taken.map((entry) => entry.item)).then((positions) => {
      committing = false;
      taken.forEach((entry, index) => entry.resolve(positions[index]!));
      flush();
    });
  };
  const app = Fastify({ logger: false });
  app.post('/v1/volunteers/:volunteerId/service-records', async (request, reply) => {
    const { volunteerId } = request.params as { volunteerId: string };
    const body = request.body as { activity: string; startAt: string; endAt: string };
    const minutes = (Date.parse(body.endAt) - Date.parse(body.startAt)) / 60_000;
    const item: Item = {
      stream: `volunteer-${volunteerId}`,
      key: request.headers['idempotency-key'] as string,
      data: JSON.stringify({
        volunteerId,
        activity: body.activity,
        startAt: body.startAt,
        endAt: body.endAt,
      }),
      minutes,
    };
    const position = await new Promise<number>((resolve) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ item, resolve });
    });
    return reply.code(201).send({ recordId: item.key, durationMinutes: minutes, position: String(position) });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening on ${address}\n`);
  process.once(
    'SIGTERM',
    () =>
      void app.close().then(() => {
        rmSync(directory, { recursive: true, force: true });
        process.exit(0);
      }),
  );
}

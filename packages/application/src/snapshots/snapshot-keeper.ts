/**
 * Snapshots of folded state, so that the first load of a long stream after a restart reads one
 * row and the events after it instead of the whole stream (docs/operations.md, "Snapshots").
 *
 * Writing stays off the request path: the command handler only notes a stream's new head (a map
 * look-up); a timer later takes the cached state of each stream that is due, encodes it, seals it
 * and upserts the batch. Reading trusts nothing it cannot check: a snapshot is used only when its
 * fold version is this code's, its recorded chain hash is the hash of the stream's event at its
 * revision, its MAC verifies and its payload opens; otherwise it is deleted and the stream folded
 * from its start.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EventStore, SnapshotStore, StoredSnapshot } from '@timebank/event-store';
import { foldVersionOf, type VersionedFold } from './fold-version.js';
import { decodeStateBytes, encodeStateBytes } from './state-codec.js';

/** Events after the last snapshot before a stream is due for a new one; see docs/operations.md. */
export const DEFAULT_SNAPSHOT_EVERY_EVENTS = 200;
/** How long noted heads wait before a batch is written, in milliseconds: batches a burst of commands. */
const FLUSH_DELAY_MS = 1000;
/** Streams whose last snapshot revision is remembered; beyond it the oldest are forgotten (a forgotten one may be snapshotted early once). */
const KNOWN_REVISIONS_MAX = 10_000;
/**
 * Streams encoded per background batch: each costs the event loop a few milliseconds (about 4 ms
 * for a 10,000-event volunteer), so 16 keep a batch's pause near a request's own latency.
 */
const SNAPSHOTS_PER_BATCH_MAX = 16;
/** HMAC-SHA-256 tag at the head of every stored payload, in bytes. */
const MAC_BYTES = 32;

/**
 * How a stream's snapshot payload is protected at rest. `seal` returns null when the stream must
 * not be snapshotted now (its data subject was erased); `open` returns null when the payload can no
 * longer be opened (the key was destroyed), and the snapshot is then discarded.
 */
export interface SnapshotSealer {
  /** Whether the stream may have snapshots at all (streams holding several people's data may not). */
  accepts(streamName: string): boolean;
  seal(streamName: string, plaintext: Buffer, associatedData: string): Promise<Buffer | null>;
  open(streamName: string, sealed: Buffer, associatedData: string): Promise<Buffer | null>;
}

/** Stores the encoding as is; for ledgers without personal-data keys, whose events are plain too. */
export const PLAIN_SNAPSHOTS: SnapshotSealer = {
  accepts: () => true,
  seal: (_streamName, plaintext) => Promise.resolve(plaintext),
  open: (_streamName, sealed) => Promise.resolve(sealed),
};

export interface SnapshotOptions {
  readonly store: SnapshotStore;
  /** Key of the MAC over each snapshot (32 bytes or more), so that a changed row is refused. */
  readonly macKey: Buffer;
  /** Events since a stream's last snapshot before it is due again. Default 200. */
  readonly everyEvents?: number;
  readonly sealer?: SnapshotSealer;
  /** Told about a failed background write (the snapshots are a cache: nothing else fails). */
  readonly onWriteError?: (error: unknown) => void;
}

/** A stream's state as the handler holds it, when it is safe to read (no command in flight). */
export type CachedStateOf = (streamName: string) => { state: unknown; revision: bigint } | undefined;

export interface SnapshotCounters {
  readonly restored: number;
  readonly discarded: number;
  readonly written: number;
}

function associatedData(streamName: string, revision: bigint, foldVersion: string): string {
  return `snapshot\n${streamName}\n${revision}\n${foldVersion}`;
}

export class SnapshotKeeper {
  readonly #store: SnapshotStore;
  readonly #macKey: Buffer;
  readonly #everyEvents: bigint;
  readonly #sealer: SnapshotSealer;
  readonly #onWriteError: (error: unknown) => void;
  /** Revision of each stream's stored snapshot, as far as this process knows (-1n: none). */
  readonly #snapshotRevisions = new Map<string, bigint>();
  /** Streams due for a snapshot, with the fold that produced their cached state. */
  readonly #due = new Map<string, VersionedFold>();
  /** Streams discarded while a batch was being prepared: its snapshot of them must not land. */
  readonly #discardedSinceFlush = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #restored = 0;
  #discarded = 0;
  #written = 0;
  /** Restores waiting for their turn, first come first served (see `#turn`). */
  readonly #waitingRestores: (() => void)[] = [];
  #grantingTurns = false;

  readonly #events: EventStore;
  readonly #cachedStateOf: CachedStateOf;

  /**
   * @param events the store the handler folds from (read for the chain hash at a revision)
   * @param cachedStateOf the handler's cached state of a stream, when no command is changing it
   */
  constructor(options: SnapshotOptions, events: EventStore, cachedStateOf: CachedStateOf) {
    this.#events = events;
    this.#cachedStateOf = cachedStateOf;
    const everyEvents = options.everyEvents ?? DEFAULT_SNAPSHOT_EVERY_EVENTS;
    if (!Number.isSafeInteger(everyEvents) || everyEvents < 1)
      throw new RangeError('snapshot everyEvents must be a whole number ≥ 1');
    if (options.macKey.length < 32) throw new RangeError('the snapshot MAC key must be at least 32 bytes');
    this.#store = options.store;
    this.#macKey = options.macKey;
    this.#everyEvents = BigInt(everyEvents);
    this.#sealer = options.sealer ?? PLAIN_SNAPSHOTS;
    this.#onWriteError = options.onWriteError ?? (() => undefined);
  }

  get counters(): SnapshotCounters {
    return { restored: this.#restored, discarded: this.#discarded, written: this.#written };
  }

  #mac(header: Omit<StoredSnapshot, 'payload'>, body: Buffer): Buffer {
    return createHmac('sha256', this.#macKey)
      .update(`${header.streamName}\n${header.revision}\n${header.eventHash}\n${header.foldVersion}\n`)
      .update(body)
      .digest();
  }

  /**
   * The stream's state from its snapshot, checked against the events, or undefined: no usable snapshot, so fold from the start. A snapshot that fails a check
   * is deleted.
   */
  async restore(
    streamName: string,
    fold: VersionedFold,
  ): Promise<{ state: unknown; revision: bigint } | undefined> {
    if (!this.#sealer.accepts(streamName)) return undefined;
    // The snapshots are a cache: an unreadable snapshot store costs a full fold, never the command.
    const snapshot = await this.#store.readSnapshot(streamName).catch(() => undefined);
    if (snapshot === undefined) {
      this.#remember(streamName, -1n);
      return undefined;
    }
    // Only the checks and the decoding wait for a turn: a stream without a snapshot (most shared
    // ones, which every command loads) must not queue behind long volunteers' restores.
    await this.#turn();
    const state = await this.#verified(snapshot, fold);
    if (state === undefined) {
      this.#discarded += 1;
      this.#remember(streamName, -1n);
      await this.#store.deleteSnapshot(streamName).catch(this.#onWriteError);
      return undefined;
    }
    this.#restored += 1;
    this.#remember(streamName, snapshot.revision);
    return { state, revision: snapshot.revision };
  }

  /**
   * Resolves at this restore's turn: one restore per turn of the event loop, in arrival order.
   * Reading, checking and decoding a long stream's snapshot is a few milliseconds of CPU; when many
   * streams are loaded at once (after a restart), started together they would finish together, so
   * every caller would wait for all of them. One per turn lets the first caller's command decide
   * and reach the group commit while the others still wait, and between turns other requests run.
   */
  #turn(): Promise<void> {
    return new Promise((resolve) => {
      this.#waitingRestores.push(resolve);
      if (this.#grantingTurns) return;
      this.#grantingTurns = true;
      setImmediate(this.#grantTurn);
    });
  }

  readonly #grantTurn = (): void => {
    const next = this.#waitingRestores.shift();
    if (next === undefined) {
      this.#grantingTurns = false;
      return;
    }
    // The restore runs in the microtasks after this callback; the next turn is a later immediate.
    next();
    setImmediate(this.#grantTurn);
  };

  async #verified(snapshot: StoredSnapshot, fold: VersionedFold): Promise<unknown> {
    const foldVersion = foldVersionOf(fold);
    if (snapshot.foldVersion !== foldVersion) return undefined;
    // The event the snapshot was folded up to must still be there, with the hash it recorded.
    const [atRevision] = await this.#events.readStream(snapshot.streamName, {
      fromRevision: snapshot.revision,
      maxCount: 1,
    });
    if (atRevision?.revision !== snapshot.revision || atRevision.hash !== snapshot.eventHash)
      return undefined;
    if (snapshot.payload.length < MAC_BYTES) return undefined;
    const tag = snapshot.payload.subarray(0, MAC_BYTES);
    const body = snapshot.payload.subarray(MAC_BYTES);
    if (!timingSafeEqual(tag, this.#mac(snapshot, body))) return undefined;
    const plaintext = await this.#sealer
      .open(snapshot.streamName, body, associatedData(snapshot.streamName, snapshot.revision, foldVersion))
      .catch(() => null);
    if (plaintext === null) return undefined;
    // A payload that verified but does not decode (a bug, not tampering) is discarded like any other.
    try {
      return decodeStateBytes(plaintext);
    } catch {
      return undefined;
    }
  }

  /**
   * The handler folded or appended up to `revision`: when that is `everyEvents` past the stream's
   * snapshot, the stream is queued for the next batch. Cheap: called on every command.
   */
  noteHead(streamName: string, fold: VersionedFold, revision: bigint): void {
    const snapshotRevision = this.#snapshotRevisions.get(streamName) ?? -1n;
    if (revision - snapshotRevision < this.#everyEvents || this.#due.has(streamName)) return;
    if (!this.#sealer.accepts(streamName)) return;
    this.#due.set(streamName, fold);
    this.#armTimer();
  }

  /** Writes every due snapshot now (tests, benchmarks and shutdown); resolves when they are stored. */
  flush(): Promise<void> {
    return this.#writeBatches(Number.POSITIVE_INFINITY);
  }

  /** Writes up to `batchesMax` batches, one after another; stops early when a batch writes nothing. */
  #writeBatches(batchesMax: number): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const write = async (): Promise<void> => {
      for (let batch = 0; batch < batchesMax && this.#due.size > 0; batch += 1) {
        if ((await this.#writeDue()) === 0) break;
      }
      this.#armTimer();
    };
    this.#flushing = this.#flushing.then(write).catch(this.#onWriteError);
    return this.#flushing;
  }

  #armTimer(): void {
    if (this.#due.size === 0 || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#writeBatches(1);
    }, FLUSH_DELAY_MS).unref();
  }

  /** Forgets and deletes the stream's snapshot (erasure); a batch in preparation drops it too. */
  async discard(streamName: string): Promise<void> {
    this.#due.delete(streamName);
    this.#discardedSinceFlush.add(streamName);
    this.#snapshotRevisions.delete(streamName);
    await this.#store.deleteSnapshot(streamName);
  }

  /** Encodes and stores one batch of due snapshots; returns how many streams it took up. */
  async #writeDue(): Promise<number> {
    this.#discardedSinceFlush.clear();
    const encoded: { streamName: string; revision: bigint; foldVersion: string; bytes: Buffer }[] = [];
    for (const [streamName, fold] of this.#due) {
      const cached = this.#cachedStateOf(streamName);
      // A command is in flight (its state is being changed) or the entry was evicted: try later.
      if (cached === undefined) continue;
      // Encoding blocks the event loop (a few ms for a long volunteer): a batch is kept short.
      if (encoded.length === SNAPSHOTS_PER_BATCH_MAX) break;
      this.#due.delete(streamName);
      // Encoded at once, synchronously: the cached state is mutated in place by later commands.
      encoded.push({
        streamName,
        revision: cached.revision,
        foldVersion: foldVersionOf(fold),
        bytes: encodeStateBytes(cached.state),
      });
    }
    const batch: StoredSnapshot[] = [];
    for (const each of encoded) {
      const snapshot = await this.#prepare(each);
      if (snapshot !== undefined) batch.push(snapshot);
    }
    const landing = batch.filter((snapshot) => !this.#discardedSinceFlush.has(snapshot.streamName));
    if (landing.length > 0) await this.#store.writeSnapshots(landing);
    for (const snapshot of landing) this.#remember(snapshot.streamName, snapshot.revision);
    this.#written += landing.length;
    return encoded.length;
  }

  async #prepare(each: {
    streamName: string;
    revision: bigint;
    foldVersion: string;
    bytes: Buffer;
  }): Promise<StoredSnapshot | undefined> {
    const { streamName, revision, foldVersion } = each;
    const body = await this.#sealer.seal(
      streamName,
      each.bytes,
      associatedData(streamName, revision, foldVersion),
    );
    if (body === null) return undefined;
    const eventHash = await this.#eventHashAt(streamName, revision);
    if (eventHash === undefined) return undefined;
    const header = { streamName, revision, eventHash, foldVersion };
    return { ...header, payload: Buffer.concat([this.#mac(header, body), body]) };
  }

  async #eventHashAt(streamName: string, revision: bigint): Promise<string | undefined> {
    const [event] = await this.#events.readStream(streamName, { fromRevision: revision, maxCount: 1 });
    return event?.revision === revision ? event.hash : undefined;
  }

  #remember(streamName: string, revision: bigint): void {
    this.#snapshotRevisions.delete(streamName);
    this.#snapshotRevisions.set(streamName, revision);
    if (this.#snapshotRevisions.size > KNOWN_REVISIONS_MAX) {
      const oldest = this.#snapshotRevisions.keys().next().value;
      if (oldest !== undefined) this.#snapshotRevisions.delete(oldest);
    }
  }
}

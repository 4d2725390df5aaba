import { createHmac, randomBytes } from 'node:crypto';
import {
  DEFAULT_LEDGER_RULES,
  DomainError,
  EVENT_SCHEMA_VERSIONS,
  assertValidRules,
  normaliseNationalId,
  parseCommand,
  volunteerIdForNationalIdHash,
  volunteerStream,
  donationPoolStream,
  hierarchyStream,
  type Command,
  type CommandInput,
  type DomainEvent,
  type LedgerRules,
  type StreamKind,
  type StreamStates,
} from '@timebank/domain';
import type { EventStore, SnapshotStore } from '@timebank/event-store';
import { commandDecisions } from './command-decision.js';
import {
  CommandHandler,
  type CommandEnvelope,
  type FirstAppendHook,
  type HandledCommand,
} from './command-handler.js';
import type { SnapshotOptions } from './snapshots/snapshot-keeper.js';
import type { ErasureLog } from './personal-data/erasure.js';
import type { PersonalKeys } from './personal-data/personal-keys.js';
import { sealingStore } from './personal-data/sealing-store.js';
import { runReactions } from './reaction-runner.js';
import { sealedSnapshots } from './snapshots/sealed-snapshots.js';
import { PLAIN_SNAPSHOTS } from './snapshots/snapshot-keeper.js';
import { deriveSpendCodeKey, spendCodeHashWith } from './spend-code-key.js';
import { foldStreamAsOf, type LoadedStreamAsOf, type StreamCut } from './stream-as-of.js';
import {
  checkedReaderOver,
  readerOver,
  streamNameOf,
  type CheckedStreamReader,
  type StreamIdOf,
  type StreamReader,
} from './stream-reader.js';

export interface LedgerOptions {
  readonly store: EventStore;
  /** The clock, as epoch milliseconds. Injected so tests and replays are deterministic. */
  readonly clock: () => number;
  /** Secret key of the keyed hash (HMAC-SHA-256) over national ID numbers; at least 32 bytes. */
  readonly nationalIdKey: string;
  readonly rules?: LedgerRules;
  /**
   * Personal-data keys. With them, personal fields are sealed on append and opened on read,
   * `ErasePersonalData` destroys the volunteer's key once its event is stored, and volunteer ids
   * are random, found through the key store's erasable duplicate index, so that nothing in the
   * event log ties a stream to an ID number after erasure. Without them (tests and benchmarks of
   * the plain shape) events are stored as given and ids derive from the ID number's keyed hash.
   */
  readonly personalKeys?: PersonalKeys;
  /**
   * Where each erasure is recorded once its key is destroyed (the data directory's
   * `erasures.jsonl`, kept outside the key store), so that a restore of an older backup can
   * destroy the key again. Optional: tests and benchmarks without a data directory go without.
   */
  readonly erasureLog?: ErasureLog;
  /** Streams whose folded state is kept in memory. Default 10,000 (about tens of MB of state). */
  readonly cacheEntriesMax?: number;
  /** Attempts after a lost optimistic-concurrency race before giving up. Default 5. */
  readonly conflictRetriesMax?: number;
  /**
   * Where snapshots of folded state are kept (docs/operations.md, "Snapshots"); none when absent,
   * and then a cold load folds the whole stream. With `personalKeys`, a volunteer's snapshot is
   * sealed under their data key.
   */
  readonly snapshots?: {
    readonly store: SnapshotStore;
    /** Events since a stream's last snapshot before the next is written (LEDGER_SNAPSHOT_EVERY_EVENTS). Default 200. */
    readonly everyEvents?: number;
    /** Told about a failed background write (the snapshots are a cache: nothing else fails). */
    readonly onWriteError?: (error: unknown) => void;
  };
}

export interface ExecuteOptions {
  readonly correlationId?: string;
  readonly causationId?: string;
  /**
   * Runs synchronously, with the stream's name, right before the command's own events are
   * submitted (not its reactions'), and never when the command appends nothing: an append it
   * submits shares their group commit. A claim it returns goes with the command's append, in
   * the same transaction (and with every retry after a lost race, until one is stored).
   */
  readonly onFirstAppend?: FirstAppendHook;
}

export interface LedgerResult extends HandledCommand<DomainEvent> {
  /** Results of the reactions this command caused (credits, refunds), in order. */
  readonly reactions: readonly HandledCommand<DomainEvent>[];
}

/** A dry run's answer: the events the command would append on its own stream, or its rejection. */
export type Decision = readonly DomainEvent[] | DomainError;

/**
 * The ledger's application API: parses a command, routes it to its stream and decides it there
 * (`execute`), or only decides (`decide`); and folds streams for reads (`load`). How streams are
 * cached and kept fresh stays behind it.
 */
export interface Ledger extends StreamReader {
  readonly rules: LedgerRules;
  /** Optimistic-concurrency conflicts seen so far (for metrics); each was retried up to the bound. */
  readonly conflicts: number;
  /** Stream reads so far (tests and benchmarks: a cached, unchanged stream costs none). */
  readonly streamReads: number;
  /** Snapshots restored, discarded and written so far (all 0 without a snapshot store). */
  readonly snapshotCounters: {
    readonly restored: number;
    readonly discarded: number;
    readonly written: number;
  };
  /** Writes the snapshots that are due now instead of in the next background batch (shutdown, tests). */
  flushSnapshots(): Promise<void>;
  /**
   * A reader that checks the store's change log once, now, and loads every stream on that check,
   * so that several streams are read as of one instant within the request; its `current` answers
   * a cached read without a promise. Use it at once; never keep it.
   */
  checkedReader(): CheckedStreamReader;
  /**
   * A stream folded from its start up to a cut (an auditor's "as of"), never from the cache; the
   * state is the caller's own.
   */
  loadAsOf<K extends StreamKind>(
    cut: StreamCut,
    kind: K,
    ...id: StreamIdOf<K>
  ): Promise<LoadedStreamAsOf<StreamStates[K]>>;
  /**
   * The cached state of a stream as it is, without reading the store or checking that it is
   * current; undefined when not cached. Only for facts that never change once set (a volunteer's
   * community): anything else must `load`. Treat it as read-only.
   */
  peek<K extends StreamKind>(kind: K, ...id: StreamIdOf<K>): StreamStates[K] | undefined;
  /**
   * A dry run: decides the command on its stream's current state, as `execute` would, and writes
   * nothing. Returns the events it would append (not its reactions'), or the `DomainError` that
   * rejects it (an invalid command included).
   */
  decide(input: CommandInput | Command): Promise<Decision>;
  /** Dry runs of several commands, one after another, each on its stream's current state. */
  decideAll(inputs: readonly (CommandInput | Command)[]): Promise<Decision[]>;
  /**
   * Executes one command. Throws a `DomainError` when the command is invalid or rejected (nothing
   * is written), `ConcurrencyConflictError` after too many lost races, or a store error.
   */
  execute(input: CommandInput | Command, options?: ExecuteOptions): Promise<LedgerResult>;
  /** The keyed hash of a national ID number, for duplicate look-ups. Never log its input. */
  nationalIdHash(nationalIdNumber: string): string;
  /** The keyed hash of a spend code, which names its stream. Never log its input. */
  spendCodeHash(spendCode: string): string;
  /**
   * The volunteer id registered (or being registered) for a national ID number, or null. Without
   * a registration index, the id the hash derives (whether or not its stream exists).
   */
  volunteerIdForNationalId(nationalIdNumber: string): Promise<string | null>;
  /**
   * Runs the reactions one stored event causes (a transfer's credit or refund, a donation's
   * credit). Idempotent: a reaction that already took effect decides nothing. The reactor calls
   * it for events read back from the store, so a crash between a debit and its credit is healed.
   */
  reactTo(event: DomainEvent, options?: ExecuteOptions): Promise<HandledCommand<DomainEvent>[]>;
}

function isErasedError(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'VOLUNTEER_PERSONAL_DATA_ERASED';
}

function isCoordinatorErasedError(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'COORDINATOR_DATA_ERASED';
}

function isBeneficiaryErasedError(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'BENEFICIARY_DATA_ERASED';
}

/** The data subject a beneficiary's fields are sealed under (see `dataSubjectOf`). */
function beneficiarySubject(beneficiaryId: string): string {
  return `beneficiary:${beneficiaryId}`;
}

/** The data subject a coordinator's fields are sealed under (see `dataSubjectOf`). */
function coordinatorSubject(coordinatorId: string): string {
  return `coordinator:${coordinatorId}`;
}

/** Domain-separation label of the snapshot MAC key, derived like the spend-code key. */
const SNAPSHOT_MAC_KEY_LABEL = 'timebank/snapshot-mac-key/v1';

function snapshotOptionsFor(options: LedgerOptions): SnapshotOptions | undefined {
  const snapshots = options.snapshots;
  if (snapshots === undefined) return undefined;
  return {
    store: snapshots.store,
    macKey: createHmac('sha256', options.nationalIdKey).update(SNAPSHOT_MAC_KEY_LABEL).digest(),
    sealer: options.personalKeys === undefined ? PLAIN_SNAPSHOTS : sealedSnapshots(options.personalKeys),
    ...(snapshots.everyEvents === undefined ? {} : { everyEvents: snapshots.everyEvents }),
    ...(snapshots.onWriteError === undefined ? {} : { onWriteError: snapshots.onWriteError }),
  };
}

function commandHandlerFor(options: LedgerOptions): CommandHandler {
  const snapshots = snapshotOptionsFor(options);
  return new CommandHandler({
    store: options.store,
    schemaVersionOf: (type) => {
      const version = (EVENT_SCHEMA_VERSIONS as Record<string, number | undefined>)[type];
      if (version === undefined) throw new Error(`no schema version for event type ${type}`);
      return version;
    },
    ...(options.cacheEntriesMax === undefined ? {} : { cacheEntriesMax: options.cacheEntriesMax }),
    ...(options.conflictRetriesMax === undefined ? {} : { conflictRetriesMax: options.conflictRetriesMax }),
    ...(snapshots === undefined ? {} : { snapshots }),
  });
}

/** Who and why, for the metadata of the command's events. */
function envelopeOf(command: Command, executeOptions: ExecuteOptions): CommandEnvelope {
  return {
    idempotencyKey: command.idempotencyKey,
    actor: `${command.actor.role}:${command.actor.id}`,
    ...(executeOptions.correlationId === undefined ? {} : { correlationId: executeOptions.correlationId }),
    ...(executeOptions.causationId === undefined ? {} : { causationId: executeOptions.causationId }),
  };
}

// eslint-disable-next-line max-lines-per-function -- the ledger's public API as one object literal of short delegating methods; the logic lives in the functions it calls
export function createLedger(options: LedgerOptions): Ledger {
  const rules = options.rules ?? DEFAULT_LEDGER_RULES;
  assertValidRules(rules);
  if (Buffer.byteLength(options.nationalIdKey, 'utf8') < 32) {
    throw new Error('nationalIdKey must be at least 32 bytes: it protects every national ID number');
  }
  const personalKeys = options.personalKeys;
  const store = personalKeys === undefined ? options.store : sealingStore(options.store, personalKeys);
  const handler = commandHandlerFor({ ...options, store });

  const nationalIdHash = (nationalIdNumber: string): string =>
    createHmac('sha256', options.nationalIdKey).update(normaliseNationalId(nationalIdNumber)).digest('hex');

  const spendCodeKey = deriveSpendCodeKey(options.nationalIdKey);

  const decisionFor = commandDecisions({ clock: options.clock, rules, nationalIdHash });

  /**
   * Every registration of one person is routed to the stream the index allocated to its ID
   * number (claimed atomically), so a concurrent duplicate loses the store's `no_stream` check
   * there, as it did when ids were derived from the hash.
   */
  const randomVolunteerId = (): string => `v${randomBytes(16).toString('hex')}`;

  async function decisionOf(command: Command): Promise<ReturnType<typeof decisionFor>> {
    if (command.type !== 'RegisterVolunteer' || personalKeys === undefined) return decisionFor(command);
    const volunteerId = await personalKeys.claimRegistration(
      nationalIdHash(command.nationalIdNumber),
      randomVolunteerId(),
    );
    return decisionFor(command, volunteerId);
  }

  /** A dry run never claims an index entry: it decides on the stream already claimed, if any. */
  async function previewDecisionOf(command: Command): Promise<ReturnType<typeof decisionFor>> {
    if (command.type !== 'RegisterVolunteer' || personalKeys === undefined) return decisionFor(command);
    const existing = await personalKeys.store.findRegistration(nationalIdHash(command.nationalIdNumber));
    return decisionFor(command, existing ?? randomVolunteerId());
  }

  async function executeOne(
    command: Command,
    executeOptions: ExecuteOptions,
    onFirstAppend?: FirstAppendHook,
  ): Promise<HandledCommand<DomainEvent>> {
    const { streamName, fold, decide } = await decisionOf(command);
    return handler.handle(
      streamName,
      fold,
      async (state, revision, loadDependency) => {
        const outcome = await decide(state, revision, loadDependency);
        if (outcome instanceof DomainError) throw outcome;
        return outcome;
      },
      envelopeOf(command, executeOptions),
      onFirstAppend,
    );
  }

  async function destroyKey(volunteerId: string, reason: string): Promise<void> {
    if (personalKeys === undefined) return;
    const erasedAt = new Date(options.clock()).toISOString();
    await personalKeys.erase(volunteerId, erasedAt);
    // Recorded after the key is gone: a restore re-applies the record, and re-applying is idempotent.
    await options.erasureLog?.append({ volunteerId, erasedAt, reason });
  }

  /** Erases a data subject's key, then the snapshot of the stream that holds their data. */
  async function erase(subject: string, streamName: string, reason: string): Promise<void> {
    await destroyKey(subject, reason);
    await handler.discardSnapshot(streamName);
  }

  /**
   * A transfer whose sender's stream holds its refund is settled: its credit must not run again.
   * The credit is decided on the receiver's stream, the refund on the sender's, so the receiver's
   * decider cannot see a refund; a re-run of the credit (the healing job after a restart, or any
   * later replay of `PointsTransferSent`) after the receiver's refusal had gone away (room under
   * the balance cap again, a volunteer reactivated) credited the points the sender already had
   * back, and `in-transit` went negative. The check reads the sender's stream through a freshness
   * check; the command that refunds runs its reactions at once, and the healing job takes up only
   * debits older than its grace period, so the two do not overlap in practice.
   */
  async function transferRefundedAlready(reaction: Command): Promise<boolean> {
    if (reaction.type !== 'ReceivePointsTransfer') return false;
    const sender = await checkedReaderOver(handler.checkedLoaders()).load(
      'volunteer',
      reaction.fromVolunteerId,
    );
    return sender.state.sentTransfers.get(reaction.transferId)?.refunded === true;
  }

  async function decide(input: CommandInput | Command): Promise<Decision> {
    const command = parseCommand(input);
    if (command instanceof DomainError) return command;
    const { streamName, fold, decide } = await previewDecisionOf(command);
    return handler.preview(streamName, fold, decide);
  }

  return {
    rules,
    get conflicts() {
      return handler.conflicts;
    },
    get streamReads() {
      return handler.streamReads;
    },
    get snapshotCounters() {
      return handler.snapshotCounters ?? { restored: 0, discarded: 0, written: 0 };
    },
    flushSnapshots: () => handler.flushSnapshots(),
    ...readerOver((streamName, fold) => handler.load(streamName, fold)),
    checkedReader: () => checkedReaderOver(handler.checkedLoaders()),
    loadAsOf: (cut, kind, ...id) =>
      foldStreamAsOf(store, kind, streamNameOf(kind, (id as readonly string[])[0]), cut),
    peek: (kind, ...id) =>
      handler.peek(streamNameOf(kind, (id as readonly string[])[0])) as StreamStates[typeof kind] | undefined,
    decide,
    async decideAll(inputs) {
      const decisions: Decision[] = [];
      for (const input of inputs) decisions.push(await decide(input));
      return decisions;
    },
    nationalIdHash,
    async volunteerIdForNationalId(nationalIdNumber) {
      const idHash = nationalIdHash(nationalIdNumber);
      if (personalKeys === undefined) return volunteerIdForNationalIdHash(idHash);
      return personalKeys.store.findRegistration(idHash);
    },
    spendCodeHash: (spendCode) => spendCodeHashWith(spendCodeKey, spendCode),
    async reactTo(event, executeOptions = {}) {
      const first: HandledCommand<DomainEvent> = {
        streamName: '',
        events: [event],
        revision: -1n,
        position: null,
      };
      return runReactions(first, (reaction) => executeOne(reaction, executeOptions), transferRefundedAlready);
    },
    async execute(input, executeOptions = {}) {
      const command = parseCommand(input);
      if (command instanceof DomainError) throw command;
      const { onFirstAppend, ...envelopeOptions } = executeOptions;
      const handled = await executeOne(command, envelopeOptions, onFirstAppend).catch(
        async (error: unknown) => {
          // Erased already (perhaps a crash came between the event and the key's destruction): finish it.
          if (command.type === 'ErasePersonalData' && isErasedError(error))
            await erase(command.volunteerId, volunteerStream(command.volunteerId), command.reason);
          // A coordinator erased before a crash kept the key alive: the refusal finishes the erasure.
          if (command.type === 'EraseCoordinatorData' && isCoordinatorErasedError(error))
            await erase(coordinatorSubject(command.coordinatorId), hierarchyStream, command.reason);
          if (command.type === 'EraseBeneficiaryData' && isBeneficiaryErasedError(error))
            await erase(beneficiarySubject(command.beneficiaryId), donationPoolStream, command.reason);
          throw error;
        },
      );
      if (command.type === 'ErasePersonalData')
        await erase(command.volunteerId, volunteerStream(command.volunteerId), command.reason);
      if (command.type === 'EraseCoordinatorData')
        await erase(coordinatorSubject(command.coordinatorId), hierarchyStream, command.reason);
      if (command.type === 'EraseBeneficiaryData')
        await erase(beneficiarySubject(command.beneficiaryId), donationPoolStream, command.reason);
      const reactions = await runReactions(handled, (reaction) => executeOne(reaction, envelopeOptions));
      return { ...handled, reactions };
    },
  };
}

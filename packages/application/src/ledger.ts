import { createHmac } from 'node:crypto';
import {
  COMMAND_STREAM_KIND,
  DEFAULT_LEDGER_RULES,
  DomainError,
  EVENT_SCHEMA_VERSIONS,
  assertValidRules,
  compensate,
  donationPoolDecider,
  normaliseNationalId,
  organisationDecider,
  parseCommand,
  partnerDecider,
  partnerStream,
  policyDecider,
  policyStream,
  react,
  streamForCommand,
  applyVolunteerEvent,
  volunteerDecider,
  type Command,
  type CommandInput,
  type DecideContext,
  type Decider,
  type DomainEvent,
  type LedgerRules,
  type PartnerState,
  type PolicyState,
  type StreamKind,
} from '@timebank/domain';
import type { EventStore } from '@timebank/event-store';
import {
  CommandHandler,
  type DependencyLoader,
  type HandledCommand,
  type StreamFold,
} from './command-handler.js';
import { deterministicEventId } from './event-ids.js';
import { volunteerNumberFromHash } from './volunteer-number.js';

export interface LedgerOptions {
  readonly store: EventStore;
  /** The clock, as epoch milliseconds. Injected so tests and replays are deterministic. */
  readonly clock: () => number;
  /** Secret key of the keyed hash (HMAC-SHA-256) over national ID numbers; at least 32 bytes. */
  readonly nationalIdKey: string;
  readonly rules?: LedgerRules;
  /** Streams whose folded state is kept in memory; see `CommandHandlerOptions`. */
  readonly cacheEntriesMax?: number;
  readonly conflictRetriesMax?: number;
}

export interface ExecuteOptions {
  readonly correlationId?: string;
  readonly causationId?: string;
  /**
   * Runs synchronously, with the stream's name, right before the command's own events are
   * submitted (not its reactions'), and never when the command appends nothing: an append it
   * submits shares their group commit.
   */
  readonly onFirstAppend?: (streamName: string) => void;
}

export interface LedgerResult extends HandledCommand<DomainEvent> {
  /** Results of the reactions this command caused (credits, refunds), in order. */
  readonly reactions: readonly HandledCommand<DomainEvent>[];
}

/** The ledger's write side: parses a command, routes it to its stream and decides it there. */
export interface Ledger {
  readonly rules: LedgerRules;
  readonly handler: CommandHandler;
  /**
   * Executes one command. Throws a `DomainError` when the command is invalid or rejected (nothing
   * is written), `ConcurrencyConflictError` after too many lost races, or a store error.
   */
  execute(input: CommandInput | Command, options?: ExecuteOptions): Promise<LedgerResult>;
  /** The keyed hash of a national ID number, for duplicate look-ups. Never log its input. */
  nationalIdHash(nationalIdNumber: string): string;
  /**
   * Runs the reactions one stored event causes (a transfer's credit or refund, a donation's
   * credit). Idempotent: a reaction that already took effect decides nothing. The reactor calls
   * it for events read back from the store, so a crash between a debit and its credit is healed.
   */
  reactTo(event: DomainEvent, options?: ExecuteOptions): Promise<HandledCommand<DomainEvent>[]>;
}

type AnyDecider = Decider<unknown, Command>;

const DECIDERS: Readonly<Record<StreamKind, AnyDecider>> = {
  volunteer: volunteerDecider as unknown as AnyDecider,
  partner: partnerDecider as unknown as AnyDecider,
  organisation: organisationDecider as unknown as AnyDecider,
  policy: policyDecider as unknown as AnyDecider,
  'donation-pool': donationPoolDecider as unknown as AnyDecider,
};

function foldOf(kind: StreamKind): StreamFold<unknown, DomainEvent> {
  const decider = DECIDERS[kind];
  if (kind === 'volunteer') {
    // The volunteer fold mutates a private copy in place: cloning the whole state per event
    // would make loading a long stream quadratic.
    return {
      initialState: decider.initialState,
      evolve: decider.evolve,
      applyInPlace: applyVolunteerEvent as (state: unknown, event: DomainEvent) => void,
    };
  }
  return { initialState: decider.initialState, evolve: decider.evolve };
}

const FOLDS: Readonly<Record<StreamKind, StreamFold<unknown, DomainEvent>>> = {
  volunteer: foldOf('volunteer'),
  partner: foldOf('partner'),
  organisation: foldOf('organisation'),
  policy: foldOf('policy'),
  'donation-pool': foldOf('donation-pool'),
};

/** At most this many reaction rounds per command; a transfer needs one (credit) or two (refund). */
const REACTION_DEPTH_MAX = 4;

// eslint-disable-next-line max-lines-per-function -- split by part G of #14
export function createLedger(options: LedgerOptions): Ledger {
  const rules = options.rules ?? DEFAULT_LEDGER_RULES;
  assertValidRules(rules);
  if (Buffer.byteLength(options.nationalIdKey, 'utf8') < 32) {
    throw new Error('nationalIdKey must be at least 32 bytes: it protects every national ID number');
  }
  const handler = new CommandHandler({
    store: options.store,
    schemaVersionOf: (type) => {
      const version = (EVENT_SCHEMA_VERSIONS as Record<string, number | undefined>)[type];
      if (version === undefined) throw new Error(`no schema version for event type ${type}`);
      return version;
    },
    ...(options.cacheEntriesMax === undefined ? {} : { cacheEntriesMax: options.cacheEntriesMax }),
    ...(options.conflictRetriesMax === undefined ? {} : { conflictRetriesMax: options.conflictRetriesMax }),
  });

  const nationalIdHash = (nationalIdNumber: string): string =>
    createHmac('sha256', options.nationalIdKey).update(normaliseNationalId(nationalIdNumber)).digest('hex');

  /**
   * `ownPolicy` is the policy stream's state when the command is decided on that stream itself:
   * loading it again would wait in the stream's queue behind this very command.
   */
  async function contextFor(
    command: Command,
    idHash: string | undefined,
    ownPolicy: PolicyState | undefined,
    load: DependencyLoader,
  ): Promise<DecideContext> {
    const pointsPolicy = ownPolicy ?? ((await load(policyStream, FOLDS.policy)).state as PolicyState);
    let partner: PartnerState | undefined;
    if (command.type === 'HoldPoints' || command.type === 'RedeemPoints') {
      partner = (await load(partnerStream(command.partnerId), FOLDS.partner)).state as PartnerState;
    }
    let idCounter = 0;
    return {
      now: new Date(options.clock()).toISOString(),
      // Ids derive from the idempotency key, so a retried command names the same record or hold.
      newId: () =>
        `id${deterministicEventId(command.idempotencyKey, 'new-id', idCounter++).replaceAll('-', '')}`,
      rules,
      pointsPolicy,
      ...(idHash === undefined
        ? {}
        : { nationalIdHash: idHash, volunteerNumber: volunteerNumberFromHash(idHash) }),
      ...(partner === undefined ? {} : { partner }),
    };
  }

  async function executeOne(
    command: Command,
    executeOptions: ExecuteOptions,
    onFirstAppend?: (streamName: string) => void,
  ): Promise<HandledCommand<DomainEvent>> {
    const idHash =
      command.type === 'RegisterVolunteer' ? nationalIdHash(command.nationalIdNumber) : undefined;
    const kind = COMMAND_STREAM_KIND[command.type];
    const decider = DECIDERS[kind];
    const streamName = streamForCommand(command, idHash);
    return handler.handle(
      streamName,
      FOLDS[kind],
      // The context is built per attempt so a retried decision sees the current clock and policy.
      async (state, _revision, loadDependency) => {
        const ownPolicy = kind === 'policy' ? (state as PolicyState) : undefined;
        const context = await contextFor(command, idHash, ownPolicy, loadDependency);
        const outcome = decider.decide(command, state, context);
        if (outcome instanceof DomainError) throw outcome;
        return outcome;
      },
      {
        idempotencyKey: command.idempotencyKey,
        actor: `${command.actor.role}:${command.actor.id}`,
        ...(executeOptions.correlationId === undefined
          ? {}
          : { correlationId: executeOptions.correlationId }),
        ...(executeOptions.causationId === undefined ? {} : { causationId: executeOptions.causationId }),
      },
      onFirstAppend,
    );
  }

  async function runReactions(
    first: HandledCommand<DomainEvent>,
    executeOptions: ExecuteOptions,
  ): Promise<HandledCommand<DomainEvent>[]> {
    const results: HandledCommand<DomainEvent>[] = [];
    let frontier = [first];
    for (let depth = 0; depth < REACTION_DEPTH_MAX && frontier.length > 0; depth += 1) {
      const next: HandledCommand<DomainEvent>[] = [];
      for (const handled of frontier) {
        for (const event of handled.events) {
          for (const reaction of react(event)) {
            next.push(...(await executeReaction(reaction, executeOptions)));
          }
        }
      }
      results.push(...next);
      frontier = next;
    }
    return results;
  }

  async function executeReaction(
    reaction: Command,
    executeOptions: ExecuteOptions,
  ): Promise<HandledCommand<DomainEvent>[]> {
    try {
      return [await executeOne(reaction, executeOptions)];
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const compensations = compensate(reaction, error);
      const results: HandledCommand<DomainEvent>[] = [];
      for (const compensation of compensations) results.push(await executeOne(compensation, executeOptions));
      return results;
    }
  }

  return {
    rules,
    handler,
    nationalIdHash,
    async reactTo(event, executeOptions = {}) {
      const first: HandledCommand<DomainEvent> = {
        streamName: '',
        events: [event],
        revision: -1n,
        position: null,
      };
      return runReactions(first, executeOptions);
    },
    async execute(input, executeOptions = {}) {
      const command = parseCommand(input);
      if (command instanceof DomainError) throw command;
      const { onFirstAppend, ...envelopeOptions } = executeOptions;
      const handled = await executeOne(command, envelopeOptions, onFirstAppend);
      const reactions = await runReactions(handled, envelopeOptions);
      return { ...handled, reactions };
    },
  };
}

/**
 * The `donation-pool` stream: the credit side of donations, and the pool's outflow to
 * beneficiaries. It never refuses a donation, so a donation's debit is never refunded. It holds
 * the beneficiary categories, the beneficiaries and what each was allocated per local month, so
 * that an allocation run is decided against all of them and the balance under one revision.
 */
import { DONATION_POOL_ACCOUNT, IN_TRANSIT_ACCOUNT } from '../accounts.js';
import { isAdministrator, isSystem } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import type { DomainEvent } from '../events/index.js';
import {
  planAllocation,
  type AllocationBeneficiary,
  type AllocationCategory,
} from '../pool/allocation-rule.js';
import { formatInstant, localMonthStartMs, parseInstant } from '../time.js';

export interface PoolBeneficiary extends AllocationBeneficiary {
  readonly community: string;
  /** Their name and contact were erased (PIPL Art. 47): later allocation runs leave them out. */
  readonly erased: boolean;
}

export interface DonationPoolState {
  readonly receivedDonationIds: ReadonlySet<string>;
  /** Balance of the `donation-pool` account: donations received less allocations. */
  readonly balanceCentipoints: number;
  readonly categories: ReadonlyMap<string, AllocationCategory & { readonly title: string }>;
  readonly beneficiaries: ReadonlyMap<string, PoolBeneficiary>;
  /** Local month (`YYYY-MM`) → beneficiary id → centipoints allocated in that month. */
  readonly allocated: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Idempotency keys of the administrators' commands on this stream. */
  readonly processedKeys: ReadonlySet<string>;
}

export const initialDonationPoolState: DonationPoolState = Object.freeze({
  receivedDonationIds: new Set<string>(),
  balanceCentipoints: 0,
  categories: new Map(),
  beneficiaries: new Map(),
  allocated: new Map(),
  processedKeys: new Set<string>(),
});

export type DonationPoolCommand = CommandOf<
  | 'ReceiveDonation'
  | 'ReceiveGroupDonation'
  | 'ConfigureBeneficiaryCategory'
  | 'RegisterBeneficiary'
  | 'AllocatePoolPoints'
  | 'EraseBeneficiaryData'
>;

/** The local month of an instant, `YYYY-MM`, under the ledger's local time offset. */
export function localPeriodOf(instant: string, offsetMinutes: number): string {
  const startMs = localMonthStartMs(parseInstant(instant), offsetMinutes);
  return formatInstant(startMs + offsetMinutes * 60_000).slice(0, 7);
}

function withKey(state: DonationPoolState, key: string): ReadonlySet<string> {
  return new Set(state.processedKeys).add(key);
}

export function evolveDonationPool(state: DonationPoolState, event: DomainEvent): DonationPoolState {
  switch (event.type) {
    case 'DonationReceived':
    case 'GroupDonationReceived':
      return {
        ...state,
        receivedDonationIds: new Set(state.receivedDonationIds).add(event.data.donationId),
        balanceCentipoints: state.balanceCentipoints + event.data.centipoints,
      };
    case 'BeneficiaryCategoryConfigured': {
      const { categoryId, title, priority, monthlyAllowanceCentipoints } = event.data;
      const category = { categoryId, title, priority, monthlyAllowanceCentipoints };
      return {
        ...state,
        categories: new Map(state.categories).set(categoryId, category),
        processedKeys: withKey(state, event.data.idempotencyKey),
      };
    }
    case 'BeneficiaryRegistered': {
      const { beneficiaryId, categoryId, community } = event.data;
      const beneficiary = {
        beneficiaryId,
        categoryId,
        community,
        sequence: state.beneficiaries.size,
        erased: false,
      };
      return {
        ...state,
        beneficiaries: new Map(state.beneficiaries).set(beneficiaryId, beneficiary),
        processedKeys: withKey(state, event.data.idempotencyKey),
      };
    }
    case 'BeneficiaryDataErased': {
      const beneficiary = state.beneficiaries.get(event.data.beneficiaryId);
      const beneficiaries = new Map(state.beneficiaries);
      if (beneficiary !== undefined)
        beneficiaries.set(beneficiary.beneficiaryId, { ...beneficiary, erased: true });
      return { ...state, beneficiaries, processedKeys: withKey(state, event.data.idempotencyKey) };
    }
    case 'PoolPointsAllocated': {
      const { period, beneficiaryId, centipoints } = event.data;
      const month = new Map(state.allocated.get(period) ?? []);
      month.set(beneficiaryId, (month.get(beneficiaryId) ?? 0) + centipoints);
      return {
        ...state,
        balanceCentipoints: state.balanceCentipoints - centipoints,
        allocated: new Map(state.allocated).set(period, month),
        processedKeys: withKey(state, event.data.idempotencyKey),
      };
    }
    default:
      return state;
  }
}

export function decideDonationPool(
  command: DonationPoolCommand,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (command.type === 'ReceiveDonation' || command.type === 'ReceiveGroupDonation')
    return receiveDonation(command, state, context);
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  if (!isAdministrator(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'only an administrator manages the donation pool');
  switch (command.type) {
    case 'ConfigureBeneficiaryCategory':
      return configureCategory(command, context);
    case 'RegisterBeneficiary':
      return registerBeneficiary(command, state, context);
    case 'AllocatePoolPoints':
      return allocate(command, state, context);
    case 'EraseBeneficiaryData':
      return eraseBeneficiary(command, state, context);
  }
}

function receiveDonation(
  command: CommandOf<'ReceiveDonation' | 'ReceiveGroupDonation'>,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  // Idempotent by donation id, which outlives any bounded key record.
  if (state.receivedDonationIds.has(command.donationId)) return [];
  if (!isSystem(command.actor))
    return reject('ACTOR_NOT_PERMITTED', 'donations are credited by the system reaction only');
  if (command.type === 'ReceiveGroupDonation') {
    // A team's group points: the ids are prefixed with project and team, so they never meet a volunteer's.
    const { idempotencyKey, donationId, fromProjectId, fromTeamId, centipoints } = command;
    return [
      {
        type: 'GroupDonationReceived',
        data: {
          idempotencyKey,
          fromAccount: IN_TRANSIT_ACCOUNT,
          toAccount: DONATION_POOL_ACCOUNT,
          centipoints,
          donationId,
          fromProjectId,
          fromTeamId,
          receivedAt: context.now,
        },
      },
    ];
  }
  const { idempotencyKey, donationId, fromVolunteerId, centipoints } = command;
  return [
    {
      type: 'DonationReceived',
      data: {
        idempotencyKey,
        fromAccount: IN_TRANSIT_ACCOUNT,
        toAccount: DONATION_POOL_ACCOUNT,
        centipoints,
        donationId,
        fromVolunteerId,
        receivedAt: context.now,
      },
    },
  ];
}

function configureCategory(
  command: CommandOf<'ConfigureBeneficiaryCategory'>,
  context: DecideContext,
): DomainEvent[] {
  const { idempotencyKey, actor, categoryId, title, priority, monthlyAllowanceCentipoints } = command;
  return [
    {
      type: 'BeneficiaryCategoryConfigured',
      data: {
        idempotencyKey,
        categoryId,
        title,
        priority,
        monthlyAllowanceCentipoints,
        configuredAt: context.now,
        actor,
      },
    },
  ];
}

function registerBeneficiary(
  command: CommandOf<'RegisterBeneficiary'>,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, beneficiaryId, categoryId, community, name, contact } = command;
  if (state.beneficiaries.has(beneficiaryId))
    return reject('BENEFICIARY_ALREADY_REGISTERED', `beneficiary ${beneficiaryId} exists`);
  if (!state.categories.has(categoryId))
    return reject('BENEFICIARY_CATEGORY_NOT_FOUND', `no beneficiary category ${categoryId}`);
  return [
    {
      type: 'BeneficiaryRegistered',
      data: {
        idempotencyKey,
        beneficiaryId,
        categoryId,
        community,
        name,
        contact,
        registeredAt: context.now,
        actor,
      },
    },
  ];
}

function eraseBeneficiary(
  command: CommandOf<'EraseBeneficiaryData'>,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, beneficiaryId, reason } = command;
  const beneficiary = state.beneficiaries.get(beneficiaryId);
  if (beneficiary === undefined) return reject('BENEFICIARY_NOT_FOUND', `no beneficiary ${beneficiaryId}`);
  if (beneficiary.erased)
    return reject('BENEFICIARY_DATA_ERASED', `beneficiary ${beneficiaryId}'s personal data was erased`);
  return [
    {
      type: 'BeneficiaryDataErased',
      data: { idempotencyKey, beneficiaryId, reason, erasedAt: context.now, actor },
    },
  ];
}

function allocate(
  command: CommandOf<'AllocatePoolPoints'>,
  state: DonationPoolState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const period = localPeriodOf(context.now, context.rules.localTimeOffsetMinutes);
  const planned = planAllocation({
    poolBalanceCentipoints: state.balanceCentipoints,
    categories: state.categories,
    // An erased beneficiary keeps what they were given, but the pool no longer serves them: erasure
    // means the purpose is met or the service stopped (PIPL Art. 47), see docs/privacy.md.
    beneficiaries: [...state.beneficiaries.values()].filter((beneficiary) => !beneficiary.erased),
    allocatedThisPeriod: state.allocated.get(period) ?? new Map(),
  });
  if (planned.length === 0) {
    return reject(
      'POOL_NOTHING_TO_ALLOCATE',
      'the pool is empty or every beneficiary has this month’s allowance',
      {
        poolBalanceCentipoints: state.balanceCentipoints,
      },
    );
  }
  const runId = context.newId();
  const { idempotencyKey, actor } = command;
  return planned.map((allocation) => ({
    type: 'PoolPointsAllocated',
    data: {
      idempotencyKey,
      fromAccount: DONATION_POOL_ACCOUNT,
      toAccount: IN_TRANSIT_ACCOUNT,
      centipoints: allocation.centipoints,
      allocationId: context.newId(),
      runId,
      beneficiaryId: allocation.beneficiaryId,
      categoryId: allocation.categoryId,
      community: state.beneficiaries.get(allocation.beneficiaryId)!.community,
      period,
      allocatedAt: context.now,
      actor,
    },
  }));
}

/** The `partner-<id>` stream: registration, offers with point prices, suspension. */
import { actsForPartner, isAdministrator } from '../authority.js';
import type { CommandOf } from '../commands/index.js';
import type { DecideContext } from '../context.js';
import { reject, type DomainError } from '../errors.js';
import { highestBalanceCapCentipoints } from '../policy/policy.js';
import { cashCopayFenSchema, OFFER_CASH_COPAY_FEN_MAX, type DomainEvent } from '../events/index.js';

export interface PartnerOffer {
  readonly offerId: string;
  readonly title: string;
  readonly priceCentipoints: number;
  /** 低偿: cash asked on top of the points, in fen; 0 for a points-only offer. */
  readonly cashCopayFen: number;
}

export interface PartnerState {
  readonly status: 'unregistered' | 'active' | 'suspended';
  readonly partnerId: string | null;
  readonly name: string | null;
  readonly offers: ReadonlyMap<string, PartnerOffer>;
  readonly processedKeys: ReadonlySet<string>;
}

export const initialPartnerState: PartnerState = Object.freeze({
  status: 'unregistered',
  partnerId: null,
  name: null,
  offers: new Map<string, PartnerOffer>(),
  processedKeys: new Set<string>(),
});

export type PartnerCommand = CommandOf<
  'RegisterPartner' | 'PublishPartnerOffer' | 'SuspendPartner' | 'ReinstatePartner'
>;

export function evolvePartner(state: PartnerState, event: DomainEvent): PartnerState {
  const processedKeys = new Set(state.processedKeys);
  switch (event.type) {
    case 'PartnerRegistered':
      processedKeys.add(event.data.idempotencyKey);
      return {
        ...state,
        status: 'active',
        partnerId: event.data.partnerId,
        name: event.data.name,
        processedKeys,
      };
    case 'PartnerOfferPublished': {
      processedKeys.add(event.data.idempotencyKey);
      const { offerId, title, priceCentipoints } = event.data;
      const cashCopayFen = event.data.cashCopayFen ?? 0;
      return {
        ...state,
        offers: new Map(state.offers).set(offerId, { offerId, title, priceCentipoints, cashCopayFen }),
        processedKeys,
      };
    }
    case 'PartnerSuspended':
      processedKeys.add(event.data.idempotencyKey);
      return { ...state, status: 'suspended', processedKeys };
    case 'PartnerReinstated':
      processedKeys.add(event.data.idempotencyKey);
      return { ...state, status: 'active', processedKeys };
    default:
      return state;
  }
}

export function decidePartner(
  command: PartnerCommand,
  state: PartnerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  if (state.processedKeys.has(command.idempotencyKey)) return [];
  const { idempotencyKey, actor, partnerId } = command;
  const at = context.now;
  if (command.type === 'RegisterPartner') {
    if (!isAdministrator(actor))
      return reject('ACTOR_NOT_PERMITTED', 'only an administrator registers partners');
    if (state.status !== 'unregistered')
      return reject('PARTNER_ALREADY_REGISTERED', `partner ${partnerId} exists`);
    const { name, community } = command;
    return [
      {
        type: 'PartnerRegistered',
        data: { idempotencyKey, partnerId, name, community, registeredAt: at, actor },
      },
    ];
  }
  if (state.status === 'unregistered') return reject('PARTNER_NOT_FOUND', `no partner ${partnerId}`);
  switch (command.type) {
    case 'PublishPartnerOffer':
      return publishOffer(command, state, context);
    case 'SuspendPartner':
      if (!isAdministrator(actor))
        return reject('ACTOR_NOT_PERMITTED', 'only an administrator suspends partners');
      if (state.status === 'suspended')
        return reject('PARTNER_SUSPENDED', `partner ${partnerId} is already suspended`);
      return [
        {
          type: 'PartnerSuspended',
          data: { idempotencyKey, partnerId, reason: command.reason, suspendedAt: at, actor },
        },
      ];
    case 'ReinstatePartner':
      if (!isAdministrator(actor))
        return reject('ACTOR_NOT_PERMITTED', 'only an administrator reinstates partners');
      if (state.status !== 'suspended')
        return reject('PARTNER_NOT_SUSPENDED', `partner ${partnerId} is not suspended`);
      return [{ type: 'PartnerReinstated', data: { idempotencyKey, partnerId, reinstatedAt: at, actor } }];
  }
}

function publishOffer(
  command: CommandOf<'PublishPartnerOffer'>,
  state: PartnerState,
  context: DecideContext,
): DomainEvent[] | DomainError {
  const { idempotencyKey, actor, partnerId, offerId, title, priceCentipoints, cashCopayFen } = command;
  if (!actsForPartner(actor, partnerId))
    return reject('ACTOR_NOT_PERMITTED', 'only the partner or an administrator publishes its offers');
  if (state.status === 'suspended') return reject('PARTNER_SUSPENDED', `partner ${partnerId} is suspended`);
  if (state.offers.has(offerId)) return reject('OFFER_ALREADY_PUBLISHED', `offer ${offerId} exists`);
  if (cashCopayFen !== undefined && !cashCopayFenSchema.safeParse(cashCopayFen).success) {
    return reject(
      'OFFER_CASH_COPAY_INVALID',
      `a cash co-payment is a whole number of fen from 0 to ${OFFER_CASH_COPAY_FEN_MAX}`,
      { cashCopayFenMax: OFFER_CASH_COPAY_FEN_MAX },
    );
  }
  // A price no volunteer's balance can reach is a typing error (yuan typed as centipoints, a zero
  // too many): every hold of it would fail with INSUFFICIENT_POINTS, for ever.
  const capCentipoints = highestBalanceCapCentipoints(context.pointsPolicy, context.rules);
  if (priceCentipoints > capCentipoints) {
    return reject(
      'INVALID_COMMAND',
      `invalid command: priceCentipoints is above the highest balance cap of the points policy (${capCentipoints})`,
      { path: 'priceCentipoints', issueCount: 1, balanceCapCentipoints: capCentipoints },
    );
  }
  // 0 is a points-only offer: recorded without the field, like every offer before 低偿 existed.
  const cash = cashCopayFen === undefined || cashCopayFen === 0 ? {} : { cashCopayFen };
  const at = context.now;
  return [
    {
      type: 'PartnerOfferPublished',
      data: { idempotencyKey, partnerId, offerId, title, priceCentipoints, ...cash, publishedAt: at, actor },
    },
  ];
}

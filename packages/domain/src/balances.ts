/**
 * Double entry over the whole log: every points movement moves centipoints from one account to
 * another, so the balances of all accounts sum to zero after every event. The partner
 * accounts are what the city settles with each partner.
 */
import type { DomainEvent } from './events/index.js';

/** One double-entry movement, if the event moves points. */
export function movementOf(
  event: DomainEvent,
): { fromAccount: string; toAccount: string; centipoints: number } | null {
  const data = event.data as Partial<Record<'fromAccount' | 'toAccount' | 'centipoints', unknown>>;
  if (
    typeof data.fromAccount !== 'string' ||
    typeof data.toAccount !== 'string' ||
    typeof data.centipoints !== 'number'
  )
    return null;
  return { fromAccount: data.fromAccount, toAccount: data.toAccount, centipoints: data.centipoints };
}

/**
 * Balances of every account touched by `events`, in centipoints. Asserts that they sum to zero
 * and that every amount is a non-negative safe integer: a violation means a corrupt log or a
 * bug, so it throws.
 */
export function computeBalances(events: Iterable<DomainEvent>): Map<string, number> {
  const balances = new Map<string, number>();
  for (const event of events) {
    const movement = movementOf(event);
    if (movement === null) continue;
    const { fromAccount, toAccount, centipoints } = movement;
    if (!Number.isSafeInteger(centipoints) || centipoints < 0)
      throw new Error(`${event.type} moves an invalid amount ${centipoints}`);
    if (fromAccount === toAccount)
      throw new Error(`${event.type} moves points from ${fromAccount} to itself`);
    balances.set(fromAccount, (balances.get(fromAccount) ?? 0) - centipoints);
    balances.set(toAccount, (balances.get(toAccount) ?? 0) + centipoints);
  }
  let sum = 0;
  for (const balance of balances.values()) sum += balance;
  if (sum !== 0) throw new Error(`double entry violated: balances sum to ${sum}`);
  return balances;
}

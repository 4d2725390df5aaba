import { DomainError, compensate, react, type Command, type DomainEvent } from '@timebank/domain';
import type { HandledCommand } from './command-handler.js';

/** At most this many reaction rounds per command; a transfer needs one (credit) or two (refund). */
const REACTION_DEPTH_MAX = 4;

type ExecuteOne = (command: Command) => Promise<HandledCommand<DomainEvent>>;
/** True when a reaction's effect was already settled another way and it must not run again. */
export type SettledAlready = (reaction: Command) => Promise<boolean>;

/**
 * Runs the reactions that `first`'s events cause (a transfer's credit, a donation's credit), and
 * theirs in turn, round by round. A reaction the domain rejects is compensated (a refund).
 */
export async function runReactions(
  first: HandledCommand<DomainEvent>,
  executeOne: ExecuteOne,
  settledAlready?: SettledAlready,
): Promise<HandledCommand<DomainEvent>[]> {
  const results: HandledCommand<DomainEvent>[] = [];
  let frontier = [first];
  for (let depth = 0; depth < REACTION_DEPTH_MAX && frontier.length > 0; depth += 1) {
    const next: HandledCommand<DomainEvent>[] = [];
    for (const handled of frontier) {
      for (const event of handled.events) {
        for (const reaction of react(event)) {
          if (settledAlready !== undefined && (await settledAlready(reaction))) continue;
          next.push(...(await executeReaction(reaction, executeOne)));
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
  executeOne: ExecuteOne,
): Promise<HandledCommand<DomainEvent>[]> {
  try {
    return [await executeOne(reaction)];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const compensations = compensate(reaction, error);
    const results: HandledCommand<DomainEvent>[] = [];
    for (const compensation of compensations) results.push(await executeOne(compensation));
    return results;
  }
}

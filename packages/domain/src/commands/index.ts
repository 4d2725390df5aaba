/**
 * The command catalogue. A command is `{ type, idempotencyKey, actor, …fields }`; parse input
 * with `parseCommand` before deciding.
 */
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { CONSENT_COMMAND_SCHEMAS } from './consent-commands.js';
import { HIERARCHY_COMMAND_SCHEMAS } from './hierarchy-commands.js';
import { POINTS_COMMAND_SCHEMAS } from './points-commands.js';
import { POOL_COMMAND_SCHEMAS } from './pool-commands.js';
import { PROJECT_COMMAND_SCHEMAS } from './project-commands.js';
import { REGISTRY_COMMAND_SCHEMAS } from './registry-commands.js';
import { VOLUNTEER_COMMAND_SCHEMAS } from './volunteer-commands.js';

export * from './consent-commands.js';
export * from './hierarchy-commands.js';
export * from './points-commands.js';
export * from './pool-commands.js';
export * from './project-commands.js';
export * from './registry-commands.js';
export * from './volunteer-commands.js';

export const commandSchema = z.discriminatedUnion('type', [
  ...VOLUNTEER_COMMAND_SCHEMAS,
  ...POINTS_COMMAND_SCHEMAS,
  ...REGISTRY_COMMAND_SCHEMAS,
  ...CONSENT_COMMAND_SCHEMAS,
  ...HIERARCHY_COMMAND_SCHEMAS,
  ...POOL_COMMAND_SCHEMAS,
  ...PROJECT_COMMAND_SCHEMAS,
]);

/** A parsed command (defaults applied). */
export type Command = z.output<typeof commandSchema>;
/** A command as a caller may write it (defaulted fields optional). */
export type CommandInput = z.input<typeof commandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export const COMMAND_TYPES: CommandType[] = commandSchema.options.map((option) => option.shape.type.value);

/** Validates untrusted input; bad input is an `INVALID_COMMAND` error whose details name the first issue. */
export function parseCommand(input: unknown): Command | DomainError {
  const parsed = commandSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return new DomainError('INVALID_COMMAND', `invalid command: ${issue?.message ?? 'unknown problem'}`, {
    path: issue === undefined ? '' : issue.path.map(String).join('.'),
    issueCount: parsed.error.issues.length,
  });
}

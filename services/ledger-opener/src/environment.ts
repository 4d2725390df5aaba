/**
 * Reading settings from the environment, the same way in every process that opens the ledger
 * (the API and the standalone Kafka relay): an empty value counts as unset, a number out of
 * range says what is allowed, and a bad configuration is reported one line per variable.
 */
import { z } from 'zod';

/**
 * A whole number from a string, within bounds. Anything else (a sign, a fraction, an exponent,
 * a number out of range) gets one message that names the unit and the range, so that an operator
 * reads what is allowed rather than zod's own words for whichever check failed first.
 */
export function wholeNumberVariable(minimum: number, maximum: number, unit?: string) {
  const message = `must be a whole number${unit === undefined ? '' : ` of ${unit}`} from ${minimum.toLocaleString('en')} to ${maximum.toLocaleString('en')}`;
  return z
    .string()
    .trim()
    .transform((text, context) => {
      const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isSafeInteger(value) && value >= minimum && value <= maximum) return value;
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    });
}

/** Kafka's own limit is a port of 1 to 65,535; kafkajs would only fail on it at the first connect. */
export function isBrokerList(text: string): boolean {
  return text.split(',').every((broker) => {
    const match = /^([^,\s]+):(\d{1,5})$/.exec(broker);
    const port = Number(match?.[2]);
    return match !== null && port >= 1 && port <= 65_535;
  });
}

export const BROKER_LIST_MESSAGE = 'must be a comma-separated list of host:port, each port 1 to 65535';

/**
 * What POSTGRES_SCHEMA (and `pnpm ledger --postgres-schema`) may name: a lower-case identifier
 * within PostgreSQL's 63 bytes, and not `pg_…`, a prefix PostgreSQL keeps for its own schemas
 * (it refuses to create one: `unacceptable schema name`, which used to stop the server with a
 * stack trace and exit 1, as if the store were down, instead of as a configuration mistake).
 */
export function postgresSchemaProblem(schema: string): string | undefined {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    return 'must be a lower-case SQL identifier of at most 63 characters';
  if (schema.startsWith('pg_')) return 'may not start with pg_ (PostgreSQL keeps those names for itself)';
  return undefined;
}

/** POSTGRES_SCHEMA as a zod variable: `postgresSchemaProblem`'s rule and words, default `ledger`. */
export function postgresSchemaVariable() {
  return z
    .string()
    .trim()
    .superRefine((schema, context) => {
      const problem = postgresSchemaProblem(schema);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    })
    .default('ledger');
}

/**
 * The variables that are set: an empty or blank value counts as unset, so that `PORT= pnpm start`
 * means "the default", as shells usually intend.
 */
export function presentVariables(
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined && value.trim() !== '') present[name] = value;
  }
  return present;
}

function mayHoldSecret(variable: string): boolean {
  return variable.endsWith('_URL') || variable.endsWith('_KEY');
}

export interface VariableProblem {
  readonly variable: string;
  /** `NAME: what is wrong (got "value")`; the value is left out where it may hold a secret. */
  readonly text: string;
}

/**
 * One problem per variable, its first issue: a cross-variable rule (LEDGER_PROCESSES above 1
 * only with postgres) also runs on a value that already failed its own check ("1.5"), and its
 * line would then contradict the one that says what is wrong.
 */
export function variableProblems(
  issues: readonly z.core.$ZodIssue[],
  present: Readonly<Record<string, string | undefined>>,
): VariableProblem[] {
  const firstIssues = new Map<string, z.core.$ZodIssue>();
  for (const issue of issues) {
    const variable = String(issue.path[0] ?? '(environment)');
    if (!firstIssues.has(variable)) firstIssues.set(variable, issue);
  }
  return [...firstIssues].map(([variable, issue]) => {
    const given = present[variable];
    // Echo the value only for variables that cannot hold a secret (URLs may carry passwords;
    // a key one digit short is still most of the key, and stderr ends up in collected logs).
    const shown = given !== undefined && !mayHoldSecret(variable) ? ` (got ${JSON.stringify(given)})` : '';
    return { variable, text: `${variable}: ${issue.message}${shown}` };
  });
}

/**
 * Positions and stream revisions on the wire: decimal strings of 64-bit integers. Every engine
 * stores them as signed 64-bit integers (SQLite INTEGER, PostgreSQL bigint; KurrentDB's unsigned
 * 64-bit range is wider), so an input above 2^63 - 1 can name nothing any store holds. It is
 * refused here as `400 VALIDATION_FAILED` naming the field, before a driver would throw a
 * `RangeError` that reads as a fault of ours.
 */
import { z } from 'zod';

/** The largest signed 64-bit integer: the highest position or revision any engine can store. */
export const STORED_INTEGER_MAX = 9_223_372_036_854_775_807n;

const DECIMAL_PATTERN = /^\d{1,19}$/;

/** At most 19 digits (2^63 - 1 has 19), then compared as a bigint; zod runs the refinement even after the pattern failed. */
function storedInteger(what: string) {
  return z
    .string()
    .regex(DECIMAL_PATTERN, 'must be a decimal integer of at most 19 digits')
    .refine(
      (value) => !DECIMAL_PATTERN.test(value) || BigInt(value) <= STORED_INTEGER_MAX,
      `must be at most ${STORED_INTEGER_MAX} (stores keep signed 64-bit integers)`,
    )
    .describe(what);
}

/** Positions are bigint in process and decimal strings on the wire. */
export const positionSchema = storedInteger('Global position (a decimal string)');

/** A stream revision (0 is a stream's first event). */
export const revisionSchema = storedInteger('Stream revision (a decimal string)');

/** An instant in a response: ISO-8601 UTC, as the domain and the stores write them (`format: date-time`). */
export const instantOnTheWire = z.iso.datetime().describe('ISO-8601 UTC instant');

/**
 * Positions and stream revisions on the wire: decimal strings of 64-bit integers. Every engine
 * stores them as signed 64-bit integers (SQLite INTEGER, PostgreSQL bigint; KurrentDB's unsigned
 * 64-bit range is wider), so an input above 2^63 - 1 can name nothing any store holds. It is
 * refused here as `400 VALIDATION_FAILED` naming the field, before a driver would throw a
 * `RangeError` that reads as a fault of ours.
 */
import { z } from 'zod';
/** The largest signed 64-bit integer: the highest position or revision any engine can store. */
export declare const STORED_INTEGER_MAX = 9223372036854775807n;
/** Positions are bigint in process and decimal strings on the wire. */
export declare const positionSchema: z.ZodString;
/** A stream revision (0 is a stream's first event). */
export declare const revisionSchema: z.ZodString;
/** An instant in a response: ISO-8601 UTC, as the domain and the stores write them (`format: date-time`). */
export declare const instantOnTheWire: z.ZodISODateTime;

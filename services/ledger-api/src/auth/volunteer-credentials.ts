/**
 * Volunteers as users: a desk issues a one-time activation code after checking the
 * person's ID; the volunteer uses it once to set a passphrase; then signs in with volunteer
 * number and passphrase for a short-lived session token, which sign-out revokes.
 *
 * Everything is an event of the volunteer's `credentials-<volunteerNumber>` stream, hashes only:
 * the code and the token are random (sha-256 suffices), the passphrase is scrypt-hashed with a
 * salt. Each operation folds that stream and appends at the revision it folded, so two requests
 * racing one activation code cannot both use it; the loser re-folds and finds the code spent.
 * Nothing is cached: a session revoked in one API process is refused by every other at once.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  parseLedgerEvent,
  ledgerEventSchemaVersion,
  volunteerCredentialsStream,
  VOLUNTEER_NUMBER_PATTERN,
  type VolunteerCredentialEventType,
} from '@timebank/domain';
import { isWrongExpectedVersion, type EventStore, type JsonObject } from '@timebank/event-store';
import { ProblemError } from '../http/problem.js';
import { decoyPassphraseHash, hashPassphrase, verifyPassphrase } from './passphrase-hash.js';
import type { Principal } from './principal.js';

/** Activation codes are printed and typed at home: valid 24 hours, in seconds. */
export const ACTIVATION_CODE_LIFETIME_SECONDS = 24 * 60 * 60;
/** A session lasts one hour (seconds); the volunteer signs in again after that. */
export const SESSION_LIFETIME_SECONDS = 60 * 60;
/** Wrong passphrases or activation codes within the window before the account locks. */
export const SIGN_IN_FAILURES_MAX = 5;
/** The window the failures are counted in, and how long the lock lasts after the last one (seconds). */
export const SIGN_IN_LOCKOUT_SECONDS = 15 * 60;
/** Crockford base-32, as volunteer numbers: no I, L, O or U, so a printed code reads unambiguously. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 characters of base 32: 60 bits; with 5 tries per 15 minutes, guessing is hopeless. */
const ACTIVATION_CODE_LENGTH = 12;
const TOKEN_PREFIX = 'tbv_';
/**
 * Numbers without credentials (unknown, or never issued an activation code) whose failures are
 * counted in memory, oldest dropped first: 100,000 lists of at most five instants are a few MB.
 */
const STRAY_NUMBERS_MAX = 100_000;
/** Appends retried after another request moved the stream first. */
const APPEND_ATTEMPTS_MAX = 5;

interface Session {
  readonly sessionId: string;
  readonly expiresAtMs: number;
}

interface Credentials {
  revision: bigint;
  volunteerId: string | null;
  /** The one activation code that may still be used (a new one replaces it), by hash. */
  code: { readonly codeHash: string; readonly expiresAtMs: number } | null;
  passphraseHash: string | null;
  /** Failures since the last success, in epoch ms. */
  failuresMs: number[];
  sessions: Map<string, Session>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Upper-cases and drops spaces and dashes, and reads O as 0 and I or L as 1, as Crockford's does. */
export function normaliseActivationCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

function drawActivationCode(): string {
  let code = '';
  for (let index = 0; index < ACTIVATION_CODE_LENGTH; index += 1) code += CODE_ALPHABET[randomInt(32)];
  // Printed in groups of four, like a licence key.
  return code.match(/.{4}/g)!.join('-');
}

function refused(code: 'VOLUNTEER_SIGN_IN_FAILED' | 'ACTIVATION_CODE_INVALID', detail: string): ProblemError {
  return ProblemError.http(code, detail);
}

export class VolunteerCredentials {
  readonly #store: EventStore;
  readonly #clock: () => number;
  /**
   * Failed attempts on numbers that have no credentials stream. They are not written (anyone could
   * fill the store with streams of made-up numbers), but they lock out exactly as a stream's do:
   * otherwise the sixth wrong attempt answers 429 for an activated volunteer and 401 for everyone
   * else, telling a stranger which numbers have activated. Per process, like the spend-code counts.
   */
  readonly #strayFailuresMs = new Map<string, number[]>();

  constructor(store: EventStore, clock: () => number) {
    this.#store = store;
    this.#clock = clock;
  }

  /** A new activation code for this volunteer; any earlier unused code stops working. Shown once. */
  async issueActivationCode(input: {
    volunteerId: string;
    volunteerNumber: string;
    issuedBy: string;
  }): Promise<{ activationCode: string; expiresAt: string }> {
    const activationCode = drawActivationCode();
    const expiresAt = new Date(this.#clock() + ACTIVATION_CODE_LIFETIME_SECONDS * 1000).toISOString();
    await this.#update(input.volunteerNumber, input.issuedBy, (state) => {
      if (state.volunteerId !== null && state.volunteerId !== input.volunteerId) {
        // Two volunteers whose derived numbers collide (below 1e-6 at a million volunteers).
        throw ProblemError.http(
          'VOLUNTEER_NUMBER_COLLISION',
          'this volunteer number already has credentials',
        );
      }
      return {
        type: 'VolunteerActivationCodeIssued',
        data: {
          volunteerId: input.volunteerId,
          codeHash: sha256(normaliseActivationCode(activationCode)),
          expiresAt,
          issuedBy: input.issuedBy,
        },
      };
    });
    return { activationCode, expiresAt };
  }

  /** Uses the activation code once to set the passphrase; ends every earlier session. */
  async activate(input: {
    volunteerNumber: string;
    activationCode: string;
    passphrase: string;
  }): Promise<string> {
    const codeHash = sha256(normaliseActivationCode(input.activationCode));
    const passphraseHash = await hashPassphrase(input.passphrase);
    const volunteerId = await this.#update(input.volunteerNumber, 'volunteer', (state, nowMs) => {
      this.#assertNotLocked(input.volunteerNumber, state, nowMs);
      if (state.volunteerId === null) {
        this.#recordStrayFailure(input.volunteerNumber, nowMs);
        throw refused('ACTIVATION_CODE_INVALID', 'unknown, used or expired activation code');
      }
      const valid = state.code?.codeHash === codeHash && state.code.expiresAtMs > nowMs;
      if (!valid) return this.#failure(state, 'activation_code', nowMs);
      return {
        type: 'VolunteerPassphraseSet',
        data: { volunteerId: state.volunteerId, codeHash, passphraseHash },
      };
    });
    return volunteerId;
  }

  /**
   * A session token for the right passphrase; a wrong one counts towards the lockout. `admit`,
   * given the volunteer of a right passphrase, may refuse them (by throwing) before any session
   * is written: only someone who knows the passphrase learns why.
   */
  async signIn(
    input: { volunteerNumber: string; passphrase: string },
    admit?: (volunteerId: string) => Promise<void>,
  ): Promise<{ token: string; volunteerId: string; expiresAt: string }> {
    const { volunteerNumber } = input;
    const stored = await this.#fold(volunteerNumber);
    this.#assertNotLocked(volunteerNumber, stored, this.#clock());
    const matches = await verifyPassphrase(
      input.passphrase,
      stored.passphraseHash ?? (await decoyPassphraseHash()),
    );
    if (matches && stored.volunteerId !== null) await admit?.(stored.volunteerId);
    const token = `${TOKEN_PREFIX}${volunteerNumber}_${randomBytes(32).toString('base64url')}`;
    let expiresAt = '';
    const volunteerId = await this.#update(volunteerNumber, 'volunteer', (state, nowMs) => {
      this.#assertNotLocked(volunteerNumber, state, nowMs);
      if (state.volunteerId === null) {
        this.#recordStrayFailure(volunteerNumber, nowMs);
        throw refused('VOLUNTEER_SIGN_IN_FAILED', 'wrong volunteer number or passphrase');
      }
      // The passphrase checked must still be the current one (a reset may have raced the sign-in).
      if (!matches || state.passphraseHash !== stored.passphraseHash)
        return this.#failure(state, 'passphrase', nowMs);
      expiresAt = new Date(nowMs + SESSION_LIFETIME_SECONDS * 1000).toISOString();
      const data = {
        volunteerId: state.volunteerId,
        sessionId: randomUUID(),
        tokenHash: sha256(token),
        expiresAt,
      };
      return { type: 'VolunteerSessionStarted', data };
    });
    return { token, volunteerId, expiresAt };
  }

  /** The signed-in volunteer this token belongs to, or undefined (unknown, ended or expired). */
  async authenticate(token: string): Promise<Principal | undefined> {
    const parsed = parseToken(token);
    if (parsed === undefined) return undefined;
    const state = await this.#fold(parsed.volunteerNumber);
    const session = state.sessions.get(sha256(token));
    if (session === undefined || session.expiresAtMs <= this.#clock() || state.volunteerId === null)
      return undefined;
    return {
      keyId: session.sessionId,
      role: 'volunteer',
      scope: { kind: 'volunteer', id: state.volunteerId },
      label: parsed.volunteerNumber,
    };
  }

  /** Ends the session of this token at once. */
  async signOut(token: string): Promise<void> {
    const parsed = parseToken(token);
    if (parsed === undefined) return;
    await this.#update(parsed.volunteerNumber, 'volunteer', (state) => {
      const session = state.sessions.get(sha256(token));
      if (session === undefined || state.volunteerId === null) return null;
      return {
        type: 'VolunteerSessionEnded',
        data: { volunteerId: state.volunteerId, sessionId: session.sessionId, reason: 'signed_out' },
      };
    });
  }

  #assertNotLocked(volunteerNumber: string, state: Credentials, nowMs: number): void {
    const failuresMs =
      state.volunteerId === null ? (this.#strayFailuresMs.get(volunteerNumber) ?? []) : state.failuresMs;
    const recent = failuresMs.filter((at) => at > nowMs - SIGN_IN_LOCKOUT_SECONDS * 1000);
    if (recent.length < SIGN_IN_FAILURES_MAX) return;
    const until = new Date(Math.max(...recent) + SIGN_IN_LOCKOUT_SECONDS * 1000).toISOString();
    throw ProblemError.http(
      'VOLUNTEER_SIGN_IN_LOCKED_OUT',
      `too many failed sign-ins; try again after ${until}`,
    );
  }

  /** Counts a failed attempt on a number without credentials, in memory only (`#strayFailuresMs`). */
  #recordStrayFailure(volunteerNumber: string, nowMs: number): void {
    const windowStartMs = nowMs - SIGN_IN_LOCKOUT_SECONDS * 1000;
    const recent = (this.#strayFailuresMs.get(volunteerNumber) ?? []).filter((at) => at > windowStartMs);
    this.#strayFailuresMs.delete(volunteerNumber);
    if (this.#strayFailuresMs.size >= STRAY_NUMBERS_MAX) {
      const oldest = this.#strayFailuresMs.keys().next();
      if (oldest.done !== true) this.#strayFailuresMs.delete(oldest.value);
    }
    // The lock needs only the last SIGN_IN_FAILURES_MAX instants.
    this.#strayFailuresMs.set(volunteerNumber, [...recent, nowMs].slice(-SIGN_IN_FAILURES_MAX));
  }

  /** Records a failed attempt, then refuses it once the append is stored. */
  #failure(state: Credentials, reason: 'passphrase' | 'activation_code', nowMs: number): Planned {
    return {
      type: 'VolunteerSignInFailed',
      data: { volunteerId: state.volunteerId!, reason, failedAt: new Date(nowMs).toISOString() },
      refuse:
        reason === 'passphrase'
          ? refused('VOLUNTEER_SIGN_IN_FAILED', 'wrong volunteer number or passphrase')
          : refused('ACTIVATION_CODE_INVALID', 'unknown, used or expired activation code'),
    };
  }

  /**
   * Folds, decides one event (or none), appends it at the folded revision; on a conflict folds
   * again. Returns the volunteer id; throws the decision's refusal after storing its event.
   */
  async #update(
    volunteerNumber: string,
    actor: string,
    decide: (state: Credentials, nowMs: number) => Planned | null,
  ): Promise<string> {
    const stream = volunteerCredentialsStream(volunteerNumber);
    for (let attempt = 1; ; attempt += 1) {
      const state = await this.#fold(volunteerNumber);
      const planned = decide(state, this.#clock());
      const volunteerId = (planned?.data.volunteerId as string | undefined) ?? state.volunteerId ?? '';
      if (planned === null) return volunteerId;
      const event = {
        id: randomUUID(),
        type: planned.type,
        data: planned.data,
        metadata: { schemaVersion: ledgerEventSchemaVersion(planned.type), actor },
      };
      try {
        await this.#store.appendToStream(stream, [event], {
          expectedRevision: state.revision < 0n ? 'no_stream' : state.revision,
        });
      } catch (error) {
        if (isWrongExpectedVersion(error) && attempt < APPEND_ATTEMPTS_MAX) continue;
        throw error;
      }
      if (planned.refuse !== undefined) throw planned.refuse;
      return volunteerId;
    }
  }

  async #fold(volunteerNumber: string): Promise<Credentials> {
    const state: Credentials = {
      revision: -1n,
      volunteerId: null,
      code: null,
      passphraseHash: null,
      failuresMs: [],
      sessions: new Map(),
    };
    const stream = volunteerCredentialsStream(volunteerNumber);
    for (;;) {
      const page = await this.#store.readStream(stream, { fromRevision: state.revision + 1n });
      for (const recorded of page) {
        state.revision = recorded.revision;
        evolve(state, parseLedgerEvent(recorded.type, recorded.data, recorded.metadata.schemaVersion));
      }
      if (page.length === 0) return state;
    }
  }
}

interface Planned {
  readonly type: VolunteerCredentialEventType;
  readonly data: JsonObject;
  /** Stored, then thrown: a failure is recorded (for the lockout) and refused. */
  readonly refuse?: ProblemError;
}

function evolve(state: Credentials, event: ReturnType<typeof parseLedgerEvent>): void {
  switch (event.type) {
    case 'VolunteerActivationCodeIssued':
      state.volunteerId = event.data.volunteerId;
      state.code = { codeHash: event.data.codeHash, expiresAtMs: Date.parse(event.data.expiresAt) };
      return;
    case 'VolunteerPassphraseSet':
      // A new passphrase (a reset included) spends the code and ends every session before it.
      state.code = null;
      state.passphraseHash = event.data.passphraseHash;
      state.failuresMs = [];
      state.sessions.clear();
      return;
    case 'VolunteerSignInFailed':
      state.failuresMs.push(Date.parse(event.data.failedAt));
      return;
    case 'VolunteerSessionStarted':
      state.failuresMs = [];
      state.sessions.set(event.data.tokenHash, {
        sessionId: event.data.sessionId,
        expiresAtMs: Date.parse(event.data.expiresAt),
      });
      return;
    case 'VolunteerSessionEnded':
      for (const [hash, session] of state.sessions)
        if (session.sessionId === event.data.sessionId) state.sessions.delete(hash);
      return;
    default:
      throw new Error(`a credentials stream holds ${event.type}`);
  }
}

/** `tbv_<volunteer number>_<secret>`; undefined for anything else. */
function parseToken(token: string): { volunteerNumber: string } | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const volunteerNumber = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 14);
  if (!VOLUNTEER_NUMBER_PATTERN.test(volunteerNumber) || token[TOKEN_PREFIX.length + 14] !== '_')
    return undefined;
  return { volunteerNumber };
}

export function isVolunteerToken(token: string): boolean {
  return parseToken(token) !== undefined;
}

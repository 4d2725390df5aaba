/**
 * Calls to the ledger API with the session's key. A failure becomes an ApiError carrying the
 * problem's `code` (RFC 9457, docs/errors.md), which the screens translate; the JSON itself is
 * never shown.
 */
import { fieldReason, type FieldReason } from './field-reasons.js';
import { keepDraft } from './form-draft.js';
import { currentSession, expire, touch, type Session } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    /** `errors[].field` of a VALIDATION_FAILED problem, e.g. `body.phone`. */
    readonly fields: readonly string[] = [],
    details: {
      readonly fieldCodes?: ReadonlyMap<string, string>;
      readonly fieldReasons?: ReadonlyMap<string, FieldReason>;
    } = {},
  ) {
    super(code);
    this.fieldCodes = details.fieldCodes ?? new Map();
    this.fieldReasons = details.fieldReasons ?? new Map();
  }

  /**
   * The error code each field was refused with, when its message starts with one
   * (`SERVICE_RECORD_OVERLAP: …`, as a bulk activity's lines are): field → code.
   */
  readonly fieldCodes: ReadonlyMap<string, string>;
  /** Why each field was refused, when its message says it plainly (too long, empty): field → reason. */
  readonly fieldReasons: ReadonlyMap<string, FieldReason>;
}

/** Code for a request that never got an answer. */
export const NETWORK_ERROR = 'NETWORK';
/**
 * Code for a request the server did not answer within the time allowed: it may or may not have
 * been carried out. A form keeps what was typed; one that keeps its idempotency key too
 * (`retryReusesKey`) makes its retry safe.
 */
export const TIMEOUT = 'TIMEOUT';
/**
 * A TIMEOUT, with how long the request was given (ms), which the message says, and whether a
 * retry sends the same idempotency key: only then may the message promise that nothing is done
 * twice (a read, or a new code per press, has nothing to promise).
 */
export class RequestTimedOut extends ApiError {
  constructor(
    readonly timeoutMs: number,
    readonly retryReusesKey: boolean,
  ) {
    super(TIMEOUT, 0);
  }
}
/** Code for a request not sent because the session had expired (or was ended in another way). */
export const SESSION_EXPIRED = 'SESSION_EXPIRED';

interface Problem {
  readonly code?: unknown;
  readonly errors?: readonly { readonly field?: unknown; readonly message?: unknown }[];
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Writes need one (docs/api.md, Idempotency); a form keeps its key until the write succeeds. */
  readonly idempotencyKey?: string;
  /**
   * The caller sends this `idempotencyKey` again when the clerk retries (it keeps the key until the
   * write succeeds), so a timeout may say that a retry does nothing twice. Unset for reads and
   * for writes that take a new key per press (a new spend or activation code each time).
   */
  readonly retryReusesKey?: boolean;
  /** The sign-in screen's proof of a key just typed: a refusal is its answer, not a session's end. */
  readonly proving?: boolean;
  /** A longer limit than requestTimeoutMs() for a request known to take long (a full verify). */
  readonly timeoutMs?: number;
}

/**
 * How long a request may take, body included, before it is abandoned as TIMEOUT: 15 s by default,
 * long enough for a certificate's PDF on a slow desk line, short enough that a clerk is told
 * something before giving up. `localStorage['timebank.console.requestTimeoutMs']` (1,000 to
 * 120,000 ms) overrides it for this browser: the browser tests shorten it, a very slow line may
 * lengthen it.
 */
export const REQUEST_TIMEOUT_MS_DEFAULT = 15_000;
const TIMEOUT_STORAGE_KEY = 'timebank.console.requestTimeoutMs';

export function requestTimeoutMs(): number {
  const stored = Number(localStorage.getItem(TIMEOUT_STORAGE_KEY));
  return Number.isInteger(stored) && stored >= 1_000 && stored <= 120_000
    ? stored
    : REQUEST_TIMEOUT_MS_DEFAULT;
}

export async function call<T>(session: Session, path: string, options: CallOptions = {}): Promise<T> {
  return (await send(session, path, options, (response) => response.json())) as T;
}

/** A binary answer (a certificate PDF) with the session's key. */
export async function callBlob(session: Session, path: string): Promise<Blob> {
  return send(session, path, {}, (response) => response.blob());
}

/** The sign-in screen of the session's kind. */
export function signInPathOf(session: Session): string {
  return session.role === 'volunteer' ? '/volunteer/sign-in' : '/sign-in';
}

async function send<T>(
  session: Session,
  path: string,
  options: CallOptions,
  read: (response: Response) => Promise<T>,
): Promise<T> {
  if (currentSession()?.key !== session.key) {
    // The router shows the sign-in screen, saying the session expired; what was typed comes back
    // when the same role signs in again.
    keepDraft(session);
    location.hash = signInPathOf(session);
    throw new ApiError(SESSION_EXPIRED, 0);
  }
  return withTimeout(async (signal) => {
    const response = await fetchOrFail(path, options, { authorization: `Bearer ${session.key}` }, signal);
    const answer = await answered(session, response, options);
    return read(answer);
  }, options);
}

/** The response of a staff or volunteer request, or the ApiError (and session end) it means. */
async function answered(session: Session, response: Response, options: CallOptions): Promise<Response> {
  if (response.status === 401 && session.role === 'volunteer') {
    // A volunteer's token ends on the server (60 min, a reset, a sign-out elsewhere): back to
    // sign-in, saying the session expired, instead of an error on a screen that cannot recover.
    keepDraft(session);
    expire();
    location.hash = signInPathOf(session);
    throw new ApiError(SESSION_EXPIRED, 401);
  }
  if (response.status === 401 && options.proving !== true) {
    // A staff key that worked at sign-in and is refused now was revoked (or its holder's
    // organisation replaced it): no screen can do anything with it, so back to sign-in, saying
    // so, rather than leaving the clerk to fill in forms that will all be refused.
    keepDraft(session);
    expire('keyRefused');
    location.hash = signInPathOf(session);
    throw await problemOf(response);
  }
  if (!response.ok) throw await problemOf(response);
  touch(session);
  return response;
}

/** A public route (volunteer sign-in and activation, certificate verification): no key. */
export async function callPublic<T>(path: string, options: CallOptions = {}): Promise<T> {
  return withTimeout(async (signal) => {
    const response = await fetchOrFail(path, options, {}, signal);
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as T;
  }, options);
}

/**
 * Runs `request` with a signal that aborts it, reading of the body included, after
 * requestTimeoutMs() (or `options.timeoutMs`): a server that hangs is reported as TIMEOUT instead
 * of a screen that waits for ever.
 */
async function withTimeout<T>(
  request: (signal: AbortSignal) => Promise<T>,
  options: CallOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? requestTimeoutMs();
  const retryReusesKey = options.retryReusesKey === true && options.idempotencyKey !== undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await request(controller.signal);
  } catch (error) {
    // Aborted: whatever failed (the fetch, or reading a body cut short) failed for want of time.
    if (controller.signal.aborted) throw new RequestTimedOut(timeoutMs, retryReusesKey);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `options` (JSON body, Idempotency-Key) to `path` with `headers` added; a request that
 * never got an answer is a NETWORK_ERROR, any answer is returned as it came.
 */
async function fetchOrFail(
  path: string,
  options: CallOptions,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  const sent: Record<string, string> = { ...headers };
  if (options.body !== undefined) sent['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) sent['idempotency-key'] = options.idempotencyKey;
  try {
    return await fetch(path, {
      method: options.method ?? 'GET',
      headers: sent,
      signal,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(NETWORK_ERROR, 0);
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const problem = (await response.json()) as Problem;
    const fields = (problem.errors ?? []).flatMap((issue) =>
      typeof issue.field === 'string' ? [issue.field] : [],
    );
    const fieldCodes = new Map<string, string>();
    const fieldReasons = new Map<string, FieldReason>();
    for (const issue of problem.errors ?? []) {
      if (typeof issue.field !== 'string' || typeof issue.message !== 'string') continue;
      const code = /^([A-Z][A-Z_]+):/.exec(issue.message)?.[1];
      if (code !== undefined) fieldCodes.set(issue.field, code);
      const reason = fieldReason(issue.message);
      if (reason !== undefined) fieldReasons.set(issue.field, reason);
    }
    return new ApiError(
      typeof problem.code === 'string' ? problem.code : 'INTERNAL_ERROR',
      response.status,
      fields,
      { fieldCodes, fieldReasons },
    );
  } catch {
    return new ApiError('INTERNAL_ERROR', response.status);
  }
}

/**
 * Idempotency keys kept per action (a record's confirm, a hold's capture) until it succeeds: a
 * retry after a timeout or a lost answer repeats the same request, which the API answers with what
 * it did the first time, rather than making a second one that is refused as already done.
 */
export function keysUntilDone(): { keyFor(action: string): string; done(action: string): void } {
  const keys = new Map<string, string>();
  return {
    keyFor(action) {
      const key = keys.get(action) ?? crypto.randomUUID();
      keys.set(action, key);
      return key;
    },
    done(action) {
      keys.delete(action);
    },
  };
}

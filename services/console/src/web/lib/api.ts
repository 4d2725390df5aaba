/**
 * Calls to the ledger API with the session's key. A failure becomes an ApiError carrying the
 * problem's `code` (RFC 9457, docs/errors.md), which the screens translate; the JSON itself is
 * never shown.
 */
import { currentSession, touch, type Session } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    /** `errors[].field` of a VALIDATION_FAILED problem, e.g. `body.phone`. */
    readonly fields: readonly string[] = [],
  ) {
    super(code);
  }
}

/** Code for a request that never got an answer. */
export const NETWORK_ERROR = 'NETWORK';
/** Code for a request not sent because the session had expired (or was ended in another way). */
export const SESSION_EXPIRED = 'SESSION_EXPIRED';

interface Problem {
  readonly code?: unknown;
  readonly errors?: readonly { readonly field?: unknown }[];
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Writes need one (docs/api.md, Idempotency); a form keeps its key until the write succeeds. */
  readonly idempotencyKey?: string;
}

export async function call<T>(session: Session, path: string, options: CallOptions = {}): Promise<T> {
  if (currentSession()?.key !== session.key) {
    // The router shows the sign-in screen, saying the session expired.
    location.hash = '/sign-in';
    throw new ApiError(SESSION_EXPIRED, 0);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${session.key}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(NETWORK_ERROR, 0);
  }
  if (!response.ok) throw await problemOf(response);
  touch(session);
  return (await response.json()) as T;
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const problem = (await response.json()) as Problem;
    const fields = (problem.errors ?? []).flatMap((issue) =>
      typeof issue.field === 'string' ? [issue.field] : [],
    );
    return new ApiError(
      typeof problem.code === 'string' ? problem.code : 'INTERNAL_ERROR',
      response.status,
      fields,
    );
  } catch {
    return new ApiError('INTERNAL_ERROR', response.status);
  }
}

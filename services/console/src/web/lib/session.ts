/**
 * The signed-in staff member. The API key lives in this tab's sessionStorage only (never
 * localStorage): it is gone when the tab closes, and the session expires after
 * SESSION_IDLE_MS without a request.
 */
export type StaffRole = 'desk' | 'organiser' | 'partner' | 'auditor' | 'admin';
/** A volunteer signs in with volunteer number and passphrase for a session token (docs/api.md). */
export type Role = StaffRole | 'volunteer';

export interface Session {
  readonly key: string;
  readonly role: Role;
  /**
   * The key's scope: the desk's community, the organiser's organisation or the partner's id;
   * null for an auditor or an administrator (scope: all); the volunteer's own id for a volunteer.
   */
  readonly scopeId: string | null;
  readonly expiresAtMs: number;
  /** When the server ends the credential whatever the activity (a volunteer's token: 60 min). */
  readonly endsAtMs?: number;
}

/** 30 minutes idle: a desk computer left unattended locks itself within a break. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
const STORAGE_KEY = 'timebank.console.session';

/** Why the session ended: it expired, or the server refused the staff key (revoked). */
export type SessionEnd = 'expired' | 'keyRefused';

/** Set when a session was found ended, until the sign-in screen has said so. */
let ended: SessionEnd | null = null;

/** Once, after an ended session was removed, why: the sign-in screen says why it is shown. */
export function takeExpired(): SessionEnd | null {
  const was = ended;
  ended = null;
  return was;
}

export function currentSession(): Session | null {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (stored === null) return null;
  const session = JSON.parse(stored) as Session;
  if (session.expiresAtMs <= Date.now()) {
    signOut();
    ended = 'expired';
    return null;
  }
  return session;
}

export function signIn(key: string, role: Role, scopeId: string | null, endsAtMs?: number): Session {
  const session: Session = {
    key,
    role,
    scopeId,
    expiresAtMs: Math.min(Date.now() + SESSION_IDLE_MS, endsAtMs ?? Infinity),
    ...(endsAtMs === undefined ? {} : { endsAtMs }),
  };
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/**
 * Extends the session after a successful request, unless it ended meanwhile: an answer arriving
 * after sign-out must not bring the key back.
 */
export function touch(session: Session): void {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (stored === null || (JSON.parse(stored) as Session).key !== session.key) return;
  sessionStorage.setItem(
    STORAGE_KEY,
    JSON.stringify({
      ...session,
      expiresAtMs: Math.min(Date.now() + SESSION_IDLE_MS, session.endsAtMs ?? Infinity),
    }),
  );
}

/**
 * The server refused the credential (a volunteer's token ran out, a staff key was revoked): sign
 * out, and say why on sign-in.
 */
export function expire(why: SessionEnd = 'expired'): void {
  signOut();
  ended = why;
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

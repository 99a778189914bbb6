/** Pure rules for sessions and sign-in lockout (reliability targets RG-08 and RG-09). */

export const IDLE_TIMEOUT_MS = 15 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const LOCKOUT_WINDOW_MS = 15 * 60 * 1000;
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_DURATION_MS = 15 * 60 * 1000;
/** Live sessions one person may hold at once (phone, desktop and one more). */
export const MAX_SESSIONS = 3;

/** The one message for unknown user, wrong password and locked account, so none can be told apart. */
export const SIGN_IN_FAILED = 'The username or password is not correct, or the account is locked. Try again later or contact your administrator.';

export type SessionState = 'active' | 'ended' | 'idle-expired' | 'absolute-expired';

/** Whether a session may still be used at `now`. */
export function sessionState(s: { createdAt: Date; lastSeenAt: Date; endedAt: Date | null }, now: Date): SessionState {
  if (s.endedAt) return 'ended';
  if (now.getTime() - s.createdAt.getTime() >= ABSOLUTE_TIMEOUT_MS) return 'absolute-expired';
  if (now.getTime() - s.lastSeenAt.getTime() >= IDLE_TIMEOUT_MS) return 'idle-expired';
  return 'active';
}

/**
 * Locked when there have been LOCKOUT_THRESHOLD failures within the window; the lock lasts LOCKOUT_DURATION_MS
 * from the latest failure. `failures` are the failure times, newest first, since the last success.
 */
export function isLocked(failures: Date[], now: Date): boolean {
  const recent = failures.filter((f) => now.getTime() - f.getTime() < LOCKOUT_WINDOW_MS + LOCKOUT_DURATION_MS);
  for (let i = 0; i + LOCKOUT_THRESHOLD - 1 < recent.length; i++) {
    const newest = recent[i]!;
    const fifthBack = recent[i + LOCKOUT_THRESHOLD - 1]!;
    const burst = newest.getTime() - fifthBack.getTime() < LOCKOUT_WINDOW_MS;
    if (burst && now.getTime() - newest.getTime() < LOCKOUT_DURATION_MS) return true;
  }
  return false;
}

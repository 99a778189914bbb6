import type { ApiToken, User } from './schema.ts';
import { ROLE_LABELS, type Role } from '../access/roles.ts';

/** A token as its owner sees it: never the hash. */
export function presentToken(t: ApiToken) {
  return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null, lastUsedAt: t.lastUsedAt?.toISOString() ?? null };
}

/** A user as an administrator sees it: never the password hash. */
export function presentUser(u: User, unitIds: string[] = []) {
  return { id: u.id, username: u.username, displayName: u.displayName, orgId: u.orgId, role: u.role, roleLabel: ROLE_LABELS[u.role as Role], active: u.active, unitIds };
}

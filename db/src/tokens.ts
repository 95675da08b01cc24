/**
 * API tokens: `rl_` + 32 random bytes (base64url). Only the sha256 is stored; the secret is shown
 * once. Roles are ordered: viewer < operator < admin.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { asc, eq, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { apiTokens } from './schema';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const TOKEN_PREFIX = 'rl_';

export type TokenRow = typeof apiTokens.$inferSelect;
/** A token as listed: never the hash, never the secret. */
export type TokenInfo = Omit<TokenRow, 'hash'>;

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

/** Whether `have` grants what `need` requires. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export async function createToken(db: Db, opts: { role: Role; name?: string }): Promise<{ token: string; info: TokenInfo }> {
  if (!isRole(opts.role)) throw new Error(`role must be one of ${ROLES.join(', ')}, got "${String(opts.role)}"`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(apiTokens)
    .values({ name: opts.name?.trim() || `${opts.role} token`, role: opts.role, hash: hashToken(token) })
    .returning();
  const { hash: _hash, ...info } = row!;
  return { token, info };
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  const rows = await db.select().from(apiTokens).orderBy(asc(apiTokens.id));
  return rows.map(({ hash: _hash, ...info }) => info);
}

/** Revokes a token (kept for the record); false when there is no such token. */
export async function revokeToken(db: Db, id: number): Promise<boolean> {
  const rows = await db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id)).returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function countActiveTokens(db: Db, role?: Role): Promise<number> {
  const rows = await db.select({ role: apiTokens.role }).from(apiTokens).where(isNull(apiTokens.revokedAt));
  return rows.filter((r) => !role || r.role === role).length;
}

// last_used_at is written at most once a minute per token and process: not one write per request.
const USE_WRITE_INTERVAL_MS = 60_000;
const lastWrite = new Map<number, number>();

/** The token's row when it is valid and not revoked, else null. Records last_used_at (throttled). */
export async function verifyToken(db: Db, token: string): Promise<{ id: number; name: string; role: Role } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const hash = hashToken(token);
  // The lookup is by the hash of a 256-bit secret (timing there says nothing about the secret);
  // the final check is still constant-time.
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.hash, hash)).limit(1);
  if (!row || row.revokedAt || !isRole(row.role)) return null;
  if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  const now = Date.now();
  if (now - (lastWrite.get(row.id) ?? 0) > USE_WRITE_INTERVAL_MS) {
    lastWrite.set(row.id, now);
    await db.update(apiTokens).set({ lastUsedAt: new Date(now) }).where(eq(apiTokens.id, row.id));
  }
  return { id: row.id, name: row.name, role: row.role };
}

/**
 * The first admin token, for `reprolab up`: when no unrevoked admin token exists, creates one and
 * writes it to `file` readable by its owner only. Returns the token when it created one.
 */
export async function ensureAdminToken(db: Db, file: string): Promise<string | null> {
  if ((await countActiveTokens(db, 'admin')) > 0) return null;
  const { token } = await createToken(db, { role: 'admin', name: 'admin (created by reprolab up)' });
  await mkdir(dirname(file), { recursive: true });
  await rm(file, { force: true }); // a fresh file, so the mode below applies from creation
  await writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return token;
}

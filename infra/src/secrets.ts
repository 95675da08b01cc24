/**
 * Per-install secrets of the embedded stack: MinIO's root credentials and the embedded database's
 * password are generated on the first `reprolab up` and kept in `<state dir>/secrets.json` (mode
 * 600), so no two installs share a password and other users of the machine cannot read it. A state
 * dir whose MinIO data predates this file keeps the old fixed credentials (its data was written
 * under them), recorded as `legacy`, so upgrading loses nothing. A secrets.json from before the
 * database had a password gets one added: PGlite's data has no password of its own to preserve.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface StackSecrets {
  s3AccessKey: string;
  s3SecretKey: string;
  /** The embedded database's password for user `postgres` (the server keeps only its SCRAM verifier). */
  dbPassword: string;
  /** True when these are the fixed credentials of installs made before per-install secrets. */
  legacy?: boolean;
}

/** What every install used for MinIO before per-install secrets. */
export const LEGACY_SECRETS: Omit<StackSecrets, 'dbPassword'> = { s3AccessKey: 'reprolab', s3SecretKey: 'reprolab-secret', legacy: true };

export function secretsFile(stateDir: string): string {
  return path.join(path.resolve(stateDir), 'secrets.json');
}

const generatePassword = () => randomBytes(24).toString('base64url');

/** The state dir's secrets as they are (null when there is no file yet); creates nothing. */
export async function readSecrets(stateDir: string): Promise<ReturnType<typeof parseSecrets> | null> {
  const file = secretsFile(stateDir);
  try {
    return parseSecrets(await fs.readFile(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Reads the state dir's secrets, creating them (owner-only) on first use. `addedDbPassword`: the
 * file predated the database password, and one was generated into it now.
 */
export async function loadOrCreateSecrets(stateDir: string): Promise<{ secrets: StackSecrets; created: boolean; addedDbPassword?: boolean }> {
  const file = secretsFile(stateDir);
  let text: string | null = null;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== null) {
    const secrets = parseSecrets(text, file);
    // Tighten a file someone loosened (e.g. copied with cp): it holds the store's root password.
    if (((await fs.stat(file)).mode & 0o077) !== 0) await fs.chmod(file, 0o600);
    if (secrets.dbPassword) return { secrets: secrets as StackSecrets, created: false };
    const upgraded: StackSecrets = { ...secrets, dbPassword: generatePassword() };
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(upgraded, null, 2) + '\n', { mode: 0o600 });
    await fs.rename(tmp, file);
    return { secrets: upgraded, created: false, addedDbPassword: true };
  }
  const hasMinioData = existsSync(path.join(path.resolve(stateDir), 'minio', '.minio.sys'));
  const minio = hasMinioData ? LEGACY_SECRETS : { s3AccessKey: `reprolab-${randomBytes(4).toString('hex')}`, s3SecretKey: generatePassword() };
  const secrets: StackSecrets = { ...minio, dbPassword: generatePassword() };
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // wx: two `up`s racing cannot both write (the loser reads the winner's).
    await fs.writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecrets(stateDir);
    throw e;
  }
  return { secrets, created: true };
}

function parseSecrets(text: string, file: string): Omit<StackSecrets, 'dbPassword'> & { dbPassword?: string } {
  let v: Partial<StackSecrets>;
  try {
    v = JSON.parse(text) as Partial<StackSecrets>;
  } catch {
    throw new Error(`${file} is not valid JSON. It holds this install's MinIO credentials: restore it from a backup; only if the state dir has no data worth keeping, delete the state dir and run \`reprolab up\` again`);
  }
  for (const k of ['s3AccessKey', 's3SecretKey'] as const) {
    if (typeof v[k] !== 'string' || v[k].length < 3) throw new Error(`${file}: "${k}" is missing or not a string of ≥ 3 characters; restore the file (MinIO's data is bound to these credentials)`);
  }
  if (v.dbPassword !== undefined && (typeof v.dbPassword !== 'string' || v.dbPassword.length < 8)) {
    throw new Error(`${file}: "dbPassword" is not a string of ≥ 8 characters; delete that key and \`reprolab up\` generates a new one`);
  }
  return { s3AccessKey: v.s3AccessKey!, s3SecretKey: v.s3SecretKey!, ...(v.dbPassword ? { dbPassword: v.dbPassword } : {}), ...(v.legacy ? { legacy: true } : {}) };
}

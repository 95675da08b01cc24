/**
 * A local file per artifact digest, for handing bulk inputs to compute child processes. Written
 * atomically (temp file + rename) and reused across steps of the same worker.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripDigest, withRetry, type ObjectStore } from './object-store';

const root = join(process.env.REPROLAB_SCRATCH_DIR ?? tmpdir(), 'reprolab-artifacts');

export async function artifactFile(store: ObjectStore, sha256: string, log?: (m: string) => void): Promise<string> {
  const hex = stripDigest(sha256);
  const path = join(root, hex);
  try {
    await stat(path);
    return path;
  } catch {
    // not cached yet
  }
  await mkdir(root, { recursive: true });
  const bytes = await withRetry(`fetch ${sha256.slice(0, 19)}`, () => store.getBytes(sha256), { onRetry: log });
  const tmp = `${path}.${process.pid}.${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
  return path;
}

/** Code version and lockfile hash: recorded with every run and part of every step fingerprint. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export function codeVersion(): string {
  if (process.env.REPROLAB_CODE_VERSION) return process.env.REPROLAB_CODE_VERSION;
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    // A dirty tree gets a hash of its diff, so uncommitted edits never share a cache entry.
    const diff = execFileSync('git', ['diff', 'HEAD', '--', '.', ':!*.md'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    return diff ? `${commit}-dirty.${createHash('sha256').update(diff).digest('hex').slice(0, 12)}` : commit;
  } catch {
    return 'unknown';
  }
}

export function lockfileHash(): string {
  try {
    return 'sha256:' + createHash('sha256').update(readFileSync(new URL('package-lock.json', `file://${repoRoot}/`))).digest('hex');
  } catch {
    return 'none';
  }
}

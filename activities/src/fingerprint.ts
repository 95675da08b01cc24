import { createHash } from 'node:crypto';
import { canonicalJson } from '@reprolab/recipes';

/**
 * A step's identity for the cache: what it does (kind, params), what it reads (input digests),
 * the steps it needs (by their own fingerprints: an aggregate reads their metrics, not artifacts),
 * the seed its randomness comes from, and the code that computes it.
 */
export function stepFingerprint(f: {
  kind: string;
  params: unknown;
  inputs: Record<string, string>;
  needs: Record<string, string>;
  seed: number;
  codeVersion: string;
}): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(f)).digest('hex');
}

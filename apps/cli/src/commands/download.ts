/** `reprolab download <run> <artifact> [--out FILE]`: one of a run's artifacts (or an input it consumed), checked against its digest. */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { connectApi } from '../connect';
import { num } from '../format';

/**
 * The digest `which` names among a run's artifacts and consumed inputs: an artifact name, a full
 * digest, or a digest prefix (as `reprolab status` prints them, with or without `sha256:`).
 */
export function resolveArtifact(runId: string, which: string, candidates: { sha256: string; name: string }[]): string {
  const byName = candidates.filter((c) => c.name === which);
  const hex = which.startsWith('sha256:') ? which.slice(7) : which;
  const matches = byName.length ? byName : /^[0-9a-f]{4,64}$/.test(hex) ? candidates.filter((c) => c.sha256.slice(7).startsWith(hex)) : [];
  const digests = [...new Set(matches.map((m) => m.sha256))];
  if (digests.length === 1) return digests[0]!;
  const first = new Map<string, string>();
  for (const c of candidates) if (!first.has(c.sha256)) first.set(c.sha256, c.name);
  const listing = [...first].map(([sha, name]) => `  ${name}  ${sha.slice(0, 19)}`).join('\n');
  if (!digests.length) throw new Error(`run ${runId} has no artifact or input "${which}"; give a name or a digest (prefix) of:\n${listing}`);
  throw new Error(`"${which}" names ${digests.length} different artifacts of run ${runId}; give more of the digest:\n${listing}`);
}

export async function downloadCommand(stateDir: string, runId: string, which: string, opts: { out?: string; json: boolean }): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const r = await conn.api.runs.get({ runId });
    const inputs = r.lineage.flatMap((l) => (l.inputs ?? []).map((i) => ({ sha256: i.digest, name: i.source.kind === 'dataset' ? i.source.name : `${l.stepKey}.${i.slot}` })));
    const sha256 = resolveArtifact(runId, which, [...r.artifacts, ...inputs]);
    const link = await conn.api.artifacts.url({ runId, sha256, expirySeconds: 300 });
    const res = await fetch(link.url);
    if (!res.ok) throw new Error(`the object store answered ${res.status} for ${sha256} (${await res.text().catch(() => '')})`.slice(0, 400));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (got !== sha256) throw new Error(`downloaded bytes hash to ${got}, not ${sha256}; nothing written`);
    const out = opts.out ?? link.filename;
    await writeFile(out, bytes).catch(async (e: unknown) => {
      await rm(out, { force: true });
      throw e;
    });
    if (opts.json) console.log(JSON.stringify({ runId, sha256, name: link.name, kind: link.kind, size: bytes.length, path: out }, null, 2));
    else console.log(`${link.kind} ${link.name} (${num(bytes.length)} bytes, ${sha256.slice(0, 19)}, verified) → ${out}`);
    return 0;
  } finally {
    await conn.close();
  }
}

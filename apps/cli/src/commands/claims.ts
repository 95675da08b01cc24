/**
 * `reprolab claims [--paper P] [--json]`: every claim of the registry with its standing — the most
 * decisive judgement any completed run gave it (persisted in claim_judgements), with the evidence
 * and the run — or why it has none (not yet run, no recipe, out of reach here). The ids are what a
 * recipe's `targets` name.
 */
import type { ClaimStanding } from '@reprolab/api';
import { connectApi } from '../connect';
import { num, table } from '../format';

export async function claimsCommand(stateDir: string, opts: { paper?: string; json?: boolean }): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const rows = await conn.api.claims.standing({ paper: opts.paper });
    if (opts.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!rows.length) {
      console.error(opts.paper ? `no claims for paper "${opts.paper}"; run \`reprolab claims\` to see the papers` : 'the claim registry is empty');
      return 1;
    }
    console.log(table(['claim', 'paper', 'paper value', 'standing', 'evidence', 'run'], rows.map((c) => [c.claimId, c.paper, c.paperValue === null ? c.hypothesis : `${num(c.paperValue)} ${c.unit ?? ''}`.trim(), standingText(c), c.fidelity, c.runId])));
    console.log('\n' + summary(rows));
    return 0;
  } finally {
    await conn.close();
  }
}

function standingText(c: ClaimStanding): string {
  return c.outOfReach && (c.standing === 'not yet run' || c.standing === 'no recipe' || c.standing === 'not comparable') ? `${c.label}; out of reach here: ${c.outOfReach}` : c.label;
}

/** Per paper: how many claims stand where. */
function summary(rows: ClaimStanding[]): string {
  const byPaper = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = byPaper.get(r.paper) ?? new Map<string, number>();
    m.set(r.standing, (m.get(r.standing) ?? 0) + 1);
    byPaper.set(r.paper, m);
  }
  return [...byPaper].map(([paper, m]) => `${paper}: ${[...m].map(([s, n]) => `${n} ${s}`).join(', ')}`).join('\n');
}

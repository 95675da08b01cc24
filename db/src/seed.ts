import { sql } from 'drizzle-orm';
import claimsData from '../data/claims.json' with { type: 'json' };
import papersData from '../data/papers.json' with { type: 'json' };
import type { Db } from './client';
import { claims, papers } from './schema';

interface RegistryClaim {
  paper: string;
  short: string;
  claim_id: string;
  task?: string;
  dataset?: string;
  model?: string;
  setting?: string;
  metric: string;
  unit?: string;
  value: number;
  higher_is_better?: boolean;
  kind: string;
  baseline?: string;
  source?: string;
  confidence?: string;
  note?: string;
}

/**
 * Seeds the paper-claim registry (a copy of shared/papers/claims.json committed under db/data).
 * Upserts, so re-seeding after the registry changes updates rows in place.
 */
export async function seedClaims(db: Db): Promise<{ papers: number; claims: number }> {
  const registry = claimsData as RegistryClaim[];
  const titles = new Map((papersData as { id: string; title: string }[]).map((p) => [p.id, p.title]));
  const shorts = new Map<string, string>();
  for (const c of registry) shorts.set(c.paper, c.short);
  const paperRows = [...shorts].map(([id, short]) => ({ id, short, title: titles.get(id) ?? null }));
  await db
    .insert(papers)
    .values(paperRows)
    .onConflictDoUpdate({ target: papers.id, set: { short: sql`excluded.short`, title: sql`excluded.title` } });
  const rows = registry.map((c) => ({
    id: c.claim_id,
    paperId: c.paper,
    task: c.task ?? null,
    dataset: c.dataset ?? null,
    model: c.model ?? null,
    setting: c.setting ?? null,
    metric: c.metric,
    unit: c.unit ?? null,
    value: c.value,
    higherIsBetter: c.higher_is_better ?? null,
    kind: c.kind,
    baseline: c.baseline ?? null,
    source: c.source ?? null,
    confidence: c.confidence ?? null,
    note: c.note ?? null,
  }));
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insert(claims)
      .values(rows.slice(i, i + 100))
      .onConflictDoUpdate({
        target: claims.id,
        set: {
          value: sql`excluded.value`,
          setting: sql`excluded.setting`,
          metric: sql`excluded.metric`,
          unit: sql`excluded.unit`,
          note: sql`excluded.note`,
          source: sql`excluded.source`,
        },
      });
  }
  return { papers: paperRows.length, claims: rows.length };
}

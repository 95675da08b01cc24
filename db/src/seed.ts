import { sql, type SQL } from 'drizzle-orm';
import claimsData from '../data/claims.json' with { type: 'json' };
import orderingsData from '../data/orderings.json' with { type: 'json' };
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
  value: number | null;
  higher_is_better?: boolean;
  hypothesis?: 'value' | 'superiority' | 'non-inferiority';
  margin?: number;
  statement?: string;
  derived_from?: string[];
  kind: string;
  baseline?: string;
  source?: string;
  confidence?: string;
  note?: string;
}

/**
 * Seeds the paper-claim registry: the papers' numbers (a copy of shared/papers/claims.json under
 * db/data) and the orderings the papers claim in words or through two table rows
 * (db/data/orderings.json: "GaP beats pruning from dense"), each with the hypothesis a
 * reproduction must test. Upserts, so re-seeding after the registry changes updates rows in place.
 */
export async function seedClaims(db: Db): Promise<{ papers: number; claims: number }> {
  const registry = [...(claimsData as RegistryClaim[]), ...(orderingsData as RegistryClaim[])];
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
    hypothesis: c.hypothesis ?? 'value',
    margin: c.margin ?? null,
    statement: c.statement ?? null,
    derivedFrom: c.derived_from ?? null,
  }));
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insert(claims)
      .values(rows.slice(i, i + 100))
      .onConflictDoUpdate({
        target: claims.id,
        set: excludedColumns(claims, ['value', 'setting', 'metric', 'unit', 'note', 'source', 'kind', 'hypothesis', 'margin', 'statement', 'derivedFrom', 'baseline', 'higherIsBetter']),
      });
  }
  return { papers: paperRows.length, claims: rows.length };
}

/** `SET col = excluded.col` for each named column: a re-seed refreshes what the registry owns. */
function excludedColumns<K extends keyof typeof claims.$inferInsert>(table: typeof claims, keys: readonly K[]): Record<K, SQL> {
  return Object.fromEntries(keys.map((k) => [k, sql`excluded.${sql.identifier(table[k].name)}`])) as Record<K, SQL>;
}

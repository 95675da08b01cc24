/**
 * Every claim's standing across runs: the most decisive judgement any recent completed run gave it
 * (decisive before inconclusive before not comparable; then higher fidelity; then newer), or why
 * there is none — no shipped recipe targets it, a recipe does but has not run, or it needs data
 * or hardware this install does not have.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { completedRunsTargetingClaims, listClaims, type ClaimRow, type Db } from '@reprolab/db';
import { parseRecipe } from '@reprolab/recipes';
import type { Fidelity } from '@reprolab/recipes/evidence';
import { judgeRunsForClaims, type ComparisonRow } from './compare';

export const STANDINGS = ['reproduced', 'not reproduced', 'inconclusive', 'not comparable', 'not yet run', 'no recipe'] as const;
export type Standing = (typeof STANDINGS)[number];

export interface ClaimStanding {
  claimId: string;
  paper: string;
  task: string | null;
  dataset: string | null;
  setting: string | null;
  metric: string;
  unit: string | null;
  paperValue: number | null;
  hypothesis: string;
  standing: Standing;
  /** The deciding verdict's label ("not reproduced (above the paper)"), or why nothing decided it. */
  label: string;
  statement: string | null;
  fidelity: Fidelity | null;
  scale: string | null;
  reproduced: number | null;
  interval: [number, number] | null;
  /** The run (and recipe) whose judgement this is. */
  runId: string | null;
  recipe: string | null;
  /** Completed runs that judged this claim (within the window), and shipped recipes that target it. */
  runsJudged: number;
  recipes: string[];
  /** Data or hardware this claim needs that an install does not have by default, when nothing decided it. */
  outOfReach: string | null;
}

const VERDICT_RANK: Record<string, number> = { reproduced: 3, 'not reproduced': 3, inconclusive: 2, 'not comparable': 1 };
const FIDELITY_RANK: Record<string, number> = { exact: 4, measured: 3, 'modelled-baseline': 2, proxy: 1, 'qualitative-model': 0 };

/** What a claim's setting needs that is not installed by default (the README's "import it" datasets). */
export function outOfReachReason(c: Pick<ClaimRow, 'dataset' | 'model' | 'task'>): string | null {
  const d = `${c.dataset ?? ''} ${c.model ?? ''}`;
  if (/imagenet/i.test(d)) return 'needs ImageNet (reprolab data import) and GPUs';
  if (/cifar/i.test(d)) return 'needs CIFAR (reprolab data import --format cifar10-binary)';
  if (/div2k|set5|set14|b100|urban100|manga/i.test(d)) return 'needs the SR benchmarks (DIV2K, Set5, …) imported, and a GPU for the paper\'s setting';
  if (/reside|sots|its|hazy|haze/i.test(d)) return 'needs the dehazing benchmarks (RESIDE, Dense-Haze, NH-HAZE) imported';
  if (/v100|gpu/i.test(d)) return 'needs the paper\'s hardware measurement';
  return null;
}

// A recipe file's targeted claims, kept while its size and mtime stay the same: parsing and
// expanding every shipped recipe costs tens of milliseconds, a stat of each costs almost nothing.
const targetsCache = new Map<string, { key: string; claims: string[] }>();

async function fileTargets(path: string, file: string): Promise<string[]> {
  const st = await stat(path);
  const key = `${st.size}:${st.mtimeMs}`;
  const hit = targetsCache.get(path);
  if (hit?.key === key) return hit.claims;
  let claims: string[] = [];
  try {
    claims = parseRecipe(await readFile(path, 'utf8'), file).recipe.targets.map((t) => t.claim);
  } catch {
    // unparseable: no targets (recipes.list reports the error)
  }
  targetsCache.set(path, { key, claims });
  return claims;
}

/** Claim id → shipped recipe files that target it. Unparseable files are skipped (recipes.list reports them). */
export async function shippedTargets(recipesDir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const files = (await readdir(recipesDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const targets = await Promise.all(files.map((file) => fileTargets(join(recipesDir, file), file)));
  files.forEach((file, i) => {
    for (const claim of targets[i]!) out.set(claim, [...new Set([...(out.get(claim) ?? []), file])]);
  });
  return out;
}

function better(a: ComparisonRow & { at: number }, b: ComparisonRow & { at: number }): boolean {
  const key = (r: ComparisonRow & { at: number }) => [VERDICT_RANK[r.verdict] ?? 0, FIDELITY_RANK[r.fidelity] ?? 0, r.at];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return false;
}

export async function claimStandings(db: Db, recipesDir: string, o: { paper?: string; runsPerRecipe?: number } = {}): Promise<ClaimStanding[]> {
  const [claims, shipped, runs] = await Promise.all([listClaims(db, o.paper), shippedTargets(recipesDir), completedRunsTargetingClaims(db, o.runsPerRecipe ?? 20)]);
  const ids = new Set(claims.map((c) => c.id));
  const best = new Map<string, ComparisonRow & { at: number; runId: string; recipe: string }>();
  const judged = new Map<string, number>();
  // Every run judged from one batched load (four statements), not four queries per run.
  const comparisons = new Map((await judgeRunsForClaims(db, runs.map((r) => r.id))).map((c) => [c.runId, c]));
  for (const run of runs) {
    const c = comparisons.get(run.id);
    if (!c) continue;
    for (const row of c.rows) {
      if (!ids.has(row.claimId)) continue;
      judged.set(row.claimId, (judged.get(row.claimId) ?? 0) + 1);
      const cand = { ...row, at: run.createdAt.getTime(), runId: run.id, recipe: c.recipe };
      const prev = best.get(row.claimId);
      if (!prev || better(cand, prev)) best.set(row.claimId, cand);
    }
  }
  return claims.map((c) => {
    const b = best.get(c.id);
    const recipes = shipped.get(c.id) ?? [];
    const decided = b && (VERDICT_RANK[b.verdict] ?? 0) > 0;
    const standing: Standing = decided ? (b.verdict as Standing) : recipes.length ? 'not yet run' : 'no recipe';
    const reach = b && (VERDICT_RANK[b.verdict] ?? 0) >= 2 ? null : outOfReachReason(c);
    return {
      claimId: c.id,
      paper: c.paperId,
      task: c.task,
      dataset: c.dataset,
      setting: c.setting,
      metric: c.metric,
      unit: c.unit,
      paperValue: c.value,
      hypothesis: c.hypothesis,
      standing,
      label: decided ? b.label : standing === 'not yet run' ? `not yet run (${recipes.join(', ')})` : 'no recipe targets it yet',
      statement: decided ? b.statement : null,
      fidelity: decided ? b.fidelity : null,
      scale: decided ? b.scale : null,
      reproduced: decided ? b.reproduced : null,
      interval: decided ? b.interval : null,
      runId: decided ? b.runId : null,
      recipe: decided ? b.recipe : null,
      runsJudged: judged.get(c.id) ?? 0,
      recipes,
      outOfReach: reach,
    };
  });
}

/**
 * Every claim's standing across runs: the most decisive judgement any completed run gave it
 * (decisive before inconclusive before not comparable; then higher fidelity; then newer), or why
 * there is none — no shipped recipe targets it, a recipe does but has not run, or it needs data
 * or hardware this install does not have. Judgements are persisted (claim_judgements) when a run
 * completes; runs without one under the current judge version are judged here first, in a
 * bounded batch, then the best judgement per claim over every run is read in one query.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bestClaimJudgements, listClaims, type ClaimRow, type Db } from '@reprolab/db';
import { judgePendingRuns, judgeVersion, VERDICT_RANK } from '@reprolab/activities/judgements';
import { parseRecipe } from '@reprolab/recipes';
import type { Fidelity } from '@reprolab/recipes/evidence';

export const STANDINGS = ['reproduced', 'not reproduced', 'holds in a model', 'fails in a model', 'inconclusive', 'not comparable', 'not yet run', 'no recipe'] as const;
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
  /** Completed runs that judged this claim (all of them), and shipped recipes that target it. */
  runsJudged: number;
  recipes: string[];
  /** Data or hardware this claim needs that an install does not have by default, when nothing decided it. */
  outOfReach: string | null;
}

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

export async function claimStandings(db: Db, recipesDir: string, o: { paper?: string; judgeBatch?: number; judgeMax?: number } = {}): Promise<ClaimStanding[]> {
  const [all, shipped] = await Promise.all([listClaims(db), shippedTargets(recipesDir)]);
  const claims = o.paper ? all.filter((c) => c.paperId === o.paper) : all;
  const version = judgeVersion(all);
  // Runs that completed without being judged (judging failed at completion, or the judge or the
  // registry changed since): judged now, a bounded number per call.
  await judgePendingRuns(db, version, { batch: o.judgeBatch, max: o.judgeMax });
  const best = new Map((await bestClaimJudgements(db, version, o.paper ? claims.map((c) => c.id) : undefined)).map((b) => [b.claimId, b]));
  return claims.map((c) => {
    const b = best.get(c.id);
    const recipes = shipped.get(c.id) ?? [];
    const decided = b && (VERDICT_RANK[b.verdict] ?? 0) > 0;
    // A qualitative statement checked in a model with cited or user-chosen parameters is not a
    // reproduction of the paper's finding: it stands apart, whichever way the check went.
    const inModel = decided && b.fidelity === 'qualitative-model' && (b.verdict === 'reproduced' || b.verdict === 'not reproduced');
    const standing: Standing = !decided ? (recipes.length ? 'not yet run' : 'no recipe') : inModel ? (b.verdict === 'reproduced' ? 'holds in a model' : 'fails in a model') : (b.verdict as Standing);
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
      fidelity: decided ? (b.fidelity as Fidelity) : null,
      scale: decided ? b.scale : null,
      reproduced: decided ? b.reproduced : null,
      interval: decided && b.intervalLow !== null && b.intervalHigh !== null ? [b.intervalLow, b.intervalHigh] : null,
      runId: decided ? b.runId : null,
      recipe: decided ? b.recipe : null,
      runsJudged: b?.runsJudged ?? 0,
      recipes,
      outOfReach: reach,
    };
  });
}

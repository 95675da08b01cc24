/**
 * Recipe checks that need more than the recipe text: the claim registry and the simulator's own
 * input validation. They run when a recipe is accepted (launch, schedule create), before any row
 * is stored, so bad input is refused at once instead of becoming a run that fails on a worker.
 * The workers keep their own checks (defence in depth).
 */
import { validateI3dParams } from '@reprolab/methods/integration3d/index';
import { checkSimulationInput } from '@reprolab/methods/mpu/check-input';
import { validateTbParams } from '@reprolab/methods/tight-binding/index';
import { getClaims, listClaims, type Db } from '@reprolab/db';
import type { RecipeIssue, SimulateMpuParams, ValidRecipe } from '@reprolab/recipes';
import type { z } from 'zod';

export const LIST_CLAIMS_HINT = 'list the registry with `reprolab claims` (or the API\'s claims.list)';

export async function registryIssues(db: Db, recipe: ValidRecipe): Promise<RecipeIssue[]> {
  const issues: RecipeIssue[] = [];
  recipe.steps.forEach((step, i) => {
    if (step.kind === 'simulate') {
      // The model's own parameter table (ranges as its sources allow), message "<field>: …".
      const p = step.params as { model: string; params: Record<string, unknown> };
      const found = p.model === 'tight-binding' ? validateTbParams(p.params) : validateI3dParams(p.params);
      for (const message of found) issues.push({ path: `steps[${i}].params.params.${message.split(':')[0]}`, message });
      return;
    }
    if (step.kind !== 'simulateMpu') return;
    for (const issue of checkSimulationInput(step.params as z.infer<typeof SimulateMpuParams>)) {
      issues.push({ path: `steps[${i}].params.${issue.field}`, message: issue.message });
    }
  });
  const wanted = [...new Set(recipe.targets.map((t) => t.claim))];
  const known = new Set((await getClaims(db, wanted)).map((c) => c.id));
  if (wanted.some((id) => !known.has(id))) {
    const all = (await listClaims(db)).map((c) => c.id);
    recipe.targets.forEach((t, i) => {
      if (known.has(t.claim)) return;
      const near = closest(t.claim, all);
      issues.push({ path: `targets[${i}].claim`, message: `unknown claim "${t.claim}"${near ? `; did you mean "${near}"?` : ''} (${LIST_CLAIMS_HINT})` });
    });
  }
  return issues;
}

/** The known id nearest by edit distance, if it is near enough to be a plausible typo. */
export function closest(id: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(id.length / 4)) + 1;
  for (const k of known) {
    const d = editDistance(id, k, bestD);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it must reach `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, cur[j]!);
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return Math.min(prev[b.length]!, limit);
}

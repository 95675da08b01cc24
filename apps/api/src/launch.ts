/** Launching a run (and accepting a recipe for a schedule): validate, check datasets exist, store, start. */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { artifactsByDigest, createRun, findDatasetByName, getDatasets, saveRecipe, setRunStatus, type RecipeRow } from '@reprolab/db';
import { parseRecipe, RecipeValidationError, type ValidRecipe } from '@reprolab/recipes';
import { WORKFLOW_QUEUE, workflowIdForRun, type ReproduceInput } from '@reprolab/workflows/definitions';
import type { reproduce } from '@reprolab/workflows';
import type { ApiContext } from './context';
import { registryIssues } from './recipe-checks';

export interface LaunchInput {
  /** Recipe text (YAML or JSON). */
  recipe: string;
  /** Name shown in errors, e.g. the file path. */
  origin?: string;
  seed?: number;
  force?: boolean;
  heartbeatTimeoutSeconds?: number;
  /** Labels for the runs list (validated by the procedure). */
  tags?: string[];
}

export interface Launched {
  runId: string;
  workflowId: string;
  recipe: { id: number; name: string; version: number; contentHash: string };
  seed: number;
}

/** The recipe text from a client: given inline, or the name of a file shipped in workflows/recipes. */
export async function recipeText(ctx: ApiContext, input: { recipe?: string; file?: string }): Promise<{ text: string; origin: string }> {
  if (input.recipe) return { text: input.recipe, origin: '<recipe>' };
  if (!input.file) throw new TRPCError({ code: 'BAD_REQUEST', message: 'give the recipe text (recipe) or a shipped recipe file name (file)' });
  if (!/^[\w.-]+\.ya?ml$/.test(input.file)) throw new TRPCError({ code: 'BAD_REQUEST', message: 'file must be a recipe file name like smoke.yaml' });
  const text = await readFile(join(ctx.recipesDir, input.file), 'utf8').catch(() => {
    throw new TRPCError({ code: 'NOT_FOUND', message: `no recipe file ${input.file} in ${ctx.recipesDir}` });
  });
  return { text, origin: input.file };
}

/**
 * Everything a run needs before it can be scheduled: the recipe validates, its targets name known
 * claims, its simulator inputs pass the simulator's checks, the datasets it pins exist; then the
 * recipe is stored (versioned by content). Shared by launches and schedules.
 */
export async function acceptRecipe(ctx: ApiContext, text: string, origin: string): Promise<{ recipe: ValidRecipe; stored: RecipeRow }> {
  let parsed;
  try {
    parsed = parseRecipe(text, origin);
  } catch (e) {
    if (e instanceof RecipeValidationError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
    throw e;
  }
  const { recipe } = parsed;
  // Unknown claims and simulator inputs the simulator would refuse: refused before anything is stored.
  const issues = await registryIssues(ctx.db, recipe);
  if (issues.length) {
    const e = new RecipeValidationError(origin, issues);
    throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
  }
  // Unknown dataset digests fail here, before anything is scheduled.
  const pinned = Object.entries(recipe.datasets).filter(([, d]) => d.digest && !d.builtin);
  const known = new Set((await getDatasets(ctx.db, pinned.map(([, d]) => d.digest!))).map((d) => d.sha256));
  const missing = pinned.filter(([, d]) => !known.has(d.digest!));
  for (const [name, d] of Object.entries(recipe.datasets)) {
    if (d.imported && !d.digest && !d.builtin && !(await findDatasetByName(ctx.db, d.imported))) {
      missing.push([name, d]);
    }
  }
  if (missing.length) {
    throw new TRPCError({
      code: 'NOT_FOUND',
      message:
        missing.map(([name, d]) => (d.digest ? `dataset "${name}": unknown digest ${d.digest}` : `dataset "${name}": nothing imported under the name "${d.imported}"`)).join('; ') +
        '. Import the data first with `reprolab data import --format <mnist-idx|cifar10-binary|div2k|sr-benchmark|reside-its|reside-sots|dense-haze|nh-haze> <dir or s3://bucket/prefix> --name <name>` (the SR formats also take --scale 2|3|4) and refer to it by `digest:` or `imported: <name>`.',
    });
  }
  // A model named by digest (a stored teacher) must be a model some run stored.
  const badModels: string[] = [];
  for (const step of recipe.steps) {
    for (const [slot, ref] of Object.entries(step.inputs)) {
      if (!ref.startsWith('sha256:')) continue;
      const rows = await artifactsByDigest(ctx.db, ref);
      if (!rows.length) badModels.push(`step ${step.id}: inputs.${slot} ${ref} is not an artifact of any run`);
      else if (!rows.some((r) => r.kind === 'model')) badModels.push(`step ${step.id}: inputs.${slot} ${ref} is a ${rows[0]!.kind} artifact (${rows[0]!.name}), not a model`);
    }
  }
  if (badModels.length) {
    throw new TRPCError({ code: 'NOT_FOUND', message: `${badModels.join('; ')}. Copy the full digest of a distill step's model from \`reprolab status <run> --json\`, or name an earlier step's output as <step id>.model.` });
  }
  const stored = await saveRecipe(ctx.db, { name: recipe.name, contentHash: parsed.contentHash, document: recipe, source: parsed.source });
  return { recipe, stored };
}

export async function launchRun(ctx: ApiContext, input: LaunchInput): Promise<Launched> {
  const { recipe, stored } = await acceptRecipe(ctx, input.recipe, input.origin ?? '<recipe>');
  const seed = input.seed ?? recipe.seed;
  const runId = randomUUID().slice(0, 8) + '-' + recipe.name;
  const workflowId = workflowIdForRun(runId);
  await createRun(ctx.db, { id: runId, recipeId: stored.id, workflowId, seed, force: input.force ?? false, scale: recipe.scale, tags: [...new Set(input.tags ?? [])] });
  const args: ReproduceInput = { runId, heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds };
  try {
    await ctx.temporal.workflow.start<typeof reproduce>('reproduce', { taskQueue: WORKFLOW_QUEUE, workflowId, args: [args] });
  } catch (e) {
    await setRunStatus(ctx.db, runId, 'failed', `could not start workflow: ${(e as Error).message}`);
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `could not start workflow on Temporal: ${(e as Error).message}` });
  }
  return { runId, workflowId, seed, recipe: { id: stored.id, name: stored.name, version: stored.version, contentHash: stored.contentHash } };
}

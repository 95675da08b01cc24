import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ArtifactNotFound } from '@reprolab/activities/storage/object-store';
import {
  artifactsByDigest,
  getDatasets,
  getEnvironment,
  getPaper,
  getRecipe,
  getRun,
  getRuns,
  listClaims,
  listPapers,
  listDatasets,
  listRecipeNames,
  listRunTags,
  listRecipes,
  listRunsPage,
  listSteps,
  runArtifacts,
  runMetrics,
} from '@reprolab/db';
import { applyOverrides, checkRecipeDocument, formIssues, parseRecipe, recipeForm, RecipeValidationError, type FormIssue, type ValidRecipe } from '@reprolab/recipes';
import { pauseSignal, progressQuery, resumeSignal, type RunProgress } from '@reprolab/workflows/definitions';
import { judgeLoadedRun, loadRuns } from '../compare';
import { compareRuns, MAX_COMPARED_RUNS } from '../compare-runs';
import { launchRun, recipeText } from '../launch';
import { registryIssues } from '../recipe-checks';
import { cachedOrigins, downloadRefusal, overheadTotals, runLineage, stepOverhead } from '../run-page';
import { runsListParser, TAG } from '../runs-list';
import { srCropsView, srView } from '../sr-view';
import { dehazeStrips } from '../dehaze-view';
import { claimStandings } from '../standing';
import { operatorProcedure, router, viewerProcedure } from '../trpc';
import { schedulesRouter } from './schedules';
import { authRouter, tokensRouter } from './tokens';
import type { ApiContext } from '../context';

const runId = z.object({ runId: z.string().min(1) });

async function requireRun(ctx: ApiContext, id: string) {
  const run = await getRun(ctx.db, id);
  if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${id}"; list runs with \`reprolab runs\`` });
  return run;
}

/**
 * Acts on a run's workflow. A scheduled run's row exists a moment before its workflow starts (the
 * schedule's action creates the row, then starts the run): wait that moment rather than fail.
 */
async function whenWorkflowExists(ctx: ApiContext, run: { id: string; workflowId: string }, act: (h: WorkflowHandle) => Promise<unknown>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await act(ctx.temporal.workflow.getHandle(run.workflowId));
      return;
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      if (i >= 50) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: `run ${run.id} has no workflow on Temporal (yet); try again in a moment` });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const MatrixValue = z.union([z.string(), z.number(), z.boolean()]);
/** A launch form's edits of a shipped recipe (see @reprolab/recipes form.ts). */
const RecipeOverrides = z
  .object({
    seed: z.number().int().nonnegative().optional(),
    steps: z.record(z.string(), z.object({ params: z.record(z.string(), z.unknown()).optional(), matrix: z.record(z.string(), z.array(MatrixValue)).optional() }).strict()).optional(),
  })
  .strict();

const badRecipe = (e: unknown): never => {
  if (e instanceof RecipeValidationError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
  throw e;
};

export const recipesRouter = router({
  /** The launch form of a shipped recipe: each step's parameters as typed fields from its kind's schema. */
  form: viewerProcedure.input(z.object({ file: z.string() })).query(async ({ ctx, input }) => {
    const { text, origin } = await recipeText(ctx, { file: input.file });
    try {
      return recipeForm(text, origin);
    } catch (e) {
      return badRecipe(e);
    }
  }),
  /**
   * The recipe a form's overrides give, validated as a launch would (schema, claims, simulator
   * inputs), with each issue mapped to its step and field; nothing is stored.
   */
  preview: viewerProcedure.input(z.object({ file: z.string(), overrides: RecipeOverrides })).query(async ({ ctx, input }) => {
    const { text: source, origin } = await recipeText(ctx, { file: input.file });
    let applied;
    try {
      applied = applyOverrides(source, input.overrides, origin);
    } catch (e) {
      return badRecipe(e);
    }
    const checked = checkRecipeDocument(applied.document, origin);
    const issues: FormIssue[] = checked.recipe ? formIssues(applied.document, await registryIssues(ctx.db, checked.recipe)) : checked.issues;
    return { text: applied.text, issues, steps: checked.recipe?.steps.length ?? null };
  }),
  /** Recipe files shipped in workflows/recipes, plus every version stored by earlier runs. */
  list: viewerProcedure.query(async ({ ctx }) => {
    const files = (await readdir(ctx.recipesDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    const shipped = await Promise.all(
      files.map(async (file) => {
        const text = await readFile(join(ctx.recipesDir, file), 'utf8');
        try {
          const { recipe, contentHash } = parseRecipe(text, file);
          return { file, name: recipe.name, description: recipe.description, steps: recipe.steps.length, contentHash, error: null };
        } catch (e) {
          return { file, name: file, description: '', steps: 0, contentHash: null, error: (e as Error).message };
        }
      }),
    );
    const stored = (await listRecipes(ctx.db)).map((r) => ({ id: r.id, name: r.name, version: r.version, contentHash: r.contentHash, createdAt: r.createdAt }));
    return { shipped, stored };
  }),
  get: viewerProcedure.input(z.object({ id: z.number().int().optional(), file: z.string().optional() })).query(async ({ ctx, input }) => {
    if (input.file) {
      if (!/^[\w.-]+\.ya?ml$/.test(input.file)) throw new TRPCError({ code: 'BAD_REQUEST', message: 'file must be a recipe file name like smoke.yaml' });
      const text = await readFile(join(ctx.recipesDir, input.file), 'utf8').catch(() => {
        throw new TRPCError({ code: 'NOT_FOUND', message: `no recipe file ${input.file}` });
      });
      try {
        return parseRecipe(text, input.file);
      } catch (e) {
        if (e instanceof RecipeValidationError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
        throw e;
      }
    }
    if (input.id === undefined) throw new TRPCError({ code: 'BAD_REQUEST', message: 'give either id or file' });
    const row = await getRecipe(ctx.db, input.id);
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `no stored recipe ${input.id}` });
    return { source: row.source, recipe: row.document as ValidRecipe, contentHash: row.contentHash };
  }),
});

export const runsRouter = router({
  launch: operatorProcedure
    .input(
      z.object({
        recipe: z.string().min(1).optional(),
        file: z.string().optional(),
        seed: z.number().int().nonnegative().optional(),
        force: z.boolean().optional(),
        heartbeatTimeoutSeconds: z.number().int().positive().max(3600).optional(),
        tags: z.array(TAG).max(10, 'at most 10 tags').optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { text, origin } = await recipeText(ctx, input);
      return launchRun(ctx, { recipe: text, origin, seed: input.seed, force: input.force, heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds, tags: input.tags });
    }),
  /**
   * One page of runs, filtered, sorted and counted in the database: `{ runs, total, offset, limit }`.
   * Filters: status (one or several), recipe name, paper (through the recipe's `papers`), tag,
   * created `from`/`to`, and `search` (a substring of the run id or recipe name).
   */
  list: viewerProcedure.input(runsListParser).query(async ({ ctx, input }) => {
    const page = await listRunsPage(ctx.db, input);
    // An unknown paper is a mistake, not an empty result (checked only when nothing matched).
    if (input.paper && page.total === 0 && !(await getPaper(ctx.db, input.paper))) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `bad runs.list input: paper: no paper "${input.paper}" in the registry (list them with \`reprolab claims\`)` });
    }
    return { ...page, offset: input.offset, limit: input.limit };
  }),
  /** The values the runs list's filters offer: stored recipe names, papers, tags in use. */
  filters: viewerProcedure.query(async ({ ctx }) => {
    const [recipes, papers, tags] = await Promise.all([listRecipeNames(ctx.db), listPapers(ctx.db), listRunTags(ctx.db)]);
    return { recipes, papers: papers.map((p) => ({ id: p.id, title: p.title ?? p.short })), tags };
  }),
  get: viewerProcedure.input(runId).query(async ({ ctx, input }) => {
    const run = await requireRun(ctx, input.runId);
    const [rows, environment, artifactRows, recipe] = await Promise.all([
      listSteps(ctx.db, run.id),
      getEnvironment(ctx.db, run.id),
      runArtifacts(ctx.db, run.id),
      getRecipe(ctx.db, run.recipeId),
    ]);
    const [lineage, origins] = await Promise.all([runLineage(ctx.db, run.id, rows, (recipe?.document ?? null) as Parameters<typeof runLineage>[3]), cachedOrigins(ctx.db, rows)]);
    // Each step with where its time went and, when cached, whose results it reused.
    const steps = rows.map((s) => ({ ...s, overhead: stepOverhead(s), cachedFrom: origins.get(s.id) ?? null }));
    const keyOf = new Map(rows.map((s) => [s.id, s.stepKey]));
    const artifacts = artifactRows.map((a) => ({ ...a, stepKey: a.stepId === null ? null : (keyOf.get(a.stepId) ?? null) }));
    let live: RunProgress | null = null;
    if (run.status === 'running' || run.status === 'paused' || run.status === 'queued') {
      live = await ctx.temporal.workflow
        .getHandle(run.workflowId)
        .query(progressQuery)
        .catch(() => null);
    }
    return {
      run,
      steps,
      overhead: overheadTotals(run, steps),
      lineage,
      environment: environment ?? null,
      artifacts,
      recipe: recipe ? { id: recipe.id, name: recipe.name, version: recipe.version } : null,
      live,
    };
  }),
  cancel: operatorProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const run = await requireRun(ctx, input.runId);
    if (['completed', 'failed', 'cancelled'].includes(run.status)) {
      throw new TRPCError({ code: 'PRECONDITION_FAILED', message: `run ${run.id} already ${run.status}` });
    }
    await whenWorkflowExists(ctx, run, (h) => h.cancel());
    return { runId: run.id, cancelRequested: true };
  }),
  pause: operatorProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const run = await requireRun(ctx, input.runId);
    await whenWorkflowExists(ctx, run, (h) => h.signal(pauseSignal));
    return { runId: run.id, paused: true };
  }),
  resume: operatorProcedure.input(runId).mutation(async ({ ctx, input }) => {
    const run = await requireRun(ctx, input.runId);
    await whenWorkflowExists(ctx, run, (h) => h.signal(resumeSignal));
    return { runId: run.id, paused: false };
  }),
});

const DIGEST = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256 must be a full digest, "sha256:" and 64 hex digits (copy it from `reprolab status <run> --json`)');

export const artifactsRouter = router({
  /**
   * A time-limited download link (a presigned GET from the object store) for one of a run's
   * artifacts or an input its steps consumed. Only through the run: a digest of another run's
   * artifact is refused, naming the run that stored it.
   */
  url: viewerProcedure
    .input(runId.extend({ sha256: DIGEST, expirySeconds: z.number().int().min(10).max(7 * 24 * 3600).default(900) }))
    .query(async ({ ctx, input }) => {
      const run = await requireRun(ctx, input.runId);
      const [artifacts, steps] = await Promise.all([runArtifacts(ctx.db, run.id), listSteps(ctx.db, run.id)]);
      const stored = await artifactsByDigest(ctx.db, input.sha256);
      const refusal = downloadRefusal(run.id, input.sha256, artifacts, steps, [...new Set(stored.flatMap((a) => (a.runId ? [a.runId] : [])))]);
      if (refusal) throw new TRPCError({ code: 'NOT_FOUND', message: refusal });
      if (!ctx.store) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this API has no object store configured (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET), so it cannot sign download links' });
      const own = artifacts.find((a) => a.sha256 === input.sha256);
      const dataset = own ? undefined : (await getDatasets(ctx.db, [input.sha256]))[0];
      const name = own?.name ?? dataset?.name ?? stored[0]?.name ?? input.sha256.slice(7, 19);
      const kind = own?.kind ?? (dataset ? 'dataset' : (stored[0]?.kind ?? 'input'));
      const filename = `${run.id}-${name}-${input.sha256.slice(7, 19)}`.replace(/[^\w.-]+/g, '_');
      try {
        const url = await ctx.store.presignedUrl(input.sha256, input.expirySeconds, { filename });
        return { url, name, kind, size: own?.size ?? stored[0]?.size ?? null, filename, expiresAt: new Date(Date.now() + input.expirySeconds * 1000) };
      } catch (e) {
        if (e instanceof ArtifactNotFound) throw new TRPCError({ code: 'NOT_FOUND', message: `${input.sha256} (${kind} ${name} of run ${run.id}) is registered but missing from bucket ${e.bucket}; run the step that made it again` });
        throw e;
      }
    }),
});

export const appRouter = router({
  artifacts: artifactsRouter,
  recipes: recipesRouter,
  runs: runsRouter,
  schedules: schedulesRouter,
  tokens: tokensRouter,
  auth: authRouter,
  metrics: router({
    series: viewerProcedure.input(z.object({ runId: z.string().min(1), name: z.string().optional(), prefix: z.string().min(1).optional() })).query(async ({ ctx, input }) => {
      if (input.name && input.prefix) throw new TRPCError({ code: 'BAD_REQUEST', message: 'give name or prefix, not both' });
      const rows = await runMetrics(ctx.db, input.runId, input.prefix ? { prefix: input.prefix } : input.name);
      if (!rows.length) await requireRun(ctx, input.runId); // nothing recorded, or no such run

      return rows.map((m) => ({ step: m.stepKey, name: m.name, index: m.index, value: m.value }));
    }),
  }),
  claims: router({
    list: viewerProcedure.input(z.object({ paper: z.string().optional() }).default({})).query(({ ctx, input }) => listClaims(ctx.db, input.paper)),
    papers: viewerProcedure.query(({ ctx }) => listPapers(ctx.db)),
    /** Each claim's best standing over all completed runs (persisted judgements), or why it has none. */
    standing: viewerProcedure.input(z.object({ paper: z.string().optional() }).default({})).query(({ ctx, input }) => claimStandings(ctx.db, ctx.recipesDir, { paper: input.paper })),
  }),
  datasets: router({
    list: viewerProcedure.query(({ ctx }) => listDatasets(ctx.db)),
  }),
  /** Super-resolution (distill) runs: PSNR against parameters with the paper's points, and the stored crops. */
  sr: router({
    /** Null when the run has no distill step. */
    view: viewerProcedure.input(runId).query(async ({ ctx, input }) => {
      await requireRun(ctx, input.runId);
      return srView(ctx.db, input.runId);
    }),
    /** One seed's crops (the first seed when none is given), as PNG data URLs. */
    crops: viewerProcedure.input(runId.extend({ seed: z.number().int().nonnegative().optional() })).query(async ({ ctx, input }) => {
      await requireRun(ctx, input.runId);
      if (!ctx.store) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this API has no object store configured (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET), so stored crops cannot be read' });
      try {
        return await srCropsView(ctx.db, ctx.store, input.runId, input.seed);
      } catch (e) {
        if (e instanceof RangeError) throw new TRPCError({ code: 'NOT_FOUND', message: e.message });
        throw e;
      }
    }),
  }),
  /** Dehazing (dehaze) runs: every step's stored hazy | dehazed | clear strip, as PNG data URLs. */
  dehaze: router({
    strips: viewerProcedure.input(runId).query(async ({ ctx, input }) => {
      await requireRun(ctx, input.runId);
      if (!ctx.store) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this API has no object store configured (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET), so stored strips cannot be read' });
      return dehazeStrips(ctx.db, ctx.store, input.runId);
    }),
  }),
  compare: router({
    run: viewerProcedure.input(runId).query(async ({ ctx, input }) => {
      const { runs, claims } = await loadRuns(ctx.db, [input.runId]);
      const loaded = runs.get(input.runId);
      if (!loaded) throw new TRPCError({ code: 'NOT_FOUND', message: `no run "${input.runId}"; list runs with \`reprolab runs\`` });
      return judgeLoadedRun(loaded, claims);
    }),
    /** Runs side by side (any recipes): parameters and final metrics, with what differs. */
    runs: viewerProcedure.input(z.object({ runIds: z.array(z.string().min(1)).min(1).max(MAX_COMPARED_RUNS) })).query(async ({ ctx, input }) => {
      const known = new Set((await getRuns(ctx.db, input.runIds)).map((r) => r.id));
      const missing = input.runIds.filter((id) => !known.has(id));
      if (missing.length) throw new TRPCError({ code: 'NOT_FOUND', message: `no run ${missing.map((id) => `"${id}"`).join(', ')}; list runs with \`reprolab runs\`` });
      try {
        return await compareRuns(ctx.db, input.runIds);
      } catch (e) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: (e as Error).message });
      }
    }),
  }),
});

export type AppRouter = typeof appRouter;

/** Plumbing activities: plan a run, record step state, reuse cached steps, finish a run. */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  artifactsByDigest,
  createRun,
  ensureStep,
  findCachedStep,
  findDatasetByName,
  getDatasets,
  getRecipe,
  getRun,
  getStep,
  insertArtifact,
  insertMetrics,
  recordEnvironment,
  setRunStatus,
  endUnfinishedSteps,
  updateUnfinishedStep,
  stepArtifacts,
  stepMetrics,
  updateStep,
  type RunStatus,
  type StepRow,
} from '@reprolab/db';
import type { ValidRecipe } from '@reprolab/recipes';
import { loadBuiltinDataset } from './datasets/builtin';
import { storeDataset } from './datasets/store';
import type { ActivityDeps } from './deps';
import { stepFingerprint } from './fingerprint';
import { judgeAndStore } from './judgements';
import type { BeginStepInput, BeginStepResult, RunPlan, StepRef, StepResult } from './types';

export async function loadRunRecipe(deps: ActivityDeps, runId: string) {
  const run = await getRun(deps.db, runId);
  if (!run) throw ApplicationFailure.nonRetryable(`no run "${runId}" in the database`, 'InvalidInput');
  const recipe = await getRecipe(deps.db, run.recipeId);
  if (!recipe) throw ApplicationFailure.nonRetryable(`run ${runId} points at missing recipe ${run.recipeId}`, 'InvalidInput');
  return { run, recipe: recipe.document as ValidRecipe };
}

export function stepOf(recipe: ValidRecipe, stepKey: string) {
  const step = recipe.steps.find((s) => s.id === stepKey);
  if (!step) throw ApplicationFailure.nonRetryable(`recipe has no step "${stepKey}"`, 'InvalidInput');
  return step;
}

export function createRunActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
    /**
     * The run row of one scheduled action (the API creates it for launched runs). Idempotent: a
     * retry after a lost reply finds the row it created.
     */
    async createScheduledRun(input: { runId: string; workflowId: string; recipeId: number; seed?: number; force?: boolean }): Promise<{ runId: string }> {
      if (await getRun(db, input.runId)) return { runId: input.runId };
      const recipe = await getRecipe(db, input.recipeId);
      if (!recipe) throw ApplicationFailure.nonRetryable(`the schedule points at stored recipe ${input.recipeId}, which no longer exists; recreate the schedule`, 'InvalidInput');
      const doc = recipe.document as ValidRecipe;
      await createRun(db, { id: input.runId, recipeId: recipe.id, workflowId: input.workflowId, seed: input.seed ?? doc.seed, force: input.force ?? false, scale: doc.scale });
      return { runId: input.runId };
    },
    /** Resolves datasets (importing built-ins on first use), records the environment, creates step rows. */
    async prepareRun(runId: string): Promise<RunPlan> {
      const { run, recipe } = await loadRunRecipe(deps, runId);
      const datasets: Record<string, string> = {};
      const pinned = Object.entries(recipe.datasets).filter(([, d]) => d.digest);
      const known = new Set((await getDatasets(db, pinned.map(([, d]) => d.digest!))).map((d) => d.sha256));
      for (const [name, ref] of Object.entries(recipe.datasets)) {
        if (ref.digest && !known.has(ref.digest)) {
          throw ApplicationFailure.nonRetryable(
            `dataset "${name}": unknown digest ${ref.digest}; import it first with \`reprolab data import\` (see \`reprolab data list\`)`,
            'UnknownDataset',
          );
        }
        if (ref.digest && !(await deps.store.exists(ref.digest))) {
          throw ApplicationFailure.nonRetryable(`dataset "${name}" (${ref.digest}) is registered but missing from bucket ${deps.store.bucket}; re-import it`, 'UnknownDataset');
        }
        if (ref.imported && !ref.digest && !ref.builtin) {
          const found = await findDatasetByName(db, ref.imported);
          if (!found) throw ApplicationFailure.nonRetryable(`dataset "${name}": nothing imported under the name "${ref.imported}"; run \`reprolab data import … --name ${ref.imported}\``, 'UnknownDataset');
          if (!(await deps.store.exists(found.sha256))) throw ApplicationFailure.nonRetryable(`dataset "${name}" (${found.sha256}) is registered but missing from bucket ${deps.store.bucket}; re-import it`, 'UnknownDataset');
          datasets[name] = found.sha256;
        } else if (ref.builtin) {
          const stored = await storeDataset(db, deps.store, await loadBuiltinDataset(ref.builtin), 'builtin');
          if (ref.digest && ref.digest !== stored.sha256) {
            throw ApplicationFailure.nonRetryable(`dataset "${name}": built-in ${ref.builtin} has digest ${stored.sha256}, recipe pins ${ref.digest}`, 'UnknownDataset');
          }
          datasets[name] = stored.sha256;
        } else {
          datasets[name] = ref.digest!;
        }
      }
      // Models named by digest (a teacher stored by an earlier run): refused here, before anything runs.
      for (const s of recipe.steps) {
        for (const [slot, ref] of Object.entries(s.inputs)) {
          if (!ref.startsWith('sha256:')) continue;
          const rows = await artifactsByDigest(db, ref);
          const at = `step ${s.id}: inputs.${slot} ${ref}`;
          if (!rows.length) throw ApplicationFailure.nonRetryable(`${at} is not an artifact of any run; copy the full digest of a model from \`reprolab status <run> --json\``, 'InvalidInput');
          if (!rows.some((r) => r.kind === 'model')) throw ApplicationFailure.nonRetryable(`${at} is a ${rows[0]!.kind} artifact (${rows[0]!.name}), not a model; name the model output of a distill step`, 'InvalidInput');
          if (!(await deps.store.exists(ref))) throw ApplicationFailure.nonRetryable(`${at} is registered but missing from bucket ${deps.store.bucket}; run the step that trained it again`, 'InvalidInput');
        }
      }
      await recordEnvironment(db, {
        runId,
        codeVersion: deps.codeVersion,
        lockfileHash: deps.lockfileHash,
        nodeVersion: process.version,
        tensorBackend: deps.tensorBackend,
        seed: run.seed,
        host: deps.host,
        platform: `${process.platform}-${process.arch}`,
      });
      for (const s of recipe.steps) await ensureStep(db, { runId, stepKey: s.id, kind: s.kind, queue: s.queue });
      if (!(await setRunStatus(db, runId, 'running'))) {
        // Cancelled (or failed) while this preparation was in flight: the steps it just created
        // will never run. (The run ended before this check, so whoever ended it either saw these
        // steps or left them to this line; see setRunStatus below.)
        const ended = (await getRun(db, runId))?.status ?? 'cancelled';
        await endUnfinishedSteps(db, runId, ended === 'failed' ? 'skipped' : 'cancelled', ['pending']);
      }
      return {
        runId,
        seed: run.seed,
        force: run.force,
        datasets,
        steps: recipe.steps.map((s) => ({ id: s.id, kind: s.kind, queue: s.queue, needs: s.needs, inputs: s.inputs })),
      };
    },

    /** Fingerprints a step and, unless forced, reuses an identical step computed before. */
    async beginStep(input: BeginStepInput & { force: boolean }): Promise<BeginStepResult> {
      const { run, recipe } = await loadRunRecipe(deps, input.runId);
      const spec = stepOf(recipe, input.stepKey);
      const step = await requireStep(deps, input);
      // Ready: when the workflow asked for this (the step's needs were done), by Temporal's clock.
      const readyAt = new Date(activityInfo()?.scheduledTimestampMs ?? Date.now());
      const needs: Record<string, string> = {};
      for (const n of spec.needs) {
        const dep = await getStep(db, input.runId, n);
        if (!dep?.fingerprint) throw ApplicationFailure.nonRetryable(`step ${input.stepKey} needs ${n}, which has not been computed`, 'InvalidInput');
        needs[n] = dep.fingerprint;
      }
      const fingerprint = stepFingerprint({ kind: spec.kind, params: spec.params, inputs: input.inputs, needs, seed: run.seed, codeVersion: deps.codeVersion });
      const cached = input.force ? undefined : await findCachedStep(db, fingerprint);
      if (cached && cached.id !== step.id) {
        await copyCachedResults(deps, cached, step, input.runId);
        await updateStep(db, step.id, {
          status: 'completed',
          fingerprint,
          cacheHit: true,
          cachedFromStepId: cached.id,
          outputs: cached.outputs,
          inputs: input.inputs,
          readyAt,
          startedAt: new Date(),
          finishedAt: new Date(),
          progress: { done: 1, total: 1, unit: 'cached', message: `reused step ${cached.stepKey} of run ${cached.runId}` },
        });
        return { cached: true, outputs: (cached.outputs ?? {}) as Record<string, string>, fromRun: cached.runId };
      }
      // A run cancelled while this activity was in flight has already ended its steps: never
      // revive one (its workflow has stopped waiting for this answer).
      if (!(await updateUnfinishedStep(db, step.id, { status: 'running', fingerprint, cacheHit: false, inputs: input.inputs, readyAt, startedAt: new Date(), error: null }))) {
        throw ApplicationFailure.nonRetryable(`step ${input.stepKey} of run ${input.runId} ended (${(await getStep(db, input.runId, input.stepKey))?.status}) before it could start`, 'InvalidInput');
      }
      return { cached: false, fingerprint };
    },

    async completeStep(input: StepRef & StepResult): Promise<void> {
      const step = await requireStep(deps, input);
      await updateStep(db, step.id, { status: 'completed', outputs: input.outputs, finishedAt: new Date() });
    },

    async failStep(input: StepRef & { status: 'failed' | 'cancelled'; error: string }): Promise<void> {
      const step = await requireStep(deps, input);
      await updateStep(db, step.id, { status: input.status, error: input.error, finishedAt: new Date() });
    },

    async setRunStatus(input: { runId: string; status: RunStatus; error?: string }): Promise<void> {
      await setRunStatus(db, input.runId, input.status, input.error);
      if (input.status === 'completed') await judgeCompletedRun(deps, input.runId);
      if (input.status === 'cancelled' || input.status === 'failed') {
        // Steps that never started are ended too. The run is ended first: a preparation still
        // creating steps then finds it ended when it tries to start it, and ends the steps this
        // listing could not see (ending steps first left one pending when the two interleaved).
        await endUnfinishedSteps(db, input.runId, input.status === 'failed' ? 'skipped' : 'cancelled');
      }
    },
  };
}

/**
 * Stores a completed run's claim judgements (claim_judgements). Never fails the run: a judging
 * error is logged and the run is left for the claims matrix to judge lazily.
 */
async function judgeCompletedRun(deps: ActivityDeps, runId: string): Promise<void> {
  try {
    await judgeAndStore(deps.db, [runId]);
  } catch (e) {
    console.warn(`run ${runId} completed but judging its claims failed (left for the claims matrix to judge): ${(e as Error).message}`);
  }
}

/** The running activity's Temporal info; undefined when called outside an activity (tests calling it directly). */
function activityInfo() {
  try {
    return Context.current().info;
  } catch {
    return undefined;
  }
}

async function requireStep(deps: ActivityDeps, ref: StepRef): Promise<StepRow> {
  const step = await getStep(deps.db, ref.runId, ref.stepKey);
  if (!step) throw ApplicationFailure.nonRetryable(`run ${ref.runId} has no step "${ref.stepKey}"`, 'InvalidInput');
  return step;
}

async function copyCachedResults(deps: ActivityDeps, from: StepRow, to: StepRow, runId: string): Promise<void> {
  const metrics = await stepMetrics(deps.db, from.id);
  await insertMetrics(deps.db, metrics.map((m) => ({ runId, stepId: to.id, name: m.name, value: m.value, index: m.index })));
  for (const a of await stepArtifacts(deps.db, from.id)) {
    await insertArtifact(deps.db, { sha256: a.sha256, size: a.size, kind: a.kind, name: a.name, bucket: a.bucket, key: a.key, runId, stepId: to.id });
  }
}

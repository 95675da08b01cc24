/**
 * Scheduled reproductions on Temporal Schedules (not cron in a process): a schedule fixes a stored
 * recipe version, a seed and a timetable; each action starts `scheduledReproduction`, which
 * creates the run and runs it like any launched run. Temporal holds the schedules; the runs they
 * start are ordinary runs in the metadata database.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { getRun, TERMINAL_RUN_STATUSES, type RunStatus } from '@reprolab/db';
import { runIdForScheduledAction, WORKFLOW_QUEUE, workflowIdForSchedule, type ScheduledReproductionInput } from '@reprolab/workflows/definitions';
import type { ApiContext } from '../context';
import { acceptRecipe, recipeText } from '../launch';
import { operatorProcedure, router, viewerProcedure } from '../trpc';

const scheduleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'schedule id: lowercase letters, digits and dashes (at most 63), e.g. nightly-smoke');

/** `<n>m`, `<n>h` or `<n>d`, at least one minute: shorter would start runs faster than most finish. */
export function parseEvery(every: string): string {
  const m = /^(\d+)(m|h|d)$/.exec(every.trim());
  const minutes = m ? Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2] as 'm' | 'h' | 'd'] : NaN;
  if (!m || !(minutes >= 1) || minutes > 366 * 1440) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `every: "${every}" is not an interval between 1m and 366d; write <n>m, <n>h or <n>d, e.g. 6h or 1d` });
  }
  return `${minutes} minutes`;
}

/** Five fields (minute hour day-of-month month day-of-week); Temporal checks the values. */
function checkCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `cron: "${cron}" has ${fields.length} fields, expected 5 (minute hour day-of-month month day-of-week), e.g. "0 3 * * *" for 03:00 UTC daily` });
  }
  return fields.join(' ');
}

interface ScheduleMemo {
  recipe: string;
  version: number;
  recipeId: number;
  seed: number;
  timetable: string;
}

async function handleOf(ctx: ApiContext, id: string): Promise<{ handle: ScheduleHandle; desc: ScheduleDescription }> {
  const handle = ctx.temporal.schedule.getHandle(id);
  try {
    return { handle, desc: await handle.describe() };
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) throw new TRPCError({ code: 'NOT_FOUND', message: `no schedule "${id}"; list them with \`reprolab schedule list\`` });
    throw e;
  }
}

/** What a client shows for one schedule: its recipe, timetable, state, next times and recent runs. */
async function view(ctx: ApiContext, id: string, desc: ScheduleDescription) {
  const memo = (desc.memo ?? {}) as Partial<ScheduleMemo>;
  const recent = await Promise.all(
    desc.info.recentActions.map(async (a) => {
      const workflowId = a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '';
      const runId = memo.recipe && workflowId ? runIdForScheduledAction(workflowId, memo.recipe) : null;
      const run = runId ? await getRun(ctx.db, runId) : undefined;
      return { scheduledAt: a.scheduledAt.toISOString(), runId, status: run?.status ?? 'starting' };
    }),
  );
  return {
    id,
    recipe: memo.recipe ?? '?',
    version: memo.version ?? null,
    seed: memo.seed ?? null,
    timetable: memo.timetable ?? '',
    paused: desc.state.paused,
    note: desc.state.note ?? null,
    nextRuns: desc.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    recent: recent.reverse(), // newest first
  };
}

export const schedulesRouter = router({
  create: operatorProcedure
    .input(
      z.object({
        recipe: z.string().min(1).optional(),
        file: z.string().optional(),
        id: scheduleId.optional(),
        every: z.string().optional(),
        cron: z.string().optional(),
        seed: z.number().int().nonnegative().optional(),
        force: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if ((input.every === undefined) === (input.cron === undefined)) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'give one timetable: every (e.g. 1d) or cron (e.g. "0 3 * * *"), not both' });
      }
      const cron = input.cron !== undefined ? checkCron(input.cron) : undefined;
      const spec = cron !== undefined ? { cronExpressions: [cron] } : { intervals: [{ every: parseEvery(input.every!) }] };
      const timetable = cron !== undefined ? `cron ${cron} (UTC)` : `every ${input.every!.trim()}`;
      const { text, origin } = await recipeText(ctx, input);
      const { recipe, stored } = await acceptRecipe(ctx, text, origin);
      const id = input.id ?? recipe.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63);
      const seed = input.seed ?? recipe.seed;
      const args: ScheduledReproductionInput = { scheduleId: id, recipeId: stored.id, recipeName: recipe.name, seed, force: input.force };
      const memo: ScheduleMemo = { recipe: recipe.name, version: stored.version, recipeId: stored.id, seed, timetable };
      try {
        await ctx.temporal.schedule.create({
          scheduleId: id,
          spec,
          action: { type: 'startWorkflow', workflowType: 'scheduledReproduction', taskQueue: WORKFLOW_QUEUE, workflowId: workflowIdForSchedule(id), args: [args] },
          // A run still going at the next time: skip that time rather than pile runs up; times
          // missed while the stack was down are not made up later (beyond a minute).
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
          memo: memo as unknown as Record<string, unknown>,
        });
      } catch (e) {
        if (e instanceof ScheduleAlreadyRunning) {
          throw new TRPCError({ code: 'CONFLICT', message: `schedule "${id}" already exists; delete it first (\`reprolab schedule delete ${id}\`) or pick another --id` });
        }
        const msg = (e as Error).message;
        if (/cron|invalid|spec/i.test(msg)) throw new TRPCError({ code: 'BAD_REQUEST', message: `${input.cron !== undefined ? 'cron' : 'every'}: Temporal refused the timetable: ${msg}` });
        throw e;
      }
      const { desc } = await handleOf(ctx, id);
      return view(ctx, id, desc);
    }),
  list: viewerProcedure.query(async ({ ctx }) => {
    const out = [];
    // The list comes from Temporal's visibility store (eventually consistent); describe each for
    // its current state.
    for await (const s of ctx.temporal.schedule.list()) {
      try {
        out.push(await view(ctx, s.scheduleId, await ctx.temporal.schedule.getHandle(s.scheduleId).describe()));
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e; // deleted since it was listed
      }
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }),
  get: viewerProcedure.input(z.object({ id: z.string().min(1) })).query(async ({ ctx, input }) => {
    const { desc } = await handleOf(ctx, input.id);
    return view(ctx, input.id, desc);
  }),
  /** Starts one run now (skipped, as at its regular times, while the previous run still runs). */
  trigger: operatorProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const found = await handleOf(ctx, input.id);
    const handle = found.handle;
    let desc = found.desc;
    // The overlap policy would skip it: say so now instead of waiting for the skip to show. A
    // scheduled run's row says it ended a moment before its workflow (the scheduled wrapper) closes,
    // and the schedule learns of the close a moment after that: an action whose run has ended is
    // finishing, so give it that moment rather than report a skip (seen under load as a second
    // trigger right after a completed run returning started: false).
    const recipeName = ((desc.memo ?? {}) as Partial<ScheduleMemo>).recipe ?? '';
    for (let i = 0; desc.info.runningActions.length; i++) {
      const states = await Promise.all(
        desc.info.runningActions.map(async (a) => {
          const running = await ctx.temporal.workflow
            .getHandle(a.workflow.workflowId, a.workflow.firstExecutionRunId)
            .describe()
            .then((d) => d.status.name === 'RUNNING')
            .catch(() => false);
          if (!running) return 'closed';
          const run = await getRun(ctx.db, runIdForScheduledAction(a.workflow.workflowId, recipeName));
          return run && TERMINAL_RUN_STATUSES.includes(run.status as RunStatus) ? 'finishing' : 'open';
        }),
      );
      if (states.includes('open') || i >= 50) return { started: false, runId: null, schedule: await view(ctx, input.id, desc) };
      await new Promise((r) => setTimeout(r, 200));
      desc = await handle.describe();
    }
    const actionId = (a: ScheduleDescription['info']['recentActions'][number]) => (a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : '');
    const seen = new Set(desc.info.recentActions.map(actionId));
    // Explicitly: the SDK's trigger() defaults to ALLOW_ALL, not the schedule's own policy. Nothing
    // was running when we looked, so a skip here means the schedule had not yet registered the
    // last close: try again a few times before reporting it.
    let skipped = desc.info.numActionsSkippedOverlap;
    for (let attempt = 0; attempt < 5; attempt++) {
      await handle.trigger(ScheduleOverlapPolicy.SKIP);
      // The action is taken asynchronously: wait briefly for it (the one action not listed before),
      // then for the run row its first activity creates, so the caller can use the run id at once.
      for (let i = 0; i < 50; i++) {
        const now = await handle.describe();
        const fresh = now.info.recentActions.map(actionId).find((id) => id && !seen.has(id));
        if (fresh) {
          const runId = runIdForScheduledAction(fresh, recipeName);
          for (let j = 0; j < 50 && !(await getRun(ctx.db, runId)); j++) await new Promise((r) => setTimeout(r, 200));
          return { started: true, runId, schedule: await view(ctx, input.id, await handle.describe()) };
        }
        if (now.info.numActionsSkippedOverlap > skipped) {
          skipped = now.info.numActionsSkippedOverlap;
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    return { started: false, runId: null, schedule: await view(ctx, input.id, await handle.describe()) };
  }),
  pause: operatorProcedure.input(z.object({ id: z.string().min(1), note: z.string().max(200).optional() })).mutation(async ({ ctx, input }) => {
    const { handle } = await handleOf(ctx, input.id);
    await handle.pause(input.note ?? 'paused from reprolab');
    return view(ctx, input.id, await handle.describe());
  }),
  resume: operatorProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const { handle } = await handleOf(ctx, input.id);
    await handle.unpause('resumed from reprolab');
    return view(ctx, input.id, await handle.describe());
  }),
  delete: operatorProcedure.input(z.object({ id: z.string().min(1) })).mutation(async ({ ctx, input }) => {
    const { handle } = await handleOf(ctx, input.id);
    await handle.delete();
    return { id: input.id, deleted: true };
  }),
});

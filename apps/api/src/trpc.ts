/**
 * tRPC setup. Errors leave as TRPCError codes; recipe validation problems additionally carry the
 * list of { path, message } issues so clients can show every bad field at once.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import { roleAllows, verifyToken, type Role } from '@reprolab/db';
import { RecipeValidationError } from '@reprolab/recipes';
import type { ApiContext } from './context';

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        recipeIssues: cause instanceof RecipeValidationError ? cause.issues : null,
      },
    };
  },
});

export const router = t.router;

export const NO_TOKEN_HINT =
  'create one with `reprolab token create --role viewer|operator|admin` (or use the admin token `reprolab up` wrote to <state dir>/token), then send it as `Authorization: Bearer <token>` or sign in at /login';

/** Every procedure goes through this: a valid, unrevoked token whose role is at least `need`. */
function requireRole(need: Role) {
  return t.middleware(async ({ ctx, next }) => {
    if (!ctx.token) throw new TRPCError({ code: 'UNAUTHORIZED', message: `no API token given; ${NO_TOKEN_HINT}` });
    const who = await verifyToken(ctx.db, ctx.token);
    if (!who) throw new TRPCError({ code: 'UNAUTHORIZED', message: `invalid or revoked API token; ${NO_TOKEN_HINT}` });
    if (!roleAllows(who.role, need)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `this needs the ${need} role; token "${who.name}" (#${who.id}) is ${who.role}` });
    }
    return next({ ctx: { ...ctx, caller: who } });
  });
}

/** Reads: runs, recipes, metrics, claims, schedules. */
export const viewerProcedure = t.procedure.use(requireRole('viewer'));
/** Changes to runs and schedules: launch, cancel, pause, resume, schedule create/trigger/pause/delete. */
export const operatorProcedure = t.procedure.use(requireRole('operator'));
/** Token management. */
export const adminProcedure = t.procedure.use(requireRole('admin'));
export const createCallerFactory = t.createCallerFactory;

/**
 * tRPC setup. Errors leave as TRPCError codes; recipe validation problems additionally carry the
 * list of { path, message } issues so clients can show every bad field at once.
 */
import { initTRPC } from '@trpc/server';
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
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;

/** Token management (admin only) and `auth.whoami` (any valid token). Secrets are returned once, by create. */
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createToken, listTokens, revokeToken, ROLES } from '@reprolab/db';
import { adminProcedure, router, viewerProcedure } from '../trpc';

export const tokensRouter = router({
  create: adminProcedure
    .input(z.object({ role: z.enum(ROLES), name: z.string().trim().min(1).max(100).optional() }))
    .mutation(({ ctx, input }) => createToken(ctx.db, input)),
  list: adminProcedure.query(({ ctx }) => listTokens(ctx.db)),
  revoke: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(async ({ ctx, input }) => {
    if (!(await revokeToken(ctx.db, input.id))) throw new TRPCError({ code: 'NOT_FOUND', message: `no token #${input.id}; list them with \`reprolab token list\`` });
    return { id: input.id, revoked: true };
  }),
});

export const authRouter = router({
  /** Who the presented token is: the dashboard's login form checks a pasted token with it. */
  whoami: viewerProcedure.query(({ ctx }) => ctx.caller),
});

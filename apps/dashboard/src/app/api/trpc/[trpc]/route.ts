import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@reprolab/api';
import { apiContext } from '../../../../server/api';

export const dynamic = 'force-dynamic';

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => apiContext(),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error);
    },
  });

export { handler as GET, handler as POST };

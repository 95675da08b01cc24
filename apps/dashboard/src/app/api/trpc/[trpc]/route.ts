import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@reprolab/api';
import { SESSION_COOKIE } from '@reprolab/api/exposure';
import { apiContext } from '../../../../server/api';

export const dynamic = 'force-dynamic';

/** `Authorization: Bearer <token>` (scripts), else the session cookie (the dashboard's own pages). */
function tokenOf(req: Request): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (bearer) return bearer;
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => apiContext(tokenOf(req)),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path}:`, error);
    },
  });

export { handler as GET, handler as POST };

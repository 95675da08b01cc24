/** Runs before every request (pages, /api/trpc, static files): Host and Origin checks, see @reprolab/api/exposure. */
import { NextResponse, type NextRequest } from 'next/server';
import { refuseRequest, SESSION_COOKIE } from '@reprolab/api/exposure';
import { exposure } from './server/env';

export function proxy(request: NextRequest) {
  const refused = refuseRequest(
    { method: request.method, host: request.headers.get('host'), origin: request.headers.get('origin'), hasSessionCookie: request.cookies.has(SESSION_COOKIE) },
    exposure(),
  );
  if (refused) return new NextResponse(`${refused.reason}\n`, { status: refused.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  return NextResponse.next();
}

'use server';
/**
 * Sign in / out. The session cookie holds the API token itself: HttpOnly (page scripts cannot read
 * it), SameSite=Strict (no other site's page sends it), checked against the database on every call,
 * so revoking the token ends the session.
 */
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { SESSION_COOKIE } from '@reprolab/api/exposure';
import { serverApi } from '../../server/api';

export async function login(form: FormData): Promise<void> {
  const token = String(form.get('token') ?? '').trim();
  let ok = false;
  try {
    await (await serverApi(token)).auth.whoami();
    ok = true;
  } catch (e) {
    if (!(e instanceof TRPCError && e.code === 'UNAUTHORIZED')) throw e;
  }
  if (!ok) redirect('/login?error=invalid');
  const https = (await headers()).get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: https, path: '/', maxAge: 7 * 24 * 3600 });
  redirect('/');
}

export async function logout(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/login');
}

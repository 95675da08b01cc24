/** Browser-side calls to the tRPC HTTP endpoint (plain fetch: no client library, no batching). */

async function unwrap<T>(res: Response): Promise<T> {
  // Session gone (signed out elsewhere, token revoked): back to the sign-in page.
  if (res.status === 401) window.location.assign('/login?expired=1');
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!body.result) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.result.data;
}

export async function query<T>(path: string, input: unknown): Promise<T> {
  return unwrap<T>(await fetch(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`));
}

export async function mutate<T>(path: string, input: unknown): Promise<T> {
  return unwrap<T>(await fetch(`/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }));
}

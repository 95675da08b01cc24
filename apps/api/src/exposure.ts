/**
 * Who may reach the dashboard: pure checks shared by its request guard (proxy.ts) and its start-up
 * check (instrumentation.ts). No Node or database imports: the guard runs on every request.
 *
 * - Bound to loopback: only Host headers naming loopback (localhost, 127.0.0.1, [::1]) pass, which
 *   stops DNS rebinding (a hostile name resolving to 127.0.0.1 still sends its own name as Host).
 * - Bound elsewhere: only the hosts in REPROLAB_ALLOWED_HOSTS pass, and the server refuses to start
 *   without that list or without any API token.
 * - Cross-site: a request whose Origin is not this server's own origin is refused; a state-changing
 *   request carrying the session cookie must carry a matching Origin (CSRF).
 */

export const SESSION_COOKIE = 'reprolab_session';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The address `next start` binds: its -H/--hostname argument; none means every interface. */
export function bindHostFromArgv(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-H' || a === '--hostname') return argv[i + 1] ?? '0.0.0.0';
    if (a.startsWith('--hostname=')) return a.slice('--hostname='.length);
  }
  return '0.0.0.0';
}

export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** Why the dashboard must not start on `bindHost`, or null when it may. */
export function exposureProblem(opts: { bindHost: string; allowedHosts: string[]; activeTokens: number }): string | null {
  if (isLoopbackHost(opts.bindHost)) return null;
  const missing = [
    ...(opts.allowedHosts.length ? [] : ['REPROLAB_ALLOWED_HOSTS (the host names users type, e.g. REPROLAB_ALLOWED_HOSTS=reprolab.internal:3000)']),
    ...(opts.activeTokens > 0 ? [] : ['an API token (create one with `reprolab token create --role admin`, or start the stack once with `reprolab up`)']),
  ];
  if (!missing.length) return null;
  return `refusing to serve the dashboard on ${opts.bindHost}, which other machines can reach, without ${missing.join(' and ')}. Or bind it to loopback: \`next start apps/dashboard -H 127.0.0.1\`.`;
}

/** Host header → [name, port]; name lower-cased, IPv6 kept in brackets. */
function splitHost(hostHeader: string): [string, string] {
  const h = hostHeader.trim().toLowerCase();
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  return m ? [m[1]!, m[2] ?? ''] : ['', ''];
}

/** Whether the Host header names this server: loopback names (on `port`) when bound to loopback, else one of `allowed`. */
export function hostAllowed(hostHeader: string | null, opts: { bindHost: string; allowedHosts: string[]; port: string }): boolean {
  if (!hostHeader) return false;
  const [name, port] = splitHost(hostHeader);
  if (!name) return false;
  if (opts.allowedHosts.some((a) => a === hostHeader.trim().toLowerCase() || a === name)) return true;
  return isLoopbackHost(opts.bindHost) && isLoopbackHost(name) && (port || '80') === opts.port;
}

/**
 * The request guard: a reason to refuse (with the status) or null. `host` and `origin` are the raw
 * headers; an Origin of "null" (sandboxed or opaque contexts) counts as cross-site.
 */
export function refuseRequest(req: { method: string; host: string | null; origin: string | null; hasSessionCookie: boolean }, opts: { bindHost: string; allowedHosts: string[]; port: string }): { status: number; reason: string } | null {
  if (!hostAllowed(req.host, opts)) {
    return { status: 403, reason: `Host "${req.host ?? ''}" is not allowed (DNS rebinding protection); use http://127.0.0.1:${opts.port} or add the name to REPROLAB_ALLOWED_HOSTS` };
  }
  const own = [`http://${req.host!.toLowerCase()}`, `https://${req.host!.toLowerCase()}`];
  if (req.origin !== null && !own.includes(req.origin.toLowerCase())) {
    return { status: 403, reason: `cross-origin request from ${req.origin} refused` };
  }
  const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
  if (!safe && req.hasSessionCookie && req.origin === null) {
    return { status: 403, reason: 'a state-changing request with a session cookie must carry this site\'s Origin (CSRF protection)' };
  }
  return null;
}

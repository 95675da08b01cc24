/**
 * The runs list's state as the home page's query string holds it (`/?status=failed&sort=ended&page=2`),
 * and the runs.list input it stands for. Shared by the server page (first render) and the table
 * (live updates, paging, sorting, filtering): the URL is the one source of truth.
 */

export const URL_KEYS = ['q', 'status', 'recipe', 'paper', 'tag', 'from', 'to', 'sort', 'dir', 'page', 'per'] as const;
export type RunsUrlState = Partial<Record<(typeof URL_KEYS)[number], string>>;

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PER = 50;
export const SORTABLE = ['created', 'started', 'ended', 'status', 'recipe'] as const;

/** The keys the page knows, from Next's searchParams or a URLSearchParams; anything else is ignored. */
export function readUrlState(params: URLSearchParams | Record<string, string | string[] | undefined>): RunsUrlState {
  const out: RunsUrlState = {};
  for (const k of URL_KEYS) {
    const v = params instanceof URLSearchParams ? params.get(k) : params[k];
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== null && s !== '') out[k] = s;
  }
  return out;
}

/** `?…` for a state (defaults left out, so the plain home page stays `/`). */
export function toQueryString(s: RunsUrlState): string {
  const p = new URLSearchParams();
  for (const k of URL_KEYS) {
    const v = s[k];
    if (v === undefined || v === '') continue;
    if ((k === 'sort' && v === 'created') || (k === 'dir' && v === 'desc') || (k === 'page' && v === '1') || (k === 'per' && v === String(DEFAULT_PER))) continue;
    p.set(k, v);
  }
  const qs = p.toString();
  return qs ? `?${qs}` : '';
}

export const pageOf = (s: RunsUrlState) => Math.max(1, Math.floor(Number(s.page ?? 1)) || 1);
export const perOf = (s: RunsUrlState) => Number(s.per ?? DEFAULT_PER);

/**
 * The runs.list input for a state. Values pass through as written (`sort=size` stays "size"): the
 * API validates them and its refusal names the bad one, which the page shows.
 */
export function listInput(s: RunsUrlState): Record<string, unknown> {
  const per = perOf(s);
  const input: Record<string, unknown> = { limit: per, offset: (pageOf(s) - 1) * (Number.isFinite(per) ? per : DEFAULT_PER) };
  if (s.q) input.search = s.q;
  if (s.status) input.status = s.status.includes(',') ? s.status.split(',') : s.status;
  for (const k of ['recipe', 'paper', 'tag', 'from', 'to', 'sort', 'dir'] as const) if (s[k]) input[k] = s[k];
  return input;
}

export const hasFilters = (s: RunsUrlState) => Boolean(s.q || s.status || s.recipe || s.paper || s.tag || s.from || s.to);

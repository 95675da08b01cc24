/**
 * The runs list's input: paging, sort and filters, checked before any query runs. A bad value is
 * refused with every problem named by its field ("sort: one of created, started, …; got \"size\""),
 * not a raw validation dump.
 */
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { RUN_SORTS, RUN_STATUSES, type RunListQuery } from '@reprolab/db';

export const MAX_RUNS_PAGE = 500;

/** A run tag: a short label of letters, digits and `. _ : -` (what `reprolab run --tag` accepts). */
export const TAG = z
  .string()
  .regex(/^[\w.:-]{1,40}$/, 'a tag is 1–40 letters, digits or . _ : - (no spaces)');

const oneOf = (values: readonly string[]) => ({ error: (iss: { input?: unknown }) => `one of ${values.join(', ')}; got ${JSON.stringify(iss.input)}` });

/** A date (`2026-01-31`, whole UTC day) or an ISO date-time with a zone. */
const instant = (end: boolean) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d{4}-\d\d-\d\d$/.test(s) || z.iso.datetime({ offset: true }).safeParse(s).success, 'a date (2026-01-31) or an ISO date-time with a zone (2026-01-31T12:00:00Z)')
    .transform((s, ctx) => {
      // A bare date `to` means the end of that day: runs created on it are included.
      const d = /^\d{4}-\d\d-\d\d$/.test(s) ? new Date(`${s}T00:00:00Z`) : new Date(s);
      // (Date rolls 2026-02-30 over into March: a day that does not survive the round trip is not real.)
      if (Number.isNaN(d.getTime()) || (/^\d{4}-\d\d-\d\d/.test(s) && d.toISOString().slice(0, 10) !== s.slice(0, 10) && !/[+-]\d\d:?\d\d$/.test(s))) {
        ctx.addIssue({ code: 'custom', message: `not a real date: ${s}` });
        return z.NEVER;
      }
      if (end && /^\d{4}-\d\d-\d\d$/.test(s)) d.setUTCDate(d.getUTCDate() + 1);
      return d;
    });

export const RunsListInput = z
  .object({
    limit: z.number().int().min(1).max(MAX_RUNS_PAGE, `at most ${MAX_RUNS_PAGE} runs a page`).default(50),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    sort: z.enum(RUN_SORTS, oneOf(RUN_SORTS)).default('created'),
    dir: z.enum(['asc', 'desc'], oneOf(['asc', 'desc'])).default('desc'),
    // one status, several (an array), or several comma-separated ("failed,cancelled")
    status: z
      .preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v), z.array(z.enum(RUN_STATUSES, oneOf(RUN_STATUSES))).min(1).max(RUN_STATUSES.length * 2))
      .optional(),
    recipe: z.string().trim().min(1).max(100).optional(),
    paper: z.string().trim().min(1).max(40).optional(),
    tag: TAG.optional(),
    from: instant(false).optional(),
    to: instant(true).optional(),
    search: z.string().trim().max(100, 'search: at most 100 characters').optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: '`from` must be before `to`', path: ['from'] });

export type RunsListInputIn = z.input<typeof RunsListInput>;

export type RunsListParsed = RunListQuery & { limit: number; offset: number };

/** Parses the procedure's input; refuses it with every issue as `field: message`. */
export function parseRunsListInput(raw: unknown): RunsListParsed {
  const r = RunsListInput.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.code === 'unrecognized_keys' ? `unknown option ${i.keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${Object.keys(RunsListInput.shape).join(', ')})` : i.message}`);
    throw new TRPCError({ code: 'BAD_REQUEST', message: `bad runs.list input: ${issues.join('; ')}` });
  }
  const { status, search, ...rest } = r.data;
  return { ...rest, status: status === undefined ? undefined : [...new Set(status)], search: search || undefined };
}

/** The procedure's input parser: typed like the zod schema for callers, refusing with readable messages. */
export const runsListParser = { _input: undefined as unknown as RunsListInputIn | undefined, _output: undefined as unknown as RunsListParsed, parse: parseRunsListInput };

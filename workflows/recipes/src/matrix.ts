/**
 * `matrix:` on a step declares a grid (methods × sparsities × seeds) once instead of one step per
 * cell. Expansion happens before validation, on the raw document, so every generated step is
 * validated like a hand-written one and the stored recipe holds the expanded steps, each with the
 * `group` it came from and its `cell` (the parameter values that make it unique).
 *
 *   - id: fm
 *     kind: growPrune
 *     params: { model: { kind: resnet-cifar, depth: 20 }, kappa: 3 }
 *     matrix: { method: [gap-serial, gmp], sparsity: [0.8, 0.9], seed: [1, 2, 3] }
 *
 * gives fm-gap-serial-0-8-1 … fm-gmp-0-9-3 (12 steps). `needs: [fm]` elsewhere means all of them.
 */
import type { RecipeIssue } from './schema';

export const MAX_MATRIX_CELLS = 1000;

type Scalar = string | number | boolean;
type RawStep = Record<string, unknown> & { id?: unknown; params?: unknown; matrix?: unknown; needs?: unknown };

const slug = (v: Scalar) => String(v).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Cartesian product of the matrix's value lists, in key order (the first key varies slowest). */
function cells(matrix: Record<string, Scalar[]>): Record<string, Scalar>[] {
  let out: Record<string, Scalar>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return out;
}

function checkMatrix(step: RawStep, at: string, issues: RecipeIssue[]): Record<string, Scalar[]> | undefined {
  const m = step.matrix;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    issues.push({ path: `${at}.matrix`, message: 'matrix must map parameter names to lists of values, e.g. { seed: [1, 2, 3] }' });
    return undefined;
  }
  const params = (typeof step.params === 'object' && step.params !== null ? step.params : {}) as Record<string, unknown>;
  const out: Record<string, Scalar[]> = {};
  const before = issues.length;
  for (const [key, values] of Object.entries(m as Record<string, unknown>)) {
    const path = `${at}.matrix.${key}`;
    if (key in params) issues.push({ path, message: `"${key}" is set in params and in matrix; keep one` });
    if (!Array.isArray(values) || values.length === 0) {
      issues.push({ path, message: 'give a non-empty list of values' });
      continue;
    }
    if (values.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
      issues.push({ path, message: 'matrix values must be numbers, strings or booleans; put objects in params' });
      continue;
    }
    if (new Set(values.map(String)).size !== values.length) issues.push({ path, message: 'values repeat' });
    out[key] = values as Scalar[];
  }
  if (!Object.keys(out).length && issues.length === before) issues.push({ path: `${at}.matrix`, message: 'matrix is empty' });
  const count = Object.values(out).reduce((n, v) => n * v.length, 1);
  if (count > MAX_MATRIX_CELLS) issues.push({ path: `${at}.matrix`, message: `${count} cells; at most ${MAX_MATRIX_CELLS} per step` });
  return issues.length === before ? out : undefined;
}

/**
 * Expands every step's `matrix` into one step per cell and rewrites `needs` that name a matrix
 * step to all of its cells. Returns the document unchanged when no step has a matrix.
 */
export function expandMatrices(input: unknown): { document: unknown; issues: RecipeIssue[] } {
  const doc = input as { steps?: unknown } | null;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.steps) || !doc.steps.some((s) => s && typeof s === 'object' && 'matrix' in s)) return { document: input, issues: [] };
  const issues: RecipeIssue[] = [];
  const groups = new Map<string, string[]>();
  const steps: unknown[] = [];
  doc.steps.forEach((raw: unknown, i) => {
    const step = raw as RawStep;
    if (!step || typeof step !== 'object' || !('matrix' in step)) return void steps.push(raw);
    const at = `steps[${i}]`;
    if ('group' in step || 'cell' in step) issues.push({ path: at, message: '`group` and `cell` are set by matrix expansion; remove them' });
    const matrix = checkMatrix(step, at, issues);
    if (!matrix || typeof step.id !== 'string') return;
    const { matrix: _m, ...rest } = step;
    const ids: string[] = [];
    for (const cell of cells(matrix)) {
      const id = [step.id, ...Object.values(cell).map(slug)].join('-');
      ids.push(id);
      steps.push({ ...rest, id, group: step.id, cell, params: { ...((step.params as object | undefined) ?? {}), ...cell } });
    }
    groups.set(step.id, ids);
  });
  if (!groups.size) return { document: input, issues };
  const expandNeeds = (needs: unknown) => (Array.isArray(needs) ? needs.flatMap((n) => (typeof n === 'string' && groups.has(n) ? groups.get(n)! : [n])) : needs);
  const out = steps.map((s) => (s && typeof s === 'object' && 'needs' in s ? { ...s, needs: expandNeeds((s as RawStep).needs) } : s));
  return { document: { ...doc, steps: out }, issues };
}

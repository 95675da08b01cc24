import { z } from 'zod';
import { FIDELITIES } from './evidence/judge';
import { expandMatrices } from './matrix';
import { SR_TILE, STEP_KINDS, STEP_KIND_NAMES, TASK_QUEUES } from './steps';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter');

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export const BUILTIN_DATASETS = ['mnist-10k', 'fashion-mnist', 'photos-skimage'] as const;
/** How many classes each built-in dataset has (launch-time checks of class indices). */
export const BUILTIN_DATASET_CLASSES: Record<(typeof BUILTIN_DATASETS)[number], number> = { 'mnist-10k': 10, 'fashion-mnist': 10, 'photos-skimage': 1 };

const DatasetRef = z
  .object({
    builtin: z.enum(BUILTIN_DATASETS).optional(),
    digest: z.string().regex(DIGEST_RE, 'a dataset digest looks like sha256:<64 hex digits>').optional(),
    /** The most recent dataset imported under this name (`reprolab data import --name …`). */
    imported: z.string().min(1).optional(),
  })
  .strict()
  .refine((d) => [d.builtin, d.digest, d.imported].filter((x) => x !== undefined).length >= 1, {
    message: 'give a dataset `builtin: <name>`, `digest: sha256:…` or `imported: <name>` (see `reprolab data import`)',
  });

const Step = z
  .object({
    id: identifier,
    kind: z.string(),
    queue: z.enum(TASK_QUEUES).optional(),
    needs: z.array(identifier).default([]),
    inputs: z.record(z.string(), z.string()).default({}),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Set by matrix expansion (matrix.ts): the matrix step this one came from, and its cell. */
    group: identifier.optional(),
    cell: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();

const Target = z
  .object({
    claim: z.string().min(1),
    /**
     * `<step id>.<metric name>` of the metric that reproduces the claim. A seeded summary is named
     * by its stem: the judge reads `<stem>_mean/_lower/_upper/_n/_se/_df`.
     */
    metric: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z_][a-z0-9_]*$/, 'write the metric as <step id>.<metric name>'),
    /**
     * Value claims: the largest |reproduced − paper| that still counts as reproduced, in the claim's
     * unit. Non-inferiority claims: the margin, when the registry gives none.
     */
    tolerance: z.number().nonnegative().optional(),
    /** Multiply the metric by this before comparing (e.g. 100 for a fraction vs a percentage). */
    scaleBy: z.number().positive().default(1),
    /** What kind of evidence this comparison is; defaults to the recipe's `fidelity`. */
    fidelity: z.enum(FIDELITIES).optional(),
    /**
     * `analogue` when the run measures a related but different quantity than the claim (an MNIST
     * GaP − GMP gap for ImageNet's "+1.5 pp over the previous best"): shown as direction only.
     */
    quantity: z.enum(['same', 'analogue']).default('same'),
    /** Why this comparison is only indicative (shown with the verdict), e.g. "needs ImageNet + GPU". */
    note: z.string().optional(),
  })
  .strict();

export const RecipeSchema = z
  .object({
    name: identifier,
    version: z.number().int().positive(),
    description: z.string().default(''),
    papers: z.array(z.string()).default([]),
    /** `full` means the paper's own setting; `proxy` a reduced one whose absolute numbers differ. */
    scale: z.enum(['proxy', 'full']).default('proxy'),
    /**
     * What kind of evidence the run's comparisons are (ARCHITECTURE.md): `exact`, `measured`,
     * `modelled-baseline` (one side is a model) or `proxy`. Defaults from `scale`: full → measured,
     * proxy → proxy. A target may override it (an exact parameter count inside a proxy recipe).
     */
    fidelity: z.enum(FIDELITIES).optional(),
    seed: z.number().int().nonnegative().default(0),
    datasets: z.record(identifier, DatasetRef).default({}),
    steps: z.array(Step).min(1, 'a recipe needs at least one step'),
    targets: z.array(Target).default([]),
  })
  .strict();

export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeStep = Recipe['steps'][number];

/** A recipe whose step params have been parsed by their kind's schema (defaults filled in). */
export interface ValidRecipe extends Recipe {
  steps: (RecipeStep & { queue: (typeof TASK_QUEUES)[number] })[];
}

export interface RecipeIssue {
  path: string;
  message: string;
}

export class RecipeValidationError extends Error {
  constructor(
    readonly source: string,
    readonly issues: RecipeIssue[],
  ) {
    super(
      `invalid recipe ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
    this.name = 'RecipeValidationError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Validates the structure, every step's params, input references and the DAG; collects all issues. */
export function validateRecipe(raw: unknown, source = '<recipe>'): ValidRecipe {
  const expanded = expandMatrices(raw);
  if (expanded.issues.length) throw new RecipeValidationError(source, expanded.issues);
  const input = expanded.document;
  const parsed = RecipeSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    // Report bad step params in the same pass, so one edit cycle fixes everything.
    throw new RecipeValidationError(source, [...issues, ...rawStepParamIssues(input, issues)]);
  }
  const recipe = parsed.data;
  const issues: RecipeIssue[] = [];
  const ids = new Map<string, number>();
  recipe.steps.forEach((s, i) => {
    if (ids.has(s.id)) issues.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}"` });
    ids.set(s.id, i);
  });
  const steps = recipe.steps.map((step, i) => {
    const at = `steps[${i}]`;
    const spec = (STEP_KINDS as Record<string, (typeof STEP_KINDS)[keyof typeof STEP_KINDS] | undefined>)[step.kind];
    if (!spec) {
      issues.push({ path: `${at}.kind`, message: `unknown step kind "${step.kind}"; known: ${STEP_KIND_NAMES.join(', ')}` });
      return { ...step, queue: step.queue ?? 'cpu' };
    }
    const params = spec.params.safeParse(step.params);
    if (!params.success) {
      for (const issue of params.error.issues) {
        issues.push({ path: `${at}.params${issue.path.length ? '.' + formatPath(issue.path) : ''}`, message: issue.message });
      }
    }
    const needs = new Set(step.needs);
    for (const n of step.needs) {
      if (!ids.has(n)) issues.push({ path: `${at}.needs`, message: `needs unknown step "${n}"` });
    }
    for (const slot of Object.keys(spec.inputs)) {
      if (!(slot in step.inputs)) issues.push({ path: `${at}.inputs.${slot}`, message: `missing input "${slot}"` });
    }
    const slots: Record<string, 'dataset' | 'model'> = { ...spec.inputs, ...('optionalInputs' in spec ? spec.optionalInputs : {}) };
    for (const [slot, ref] of Object.entries(step.inputs)) {
      const want = slots[slot];
      const path = `${at}.inputs.${slot}`;
      if (!want) {
        issues.push({ path, message: `unknown input "${slot}" for ${step.kind}; takes: ${Object.keys(slots).join(', ') || 'none'}` });
      } else if (want === 'dataset') {
        if (!(ref in recipe.datasets)) issues.push({ path, message: `unknown dataset "${ref}"; declared: ${Object.keys(recipe.datasets).join(', ') || 'none'}` });
      } else if (ref.startsWith('sha256:')) {
        // A model stored by an earlier run, by digest (prepareRun checks that it exists).
        if (!DIGEST_RE.test(ref)) issues.push({ path, message: `"${ref}" is not a model digest; a digest looks like sha256:<64 hex digits> (see the run's artifacts)` });
      } else {
        const [from, output] = ref.split('.');
        const idx = from === undefined ? undefined : ids.get(from);
        const producer = idx === undefined ? undefined : recipe.steps[idx];
        const producerSpec = producer && (STEP_KINDS as Record<string, { outputs: readonly string[] } | undefined>)[producer.kind];
        if (!producer || !output) issues.push({ path, message: `"${ref}" must name <step id>.<output> of an earlier step` });
        else if (producerSpec && !producerSpec.outputs.includes(output)) issues.push({ path, message: `step "${from}" has no output "${output}"; it produces: ${producerSpec.outputs.join(', ') || 'nothing'}` });
        else if (from && !needs.has(from)) needs.add(from); // an input reference implies the dependency
      }
    }
    return {
      ...step,
      needs: [...needs],
      queue: step.queue ?? spec.queue,
      params: params.success ? (params.data as Record<string, unknown>) : step.params,
    };
  });
  // An aggregate with nothing of the right kind to read would only fail on a worker.
  steps.forEach((step, i) => {
    if (step.kind !== 'aggregate' || (step.params as { fn?: unknown }).fn === undefined) return;
    const fn = (step.params as { fn: string }).fn;
    const needed = step.needs.map((n) => steps[ids.get(n) ?? -1]).filter((s) => s !== undefined);
    // What each aggregate reads: a step kind (with a condition) and what it does with it.
    const reads: Record<string, [(s: (typeof steps)[number]) => boolean, string]> = {
      'mpu-geomean': [(s) => s.kind === 'simulateMpu' && !(s.params as { sweep?: unknown }).sweep, 'a simulateMpu step without a sweep (it averages their speedup and energy_ratio)'],
      'sparse-gaps': [(s) => s.kind === 'growPrune', 'a growPrune step (it compares their test_accuracy)'],
      'sr-gaps': [(s) => s.kind === 'distill', 'a distill step (it compares their psnr_y)'],
      'novelty-auroc': [(s) => s.kind === 'novelty', 'a novelty step (it compares their auroc)'],
      'dehaze-gaps': [(s) => s.kind === 'dehaze', 'a dehaze step (it compares their psnr)'],
    };
    const [pred, want] = reads[fn] ?? [() => true, ''];
    const ok = needed.some(pred);
    if (!ok) issues.push({ path: `steps[${i}].needs`, message: `aggregate ${fn} needs at least ${want}; it needs: ${step.needs.join(', ') || 'nothing'}` });
  });
  // A stored (frozen) teacher only makes sense for arms that train a student against a teacher.
  steps.forEach((step, i) => {
    if (step.kind !== 'distill') return;
    const p = step.params as { method?: unknown; studentInit?: unknown };
    const stored = 'teacher' in step.inputs;
    if (stored && (p.method === 'student-alone' || p.method === 'teacher-alone')) {
      issues.push({ path: `steps[${i}].inputs.teacher`, message: `method ${p.method} trains without a teacher, so a stored teacher would go unused; use method csd or split-no-contrastive, or remove inputs.teacher` });
    }
    if (!stored && p.studentInit !== undefined) {
      issues.push({ path: `steps[${i}].params.studentInit`, message: 'studentInit applies to a student distilled from a stored teacher; add inputs.teacher (<step id>.model or a model digest) or remove studentInit' });
    }
  });
  // An HR patch must fit in a photos-skimage tile; imported SR datasets are checked by the worker, image by image.
  steps.forEach((step, i) => {
    const p = step.params as { patch?: unknown; scale?: unknown };
    if (step.kind !== 'distill' || typeof p.patch !== 'number' || typeof p.scale !== 'number') return;
    if (recipe.datasets[step.inputs.dataset ?? '']?.builtin !== 'photos-skimage' || p.patch * p.scale <= SR_TILE) return;
    issues.push({ path: `steps[${i}].params.patch`, message: `patch · scale = ${p.patch * p.scale} exceeds the ${SR_TILE}-pixel HR tiles of photos-skimage; use patch ≤ ${Math.floor(SR_TILE / p.scale)}` });
  });
  // A dehaze step hazes photos-skimage tiles itself; the other built-ins are not RGB photographs.
  steps.forEach((step, i) => {
    if (step.kind !== 'dehaze') return;
    const builtin = recipe.datasets[step.inputs.dataset ?? '']?.builtin;
    const p = step.params as { patch?: unknown };
    if (builtin && builtin !== 'photos-skimage') issues.push({ path: `steps[${i}].inputs.dataset`, message: `dehaze needs RGB photographs: builtin photos-skimage (hazed synthetically) or an imported reside-its / reside-sots / dense-haze / nh-haze dataset, not ${builtin}` });
    if (builtin === 'photos-skimage' && typeof p.patch === 'number' && p.patch > SR_TILE) issues.push({ path: `steps[${i}].params.patch`, message: `patch ${p.patch} exceeds the ${SR_TILE}-pixel tiles of photos-skimage; use patch ≤ ${SR_TILE}` });
  });
  // A one-class step's class must exist in a built-in dataset; imported ones are checked by the worker.
  steps.forEach((step, i) => {
    const p = step.params as { normalClass?: unknown };
    if (step.kind !== 'novelty' || typeof p.normalClass !== 'number') return;
    const builtin = recipe.datasets[step.inputs.dataset ?? '']?.builtin;
    const classes = builtin ? BUILTIN_DATASET_CLASSES[builtin] : undefined;
    if (classes === 1) issues.push({ path: `steps[${i}].inputs.dataset`, message: `${builtin} has one class, so no test image is novel; use mnist-10k, fashion-mnist or an imported classification dataset` });
    else if (classes !== undefined && p.normalClass >= classes) issues.push({ path: `steps[${i}].params.normalClass`, message: `normalClass ${p.normalClass} is outside ${builtin}, whose classes are 0–${classes - 1}` });
  });
  const cycle = findCycle(steps);
  if (cycle) issues.push({ path: 'steps', message: `the step graph has a cycle: ${cycle.join(' → ')}` });
  recipe.targets.forEach((t, i) => {
    const stepId = t.metric.split('.')[0];
    if (stepId && !ids.has(stepId)) issues.push({ path: `targets[${i}].metric`, message: `no step "${stepId}" in this recipe` });
    if (recipe.scale === 'proxy' && t.fidelity === 'measured') {
      issues.push({ path: `targets[${i}].fidelity`, message: 'a proxy recipe cannot give measured evidence of the paper\'s setting; use proxy, or exact for a deterministic quantity' });
    }
  });
  if (recipe.scale === 'proxy' && recipe.fidelity === 'measured') {
    issues.push({ path: 'fidelity', message: 'a proxy recipe cannot give measured evidence of the paper\'s setting; use proxy (or set scale: full)' });
  }
  if (issues.length) throw new RecipeValidationError(source, issues);
  return { ...recipe, steps };
}

function rawStepParamIssues(input: unknown, known: RecipeIssue[]): RecipeIssue[] {
  const steps = (input as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  const out: RecipeIssue[] = [];
  steps.forEach((raw: unknown, i) => {
    const step = raw as { kind?: unknown; params?: unknown } | null;
    if (!step || typeof step.kind !== 'string') return;
    const spec = (STEP_KINDS as Record<string, { params: z.ZodType } | undefined>)[step.kind];
    const at = `steps[${i}]`;
    if (!spec) {
      out.push({ path: `${at}.kind`, message: `unknown step kind "${step.kind}"; known: ${STEP_KIND_NAMES.join(', ')}` });
      return;
    }
    const params = spec.params.safeParse(step.params ?? {});
    if (params.success) return;
    for (const issue of params.error.issues) {
      const path = `${at}.params${issue.path.length ? '.' + formatPath(issue.path) : ''}`;
      if (!known.some((k) => k.path === path)) out.push({ path, message: issue.message });
    }
  });
  return out;
}

function findCycle(steps: { id: string; needs: string[] }[]): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const n of byId.get(id)?.needs ?? []) {
      const c = visit(n);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of steps) {
    const c = visit(s.id);
    if (c) return c;
  }
  return undefined;
}

/** The kind of evidence a target gives: its own `fidelity`, else the recipe's, else from `scale`. */
export function targetFidelity(recipe: Pick<Recipe, 'scale' | 'fidelity'>, target: Pick<Recipe['targets'][number], 'fidelity'>): (typeof FIDELITIES)[number] {
  return target.fidelity ?? recipe.fidelity ?? (recipe.scale === 'full' ? 'measured' : 'proxy');
}

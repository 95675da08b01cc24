/**
 * A launch form generated from the recipe schema: each step's parameters as typed fields (from its
 * kind's zod schema), its matrix axes as lists, and the recipe seed; and the recipe a user's
 * overrides give, re-validated as a whole, with every issue mapped back to the step and field of
 * the form that caused it.
 */
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { expandMatrices } from './matrix';
import { RecipeValidationError, validateRecipe, type RecipeIssue, type ValidRecipe } from './schema';
import { STEP_KINDS } from './steps';

export type FieldType = 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'json';

export interface FormField {
  name: string;
  type: FieldType;
  /** For enums: the allowed values (strings or numbers). */
  options?: (string | number)[];
  min?: number;
  max?: number;
  description?: string;
  /** The value the recipe sets, else the schema's default (undefined when neither). */
  value: unknown;
  /** Whether the recipe itself sets it (otherwise the default applies). */
  set: boolean;
  required: boolean;
}

export interface FormStep {
  id: string;
  kind: string;
  fields: FormField[];
  /** Matrix axes (lists of values), for a step that expands into one step per cell. */
  matrix: Record<string, unknown[]> | null;
}

export interface RecipeForm {
  name: string;
  description: string;
  seed: number | null;
  steps: FormStep[];
}

export interface StepOverride {
  /** Parameter values to set; `null` removes the recipe's own value (the default applies). */
  params?: Record<string, unknown>;
  /** Matrix axes to replace. */
  matrix?: Record<string, unknown[]>;
}

export interface RecipeOverrides {
  seed?: number;
  steps?: Record<string, StepOverride>;
}

/** An issue with the form's step and field it belongs to, where it has one. */
export interface FormIssue extends RecipeIssue {
  step?: string;
  field?: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

function fieldOf(name: string, s: JsonSchema, required: boolean, recipeValue: unknown, isSet: boolean): FormField {
  const alternatives = s.anyOf ?? s.oneOf;
  const consts = alternatives?.every((a) => a.const !== undefined) ? alternatives.map((a) => a.const) : undefined;
  const options = (s.enum ?? consts) as (string | number)[] | undefined;
  const type: FieldType = options ? 'enum' : s.type === 'integer' ? 'integer' : s.type === 'number' ? 'number' : s.type === 'boolean' ? 'boolean' : s.type === 'string' ? 'string' : 'json';
  // An integer above an exclusive bound starts one higher (positive counts start at 1).
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined && type === 'integer' ? s.exclusiveMinimum + 1 : s.exclusiveMinimum);
  const max = s.maximum ?? s.exclusiveMaximum;
  return {
    name,
    type,
    ...(options ? { options } : {}),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined && max < Number.MAX_SAFE_INTEGER ? { max } : {}),
    ...(s.description ? { description: s.description } : {}),
    value: isSet ? recipeValue : s.default,
    set: isSet,
    required,
  };
}

/** The JSON schema of a step kind's params (as a user writes them: defaults optional). */
function paramsSchema(kind: string): JsonSchema | undefined {
  const spec = (STEP_KINDS as Record<string, { params: z.ZodType } | undefined>)[kind];
  if (!spec) return undefined;
  return z.toJSONSchema(spec.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/**
 * For a kind whose params are a discriminated union (`simulate`'s `model`), the branch the step's
 * params select: the one whose constant fields all match them (the first branch when none does).
 */
function branchFor(schema: JsonSchema | undefined, params: Record<string, unknown>): JsonSchema | undefined {
  const branches = schema?.anyOf ?? schema?.oneOf;
  if (!branches || schema?.properties) return schema;
  const matches = (b: JsonSchema) => Object.entries(b.properties ?? {}).every(([k, v]) => v.const === undefined || params[k] === v.const);
  return branches.find((b) => b.properties && matches(b)) ?? branches[0];
}

function parseDocument(text: string, origin: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true });
  } catch (e) {
    throw new RecipeValidationError(origin, [{ path: '', message: `not valid YAML: ${(e as Error).message}` }]);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new RecipeValidationError(origin, [{ path: '', message: 'a recipe is a YAML mapping (name, steps, …)' }]);
  return doc as Record<string, unknown>;
}

type RawStep = { id?: unknown; kind?: unknown; params?: Record<string, unknown>; matrix?: Record<string, unknown[]> };

/** The form for a recipe's text (its steps as written, before matrix expansion). */
export function recipeForm(text: string, origin = '<recipe>'): RecipeForm {
  const valid = validateRecipe(parseDocument(text, origin), origin); // a form only for a recipe that validates
  const doc = parseDocument(text, origin);
  const steps = ((doc.steps ?? []) as RawStep[]).map((raw): FormStep => {
    const id = String(raw.id);
    const kind = String(raw.kind);
    const matrix = raw.matrix && typeof raw.matrix === 'object' ? raw.matrix : null;
    const params = raw.params ?? {};
    const schema = branchFor(paramsSchema(kind), params);
    const fields = Object.entries(schema?.properties ?? {})
      .filter(([name]) => !(matrix && name in matrix))
      .map(([name, s]) => fieldOf(name, s, schema?.required?.includes(name) ?? false, params[name], name in params));
    // Set fields first, in the schema's order; then the rest.
    fields.sort((a, b) => Number(b.set) - Number(a.set));
    return { id, kind, fields, matrix };
  });
  return { name: valid.name, description: valid.description ?? '', seed: (doc.seed as number | undefined) ?? null, steps };
}

/**
 * The recipe document with the user's overrides applied (params merged key by key, matrix axes
 * replaced), as YAML. Refuses an override of a step the recipe does not have.
 */
export function applyOverrides(text: string, o: RecipeOverrides, origin = '<recipe>'): { text: string; document: Record<string, unknown> } {
  const doc = parseDocument(text, origin);
  const steps = (doc.steps ?? []) as RawStep[];
  const issues: RecipeIssue[] = [];
  for (const [id, ov] of Object.entries(o.steps ?? {})) {
    const step = steps.find((s) => s.id === id);
    if (!step) {
      issues.push({ path: `steps.${id}`, message: `the recipe has no step "${id}"; its steps: ${steps.map((s) => String(s.id)).join(', ')}` });
      continue;
    }
    if (ov.params) {
      const params = { ...(step.params ?? {}) };
      for (const [k, v] of Object.entries(ov.params)) {
        if (v === null) delete params[k];
        else params[k] = v;
      }
      step.params = params;
    }
    if (ov.matrix) {
      if (!step.matrix) issues.push({ path: `steps.${id}.matrix`, message: `step "${id}" has no matrix to change; set its params instead` });
      else step.matrix = { ...step.matrix, ...ov.matrix };
    }
  }
  if (issues.length) throw new RecipeValidationError(origin, issues);
  if (o.seed !== undefined) doc.seed = o.seed;
  return { text: stringify(doc), document: doc };
}

const STEP_PATH = /^steps\[(\d+)\](?:\.params\.([A-Za-z0-9_]+))?/;

/** Each issue with the form step (expanded step i back to the step or matrix group it came from) and field it belongs to. */
export function formIssues(document: Record<string, unknown>, issues: readonly RecipeIssue[]): FormIssue[] {
  const expanded = expandMatrices(document);
  const steps = ((expanded.issues.length ? document : expanded.document) as { steps?: { id?: unknown; group?: unknown }[] }).steps ?? [];
  return issues.map((i): FormIssue => {
    const m = STEP_PATH.exec(i.path);
    const s = m ? steps[Number(m[1])] : undefined;
    const step = s ? String(s.group ?? s.id) : undefined;
    return { ...i, ...(step ? { step } : {}), ...(m?.[2] ? { field: m[2] } : {}) };
  });
}

/** Validates a recipe document as a launch does, with its issues mapped to the form (formIssues). */
export function checkRecipeDocument(document: Record<string, unknown>, origin = '<recipe>'): { recipe: ValidRecipe | null; issues: FormIssue[] } {
  try {
    return { recipe: validateRecipe(document, origin), issues: [] };
  } catch (e) {
    if (!(e instanceof RecipeValidationError)) throw e;
    return { recipe: null, issues: formIssues(document, e.issues) };
  }
}

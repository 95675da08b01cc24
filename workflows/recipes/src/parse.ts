import { createHash } from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { RecipeValidationError, validateRecipe, type ValidRecipe } from './schema';

export interface ParsedRecipe {
  recipe: ValidRecipe;
  /** sha256 of the canonical JSON of the validated recipe: formatting and comments don't change it. */
  contentHash: string;
  source: string;
}

/** Parses YAML (or JSON) recipe text and validates it. `origin` names the file in errors. */
export function parseRecipe(text: string, origin = '<recipe>'): ParsedRecipe {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true, merge: true }); // merge keys (<<: *protocol) share params across steps
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message : String(e);
    throw new RecipeValidationError(origin, [{ path: '', message: `not valid YAML: ${msg}` }]);
  }
  const recipe = validateRecipe(data, origin);
  return { recipe, contentHash: hashRecipe(recipe), source: text };
}

export function hashRecipe(recipe: ValidRecipe): string {
  return 'sha256:' + createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}

/** JSON with object keys sorted, so equal values hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

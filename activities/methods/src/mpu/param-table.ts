/** A numeric model parameter with its provenance and the range a config file may set it to. */
export interface ParamSpec {
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  unit: string;
  source: string;
}

export type ParamTable<K extends string> = Record<K, ParamSpec>;

/** Plain `{ name: value }` view of a parameter table (what the models consume). */
export function defaultsOf<K extends string>(table: ParamTable<K>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(table) as K[]) out[key] = table[key].value;
  return out;
}

/** Problems with `overrides` of a parameter table: unknown names, non-finite, out-of-range or non-integer values. */
export function checkParamOverrides(table: Record<string, ParamSpec>, overrides: Record<string, unknown>): string[] {
  const issues: string[] = [];
  for (const [k, v] of Object.entries(overrides)) {
    const spec = table[k];
    if (!spec) issues.push(`${k}: unknown parameter; known: ${Object.keys(table).join(', ')}`);
    else if (typeof v !== 'number' || !Number.isFinite(v)) issues.push(`${k}: must be a finite number`);
    else if (v < spec.min || v > spec.max) issues.push(`${k}: ${v} is outside [${spec.min}, ${spec.max}] ${spec.unit}`);
    else if (spec.integer && !Number.isInteger(v)) issues.push(`${k}: must be an integer`);
  }
  return issues;
}

/** Every parameter's value, unit and source; `set in the recipe` where an override replaced the default. */
export function describeParams(table: Record<string, ParamSpec>, values: Record<string, number>, overrides: Record<string, unknown>): Record<string, { value: number; unit: string; source: string }> {
  return Object.fromEntries(Object.entries(table).map(([k, spec]) => [k, { value: values[k]!, unit: spec.unit, source: overrides[k] !== undefined ? 'set in the recipe' : spec.source }]));
}

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

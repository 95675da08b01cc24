/** Simulation configuration: MPU + V100 parameters and the offload policy, with validation. */
import { DEFAULT_MPU, MPU_PARAMS } from './mpu-params';
import type { MpuConfig } from './mpu-params';
import { OFFLOAD_POLICIES } from './offload-policy';
import type { OffloadPolicyName } from './offload-policy';
import type { ParamSpec } from './param-table';
import { DEFAULT_V100, V100_PARAMS } from './v100-params';
import type { V100Config } from './v100-params';

export interface SimConfig {
  mpu: MpuConfig;
  v100: V100Config;
  offloadPolicy: OffloadPolicyName;
  seed: number;
}

/** Partial config as accepted from JSON / callers. */
export interface SimConfigInput {
  mpu?: Partial<MpuConfig>;
  v100?: Partial<V100Config>;
  offloadPolicy?: OffloadPolicyName;
  seed?: number;
}

/** A config error that names its field (`mpu.rowBuffers`), so a recipe check can give the full path. */
export class SimConfigError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    message = `${field}: ${detail}`,
  ) {
    super(message);
    this.name = 'SimConfigError';
  }
}

export function defaultSimConfig(): SimConfig {
  return { mpu: { ...DEFAULT_MPU }, v100: { ...DEFAULT_V100 }, offloadPolicy: 'compiler', seed: 1 };
}

function checkSection(section: string, raw: unknown, table: Record<string, ParamSpec>, out: Record<string, number>, requireAll: boolean): void {
  if (raw === undefined) {
    if (requireAll) throw new SimConfigError(section, 'missing section (object of parameters)');
    return;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SimConfigError(section, 'must be an object of numeric parameters');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in table)) throw new SimConfigError(`${section}.${key}`, `unknown parameter; allowed: ${Object.keys(table).join(', ')}`);
  }
  for (const [key, spec] of Object.entries(table)) {
    const v = obj[key];
    const range = `allowed range [${spec.min}, ${spec.max}]${spec.integer ? ' (integer)' : ''} ${spec.unit}`;
    if (v === undefined || v === null) {
      if (requireAll || v === null) throw new SimConfigError(`${section}.${key}`, `missing; ${range}`);
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
      throw new SimConfigError(`${section}.${key}`, `${JSON.stringify(v)} out of range; ${range}`);
    }
    out[key] = v;
  }
}

/**
 * Validates a JSON config. Sections and parameters are optional (defaults fill in) unless
 * `requireAll`; a null parameter counts as missing. Errors name the field and its allowed range.
 */
export function parseSimConfig(json: unknown, opts: { requireAll?: boolean } = {}): SimConfig {
  const cfg = defaultSimConfig();
  if (json === undefined || json === null) {
    if (opts.requireAll) throw new SimConfigError('config', 'missing (expected an object with mpu, v100, offloadPolicy)');
    return cfg;
  }
  if (typeof json !== 'object' || Array.isArray(json)) throw new SimConfigError('config', 'must be a JSON object with optional fields mpu, v100, offloadPolicy, seed');
  const obj = json as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['mpu', 'v100', 'offloadPolicy', 'seed'].includes(key)) throw new SimConfigError(`config.${key}`, 'unknown field; allowed: mpu, v100, offloadPolicy, seed');
  }
  checkSection('mpu', obj.mpu, MPU_PARAMS, cfg.mpu as unknown as Record<string, number>, !!opts.requireAll);
  checkSection('v100', obj.v100, V100_PARAMS, cfg.v100 as unknown as Record<string, number>, !!opts.requireAll);
  if (obj.offloadPolicy !== undefined) {
    if (!OFFLOAD_POLICIES.includes(obj.offloadPolicy as OffloadPolicyName)) {
      throw new SimConfigError('offloadPolicy', `${JSON.stringify(obj.offloadPolicy)} not allowed; allowed: ${OFFLOAD_POLICIES.join(', ')}`);
    }
    cfg.offloadPolicy = obj.offloadPolicy as OffloadPolicyName;
  } else if (opts.requireAll) throw new SimConfigError('offloadPolicy', `missing; allowed: ${OFFLOAD_POLICIES.join(', ')}`);
  if (obj.seed !== undefined) {
    if (typeof obj.seed !== 'number' || !Number.isInteger(obj.seed) || obj.seed < 0 || obj.seed > 2 ** 31) throw new SimConfigError('seed', 'allowed range [0, 2147483648] (integer)');
    cfg.seed = obj.seed;
  }
  return cfg;
}

/** Merges a partial input onto defaults through the same validation. */
export function resolveConfig(input?: SimConfigInput | SimConfig): SimConfig {
  return parseSimConfig(input ?? {});
}

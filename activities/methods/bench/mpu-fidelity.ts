/**
 * Issue 10's before/after table: the default suite with the MPU-Sim rules switched on one at a time
 * (cumulatively, in the order below), from every rule at policy 0 (the model before issue 10) to
 * every rule at policy 1 (the defaults), then the V100's L2 write-back rule. Energy-only rules are
 * re-priced on the same run; each timing rule is a new MPU run.
 *
 *   npx tsx activities/methods/bench/mpu-fidelity.ts [--workloads A,B] [--scale 0.0625] [--json FILE]
 *
 * --scale runs every workload at that fraction of its default data (2D workloads per side by its square root).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { geomean, scaledSize } from '../src/mpu/simulate';
import { mpuEnergy, runMpuMachine, runV100 } from '../src/mpu/run-models';
import { defaultSimConfig } from '../src/mpu/sim-config';
import type { SimConfig } from '../src/mpu/sim-config';
import { totalEnergy } from '../src/mpu/energy';
import { WORKLOAD_DEFS, WORKLOAD_NAMES, workloadDef } from '../src/mpu/workloads';
import type { MpuConfig } from '../src/mpu/mpu-params';

/** Steps in order; `timing` rules need a new MPU run. */
const STEPS: { name: keyof MpuConfig; timing: boolean; before?: number; after?: number }[] = [
  // MPU-Sim's per-core bus width (config_api.py:73-79): 8 B, where the model had the processor-wide 128 B
  { name: 'busWidthBytes', timing: true, before: 128, after: 8 },
  { name: 'busEnergyPolicy', timing: false },
  { name: 'aluEnergyPolicy', timing: false },
  { name: 'pipelineEnergyPolicy', timing: false },
  { name: 'storeReadModifyWrite', timing: true },
  { name: 'dramTimingPolicy', timing: true },
  { name: 'refreshPolicy', timing: true },
  { name: 'busPacketPolicy', timing: true },
  { name: 'commitPackets', timing: true },
  { name: 'networkMessagePolicy', timing: true },
  { name: 'networkEnergyPolicy', timing: false },
];

const { values } = parseArgs({ options: { workloads: { type: 'string' }, json: { type: 'string' }, scale: { type: 'string' } } });
const scale = values.scale ? Number(values.scale) : undefined;
const names = values.workloads ? values.workloads.split(',').map((n) => workloadDef(n).name) : WORKLOAD_NAMES;
const maxCycles = 1e10;

interface Row { workload: string; size: number; steps: { step: string; mpuCycles: number; speedup: number; energyRatio: number; mpuEnergyNJ: number }[] }
const rows: Row[] = [];
for (const name of names) {
  const def = WORKLOAD_DEFS[name];
  const size = scale !== undefined ? scaledSize(def, scale) : def.defaultSize;
  const base: SimConfig = defaultSimConfig();
  // the V100 before issue 10 (dirty L2 lines cost no time); its write-back rule is the last step
  let v100 = await runV100(def.build(size, base.seed), { ...base, v100: { ...base.v100, l2WritebackAtEnd: 0 } }, { maxCycles });
  const c: MpuConfig = { ...base.mpu };
  for (const s of STEPS) (c as Record<string, number>)[s.name] = s.before ?? 0;
  const runWith = async (mpu: MpuConfig) => runMpuMachine(def.build(size, base.seed), { ...base, mpu: { ...mpu } }, { maxCycles });
  let run = await runWith(c);
  const row: Row = { workload: name, size, steps: [] };
  const record = (step: string) => {
    const e = totalEnergy(mpuEnergy(run.machine, run.cycles, c));
    const mpuS = run.cycles / (c.coreClockMHz * 1e6);
    row.steps.push({ step, mpuCycles: run.cycles, speedup: v100.timeS / mpuS, energyRatio: v100.totalEnergyNJ / e, mpuEnergyNJ: e });
  };
  record('before (all policy 0)');
  for (const s of STEPS) {
    (c as Record<string, number>)[s.name] = s.after ?? 1;
    if (s.timing) run = await runWith(c);
    record(`+${s.name}`);
  }
  v100 = await runV100(def.build(size, base.seed), base, { maxCycles });
  record('+v100.l2WritebackAtEnd');
  rows.push(row);
  console.error(`${name} ${size}: ${row.steps.map((x) => `${x.step} ${x.speedup.toFixed(3)}x/${x.energyRatio.toFixed(3)}x`).join(' | ')}`);
}
const geo = rows[0]!.steps.map((_, i) => ({
  step: rows[0]!.steps[i]!.step,
  speedup: geomean(rows.map((r) => r.steps[i]!.speedup)),
  energyRatio: geomean(rows.map((r) => r.steps[i]!.energyRatio)),
}));
const out = { rows, geomean: geo };
if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2));
for (const g of geo) console.log(`${g.step.padEnd(28)} speedup ${g.speedup.toFixed(3)}  energy ${g.energyRatio.toFixed(3)}`);

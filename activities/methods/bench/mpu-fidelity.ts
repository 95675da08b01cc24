/**
 * Issue 10's before/after table: the default suite with the MPU-Sim rules switched on one at a time
 * (cumulatively, in the order below), from every rule at policy 0 (the model before issue 10) to
 * every rule at policy 1 (the defaults). Energy-only rules are re-priced on the same run; each timing
 * rule is a new MPU run; the V100 runs once per workload.
 *
 *   npx tsx activities/methods/bench/mpu-fidelity.ts [--workloads A,B] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { geomean } from '../src/mpu/simulate';
import { mpuEnergy, runMpuMachine, runV100 } from '../src/mpu/run-models';
import { defaultSimConfig } from '../src/mpu/sim-config';
import type { SimConfig } from '../src/mpu/sim-config';
import { totalEnergy } from '../src/mpu/energy';
import { WORKLOAD_DEFS, WORKLOAD_NAMES, workloadDef } from '../src/mpu/workloads';
import type { MpuConfig } from '../src/mpu/mpu-params';

/** Steps in order; `timing` rules need a new MPU run. */
const STEPS: { name: keyof MpuConfig; timing: boolean }[] = [
  { name: 'busEnergyPolicy', timing: false },
  { name: 'aluEnergyPolicy', timing: false },
  { name: 'pipelineEnergyPolicy', timing: false },
  { name: 'storeReadModifyWrite', timing: true },
  { name: 'dramTimingPolicy', timing: true },
  { name: 'refreshPolicy', timing: true },
  { name: 'busPacketPolicy', timing: true },
  { name: 'commitPackets', timing: true },
];

const { values } = parseArgs({ options: { workloads: { type: 'string' }, json: { type: 'string' } } });
const names = values.workloads ? values.workloads.split(',').map((n) => workloadDef(n).name) : WORKLOAD_NAMES;
const maxCycles = 1e10;

interface Row { workload: string; size: number; steps: { step: string; mpuCycles: number; speedup: number; energyRatio: number; mpuEnergyNJ: number }[] }
const rows: Row[] = [];
for (const name of names) {
  const def = WORKLOAD_DEFS[name];
  const size = def.defaultSize;
  const base: SimConfig = defaultSimConfig();
  const v100 = await runV100(def.build(size, base.seed), base, { maxCycles });
  const c: MpuConfig = { ...base.mpu };
  for (const s of STEPS) (c as Record<string, number>)[s.name] = 0;
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
    (c as Record<string, number>)[s.name] = 1;
    if (s.timing) run = await runWith(c);
    record(`+${s.name}`);
  }
  rows.push(row);
  console.error(`${name}: ${row.steps.map((x) => `${x.step} ${x.speedup.toFixed(3)}x/${x.energyRatio.toFixed(3)}x`).join(' | ')}`);
}
const geo = rows[0]!.steps.map((_, i) => ({
  step: rows[0]!.steps[i]!.step,
  speedup: geomean(rows.map((r) => r.steps[i]!.speedup)),
  energyRatio: geomean(rows.map((r) => r.steps[i]!.energyRatio)),
}));
const out = { rows, geomean: geo };
if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2));
for (const g of geo) console.log(`${g.step.padEnd(28)} speedup ${g.speedup.toFixed(3)}  energy ${g.energyRatio.toFixed(3)}`);

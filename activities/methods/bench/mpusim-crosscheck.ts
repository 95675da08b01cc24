/**
 * Our MPU model beside MPU-Sim's own numbers (src/mpu/mpusim-reference.json: runs of
 * github.com/GD06/mpu-sim_distribution @db5cc64 at small sizes, with the commands that made them).
 *
 *   npx tsx activities/methods/bench/mpusim-crosscheck.ts
 */
import { MPUSIM_REFERENCE, compareWithMpuSim } from '../src/mpu/mpusim-reference';

void (async () => {
  for (const ref of MPUSIM_REFERENCE.runs) {
    const c = await compareWithMpuSim(ref);
    console.log(`${ref.workload} ${ref.size}: cycles ours ${c.ours.cycles} / MPU-Sim ${c.mpuSim.cycles} = ${c.ratio.cycles.toFixed(3)}; energy ${c.ours.totalNJ.toFixed(0)} / ${c.mpuSim.totalNJ.toFixed(0)} nJ = ${c.ratio.total.toFixed(3)}`);
    for (const k of Object.keys(c.ours.byComponent) as (keyof typeof c.ours.byComponent)[]) {
      console.log(`  ${k.padEnd(8)} ${c.ours.byComponent[k].toFixed(1).padStart(10)} ${c.mpuSim.byComponent[k].toFixed(1).padStart(10)} nJ`);
    }
  }
})();

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MPUSIM_AGREEMENT, MPUSIM_REFERENCE, compareWithMpuSim } from './mpusim-reference';

for (const ref of MPUSIM_REFERENCE.runs) {
  test(`${ref.workload} ${ref.size} against MPU-Sim's own run: agreeing figures within tolerance, known differences where recorded`, async () => {
    const c = await compareWithMpuSim(ref);
    const want = MPUSIM_AGREEMENT[ref.workload]!;
    for (const [k, { ratio, tolerance }] of Object.entries(want.agrees)) {
      const got = k === 'cycles' ? c.ratio.cycles : c.ours.byComponent[k as 'dram'] / c.mpuSim.byComponent[k as 'dram'];
      assert.ok(Math.abs(got / ratio - 1) <= tolerance, `${k}: ours/MPU-Sim ${got.toFixed(3)}, want ${ratio} ± ${tolerance * 100}%`);
    }
    for (const [k, recorded] of Object.entries(want.differs)) {
      const got = k === 'cycles' ? c.ratio.cycles : k === 'total' ? c.ratio.total : c.ours.byComponent[k as 'dram'] / c.mpuSim.byComponent[k as 'dram'];
      assert.ok(Math.abs(got / recorded! - 1) <= 0.2, `${k}: ours/MPU-Sim ${got.toFixed(3)} moved from the recorded ${recorded}`);
    }
  });
}

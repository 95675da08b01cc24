/** Simulated warp instructions per host second for the MPU and V100 models, plus peak memory. */
import { runMpu, runV100 } from '../src/mpu/run-models';
import { resolveConfig } from '../src/mpu/sim-config';
import { workloadDef } from '../src/mpu/workloads';

const json = process.argv.includes('--json');
// mid-sized inputs: long enough to amortise start-up, short enough for a shared 2-core box
const CASES: [string, number][] = [['AXPY', 1 << 20], ['BLUR', 512], ['GEMV', 1024], ['KMEANS', 1 << 16], ['TTRANS', 1024], ['NW', 1024]];

async function main(): Promise<void> {
  const cfg = resolveConfig({});
  let peakRss = 0;
  const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };
  const rows: { workload: string; size: number; model: string; warpInstructions: number; hostSeconds: number; warpInstrPerSec: number }[] = [];
  for (const [name, size] of CASES) {
    const def = workloadDef(name);
    for (const model of ['mpu', 'v100'] as const) {
      const inst = def.build(size, 1);
      const t0 = performance.now();
      const r = model === 'mpu' ? await runMpu(inst, cfg, { maxCycles: 1e10, onProgress: sample }) : await runV100(inst, cfg, { maxCycles: 1e10, onProgress: sample });
      const s = (performance.now() - t0) / 1000;
      sample();
      rows.push({ workload: name, size, model, warpInstructions: r.warpInstructions, hostSeconds: s, warpInstrPerSec: r.warpInstructions / s });
      if (!json) process.stderr.write(`${name} ${model}: ${(r.warpInstructions / s / 1e6).toFixed(2)} M warp-instr/s\n`);
    }
  }
  const agg = (m: string) => {
    const sel = rows.filter((r) => r.model === m);
    return sel.reduce((a, r) => a + r.warpInstructions, 0) / sel.reduce((a, r) => a + r.hostSeconds, 0);
  };
  const doc = { cases: rows, mpuWarpInstrPerSec: agg('mpu'), v100WarpInstrPerSec: agg('v100'), goalWarpInstrPerSec: 10e6, peakRssBytes: peakRss };
  if (json) console.log(JSON.stringify(doc, null, 2));
  else {
    console.log(`MPU  model: ${(doc.mpuWarpInstrPerSec / 1e6).toFixed(2)} M simulated warp-instructions / host second`);
    console.log(`V100 model: ${(doc.v100WarpInstrPerSec / 1e6).toFixed(2)} M simulated warp-instructions / host second`);
    console.log(`goal: 10 M/s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  }
}

await main();

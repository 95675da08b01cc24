/**
 * Simulated warp instructions per host second for the MPU and V100 models, plus peak memory.
 *
 *   npm run bench:sim [-- --json] [--against DIR] [--parts] [--reps N]
 *
 * --against DIR  runs every case with this checkout's simulator and with the one in DIR (another
 *                checkout, e.g. `git worktree add /tmp/prev HEAD~1`), alternating case by case so that
 *                both see the same machine load, prints both rates and their ratio, and checks that
 *                the two produce identical results (a speed change must not change a number).
 * --parts        host nanoseconds per warp instruction of each part of a run: building the inputs,
 *                executing the kernels functionally (no trace), generating the MPU trace (execution
 *                plus instruction records), and the whole MPU and V100 runs. The functional
 *                execution is a floor no timing-model change can go below.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const parts = argv.includes('--parts');
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name}: missing value`);
  return v;
};
const against = flag('--against');
const reps = Number(flag('--reps') ?? 1);
if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps: must be a positive integer');

// mid-sized inputs: long enough to amortise start-up, short enough for a shared 2-core box
const CASES: [string, number][] = [['AXPY', 1 << 20], ['BLUR', 512], ['GEMV', 1024], ['KMEANS', 1 << 16], ['TTRANS', 1024], ['NW', 1024]];
const MODELS = ['mpu', 'v100'] as const;
type Model = (typeof MODELS)[number];

interface Sim {
  label: string;
  runMpu: (inst: unknown, cfg: unknown, opts: object) => Promise<{ warpInstructions: number }>;
  runV100: (inst: unknown, cfg: unknown, opts: object) => Promise<{ warpInstructions: number }>;
  resolveConfig: (input: object) => unknown;
  workloadDef: (name: string) => { build: (size: number, seed: number) => { launches: { gridDim: number; blockDim: number }[] } };
  srcDir: string;
}

async function loadSim(root: string, label: string): Promise<Sim> {
  const srcDir = path.join(root, 'activities/methods/src/mpu');
  const mod = async (f: string) => import(pathToFileURL(path.join(srcDir, f)).href);
  const [models, config, workloads] = await Promise.all([mod('run-models.ts'), mod('sim-config.ts'), mod('workloads.ts')]);
  return { label, runMpu: models.runMpu, runV100: models.runV100, resolveConfig: config.resolveConfig, workloadDef: workloads.workloadDef, srcDir };
}

let peakRss = 0;
const sample = () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); };

async function runCase(sim: Sim, name: string, size: number, model: Model): Promise<{ warpInstructions: number; hostSeconds: number; result: unknown }> {
  const cfg = sim.resolveConfig({});
  const inst = sim.workloadDef(name).build(size, 1);
  const t0 = performance.now();
  const opts = { maxCycles: 1e10, onProgress: sample };
  const r = model === 'mpu' ? await sim.runMpu(inst, cfg, opts) : await sim.runV100(inst, cfg, opts);
  const hostSeconds = (performance.now() - t0) / 1000;
  sample();
  return { warpInstructions: r.warpInstructions, hostSeconds, result: r };
}

interface Row { workload: string; size: number; model: Model; warpInstructions: number; hostSeconds: number; warpInstrPerSec: number; baselineWarpInstrPerSec?: number; identical?: boolean }

const rate = (rows: Row[], m: Model, key: 'hostSeconds' | 'baseline') => {
  const sel = rows.filter((r) => r.model === m);
  const instr = sel.reduce((a, r) => a + r.warpInstructions, 0);
  const secs = sel.reduce((a, r) => a + (key === 'hostSeconds' ? r.hostSeconds : r.warpInstructions / r.baselineWarpInstrPerSec!), 0);
  return instr / secs;
};

async function throughput(): Promise<void> {
  const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const sim = await loadSim(here, 'this checkout');
  const base = against ? await loadSim(path.resolve(against), against) : null;
  const rows: Row[] = [];
  for (const [name, size] of CASES) {
    for (const model of MODELS) {
      let best = Infinity, bestBase = Infinity, instr = 0, identical = true;
      for (let k = 0; k < reps; k++) {
        // alternate which simulator goes first, so neither always runs on a warmer machine
        const order = base && k % 2 === 1 ? [base, sim] : base ? [sim, base] : [sim];
        const out = new Map<Sim, Awaited<ReturnType<typeof runCase>>>();
        for (const s of order) out.set(s, await runCase(s, name, size, model));
        const mine = out.get(sim)!;
        instr = mine.warpInstructions;
        best = Math.min(best, mine.hostSeconds);
        if (base) {
          const theirs = out.get(base)!;
          bestBase = Math.min(bestBase, theirs.hostSeconds);
          if (JSON.stringify(theirs.result) !== JSON.stringify(mine.result)) identical = false;
        }
      }
      const row: Row = { workload: name, size, model, warpInstructions: instr, hostSeconds: best, warpInstrPerSec: instr / best };
      if (base) { row.baselineWarpInstrPerSec = instr / bestBase; row.identical = identical; }
      rows.push(row);
      if (!json) {
        const m = (x: number) => `${(x / 1e6).toFixed(2)} M`;
        process.stderr.write(base
          ? `${name} ${model}: ${m(row.warpInstrPerSec)} vs ${m(row.baselineWarpInstrPerSec!)} warp-instr/s (${(row.warpInstrPerSec / row.baselineWarpInstrPerSec!).toFixed(2)}x)${identical ? '' : '  RESULTS DIFFER'}\n`
          : `${name} ${model}: ${m(row.warpInstrPerSec)} warp-instr/s\n`);
      }
    }
  }
  const doc = {
    cases: rows,
    mpuWarpInstrPerSec: rate(rows, 'mpu', 'hostSeconds'),
    v100WarpInstrPerSec: rate(rows, 'v100', 'hostSeconds'),
    ...(base ? {
      against: base.label,
      baselineMpuWarpInstrPerSec: rate(rows, 'mpu', 'baseline'),
      baselineV100WarpInstrPerSec: rate(rows, 'v100', 'baseline'),
      resultsIdentical: rows.every((r) => r.identical),
    } : {}),
    repetitions: reps,
    goalWarpInstrPerSec: 10e6,
    peakRssBytes: peakRss,
  };
  if (json) { console.log(JSON.stringify(doc, null, 2)); return; }
  const m = (x: number) => `${(x / 1e6).toFixed(2)} M`;
  for (const model of MODELS) {
    const now = model === 'mpu' ? doc.mpuWarpInstrPerSec : doc.v100WarpInstrPerSec;
    const label = model === 'mpu' ? 'MPU ' : 'V100';
    if (base) {
      const was = model === 'mpu' ? doc.baselineMpuWarpInstrPerSec! : doc.baselineV100WarpInstrPerSec!;
      console.log(`${label} model: ${m(now)} simulated warp-instructions / host second; ${base.label}: ${m(was)} (${(now / was).toFixed(2)}x)`);
    } else console.log(`${label} model: ${m(now)} simulated warp-instructions / host second`);
  }
  if (base) console.log(doc.resultsIdentical ? 'results identical to the baseline in every case' : 'RESULTS DIFFER from the baseline (see RESULTS DIFFER above)');
  console.log(`goal: 10 M/s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  if (base && !doc.resultsIdentical) process.exitCode = 1;
}

/** Host ns per warp instruction of each part of a run (see the header). */
async function partsBreakdown(): Promise<void> {
  const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const sim = await loadSim(here, 'this checkout');
  const mod = async (f: string) => import(pathToFileURL(path.join(sim.srcDir, f)).href);
  const [{ BlockCtx }, { WarpTrace }, { MpuMachine }, { policyByName }, { allocate }] = await Promise.all(
    ['kernel-lang.ts', 'trace.ts', 'mpu-machine.ts', 'offload-policy.ts', 'address-map.ts'].map(mod));
  const cfg = sim.resolveConfig({}) as { mpu: unknown; offloadPolicy: string };
  const rows: Record<string, number | string>[] = [];
  for (let rep = 0; rep < 2; rep++) { // the first pass warms the JIT; the second is reported
    for (const [name, size] of CASES) {
      const def = sim.workloadDef(name);
      let t = performance.now();
      def.build(size, 1);
      const build = performance.now() - t;
      let inst = def.build(size, 1) as unknown as { launches: { gridDim: number; blockDim: number }[]; buffers: unknown };
      t = performance.now();
      for (const l of inst.launches) {
        const ctx = new BlockCtx(l);
        for (let b = 0; b < l.gridDim; b++) ctx.runBlock(b, l.gridDim, null, null);
      }
      const execute = performance.now() - t;
      inst = def.build(size, 1) as typeof inst;
      const machine = new MpuMachine(cfg.mpu, policyByName(cfg.offloadPolicy));
      allocate(inst.buffers, machine.map.period);
      const block = { warps: [] as unknown[], numWarps: 0 };
      t = performance.now();
      for (const l of inst.launches) {
        const ctx = new BlockCtx(l);
        const nw = l.blockDim / 32;
        while (block.warps.length < nw) block.warps.push(new WarpTrace(64, 64));
        block.warps.length = nw;
        block.numWarps = nw;
        for (let b = 0; b < l.gridDim; b++) ctx.runBlock(b, l.gridDim, block, machine.placement);
      }
      const trace = performance.now() - t;
      const mpu = await runCase(sim, name, size, 'mpu');
      const v100 = await runCase(sim, name, size, 'v100');
      const per = (ms: number, n: number) => Math.round((ms * 1e6) / n);
      if (rep === 1) {
        rows.push({
          workload: name, size, mpuWarpInstructions: mpu.warpInstructions,
          buildNs: per(build, mpu.warpInstructions), executeNs: per(execute, mpu.warpInstructions), mpuTraceNs: per(trace, mpu.warpInstructions),
          mpuRunNs: per(mpu.hostSeconds * 1e3, mpu.warpInstructions), v100RunNs: per(v100.hostSeconds * 1e3, v100.warpInstructions),
        });
      }
    }
  }
  if (json) { console.log(JSON.stringify({ nsPerWarpInstruction: rows }, null, 2)); return; }
  console.log('host ns per simulated warp instruction (10 M/s = 100 ns); build is outside the timed runs');
  const head = ['workload', 'size', 'warp instr', 'build', 'execute', 'MPU trace', 'MPU run', 'V100 run'];
  const body = rows.map((r) => [r.workload, r.size, r.mpuWarpInstructions, r.buildNs, r.executeNs, r.mpuTraceNs, r.mpuRunNs, r.v100RunNs].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  for (const line of [head, ...body]) console.log(line.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

await (parts ? partsBreakdown() : throughput());

/** `reprolab simulate mpu [...]`: MPU vs V100 simulation, calibration checks and sweeps. */
import { readFile } from 'node:fs/promises';
import {
  PAPER_CLAIMS, SWEEP_KINDS, WORKLOADS, energyRatioBands, parseSimConfig, runSweep, simulateWorkload, validateMicrokernels,
} from '@reprolab/methods/mpu/index';
import { defaultJobs, simulateSuiteParallel } from '@reprolab/methods/mpu/suite-pool';
import { scalingReport } from '@reprolab/methods/mpu/scaling';
import type { SimConfig, SuiteResult, SweepKind, WorkloadResult } from '@reprolab/methods/mpu/index';

const USAGE = `usage: reprolab simulate mpu [--workload NAME] [--size N] [--config FILE] [--json] [--validate] [--sweep rowBuffers|offload|timing] [--scaling] [--jobs N]
  workloads: ${WORKLOADS.map((w) => w.name).join(', ')}
  --scaling: every workload (or --workload) at its default size and at 4x the data; exits 1 unless cycles grow 4x ± 10% on both models
  --jobs N: workloads simulated at once in worker threads (default ${defaultJobs()}, this host's cores); results do not depend on it`;

interface Args { workload?: string; size?: number; config?: string; json: boolean; validate: boolean; scaling: boolean; sweep?: SweepKind; jobs?: number }

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, validate: false, scaling: false };
  const rest = [...argv];
  if (rest[0] === 'mpu') rest.shift();
  else throw new Error(`simulate: expected target "mpu"\n${USAGE}`);
  while (rest.length > 0) {
    const a = rest.shift()!;
    const value = (): string => {
      const v = rest.shift();
      if (v === undefined || v.startsWith('--')) throw new Error(`${a}: missing value\n${USAGE}`);
      return v;
    };
    if (a === '--workload') args.workload = value();
    else if (a === '--size') {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--size: "${raw}" must be a positive integer`);
      args.size = n;
    } else if (a === '--jobs') {
      const raw = value();
      const n = Number(raw);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--jobs: "${raw}" must be a positive integer (worker threads)`);
      args.jobs = n;
    } else if (a === '--config') args.config = value();
    else if (a === '--json') args.json = true;
    else if (a === '--validate') args.validate = true;
    else if (a === '--scaling') args.scaling = true;
    else if (a === '--sweep') {
      const k = value();
      if (!SWEEP_KINDS.includes(k as SweepKind)) throw new Error(`--sweep: "${k}" not allowed; allowed: ${SWEEP_KINDS.join(', ')}`);
      args.sweep = k as SweepKind;
    } else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`simulate: unknown option "${a}"\n${USAGE}`);
  }
  if (args.size !== undefined && !args.workload) throw new Error('--size: needs --workload (sizes differ per workload)');
  if ([args.validate, args.scaling, args.sweep !== undefined].filter(Boolean).length > 1) throw new Error('--validate, --scaling and --sweep: choose one');
  if (args.scaling && args.size !== undefined) throw new Error('--scaling: starts from the default size; --size is not taken');
  if (args.jobs !== undefined && !args.scaling && (args.workload || args.validate || args.sweep)) throw new Error('--jobs: only for the whole suite or --scaling (without --workload, --validate or --sweep)');
  return args;
}

function progress(label: string): (simCycles: number) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (simCycles) => {
    const now = Date.now();
    if (now - last < 500) return;
    last = now;
    const line = `  ${label}: ${Math.round(simCycles).toLocaleString('en-US')} simulated cycles`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

/** One line for the suite's workloads running side by side: how many are done and each running one's simulated cycles. */
function suiteProgress(total: number): (info: { workload: string; index: number; simCycles?: number }, done?: boolean) => void {
  const tty = process.stderr.isTTY;
  const running = new Map<number, { workload: string; simCycles: number }>();
  let finished = 0;
  let last = 0;
  return (info, done = false) => {
    if (done) { running.delete(info.index); finished++; } else running.set(info.index, { workload: info.workload, simCycles: info.simCycles ?? 0 });
    const now = Date.now();
    if (!done && now - last < 500) return;
    last = now;
    const parts = [...running.values()].map((r) => `${r.workload} ${Math.round(r.simCycles).toLocaleString('en-US')}`);
    const line = `  [${finished}/${total} done] simulated cycles: ${parts.join(', ')}`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

function suiteJson(s: SuiteResult): unknown {
  return {
    workloads: s.workloads.map((w) => ({ name: w.workload, size: w.size, mpuCycles: w.mpu.cycles, gpuCycles: w.v100.cycles, speedup: w.speedup, energyRatio: w.energyRatio, hostSeconds: w.hostSeconds })),
    geomeanSpeedup: s.geomeanSpeedup,
    geomeanEnergyRatio: s.geomeanEnergyRatio,
    energyRatioBands: s.energyRatioBands,
  };
}

function printSuite(s: SuiteResult, wallSeconds?: number, jobs?: number): void {
  const rows = [['workload', 'size', 'MPU cycles', 'V100 cycles', 'MPU us', 'V100 us', 'speedup', 'energy ratio', 'host s', 'check']];
  const fmt = (x: number) => x.toFixed(2);
  for (const w of s.workloads) {
    rows.push([w.workload, String(w.size), w.mpu.cycles.toLocaleString('en-US'), w.v100.cycles.toLocaleString('en-US'),
      fmt(w.mpu.timeS * 1e6), fmt(w.v100.timeS * 1e6), `${fmt(w.speedup)}x`, `${fmt(w.energyRatio)}x`, w.hostSeconds.toFixed(1), w.functional.ok ? 'ok' : 'MISMATCH']);
  }
  console.log(table(rows));
  const host = `host time ${s.workloads.reduce((a, w) => a + w.hostSeconds, 0).toFixed(1)} s summed over the workloads (both models)`;
  console.log(`\n${host}${wallSeconds !== undefined ? `, ${wallSeconds.toFixed(1)} s wall with ${jobs} worker thread${jobs === 1 ? '' : 's'}` : ''}`);
  console.log(`\ngeomean speedup ${fmt(s.geomeanSpeedup)}x (paper: ${s.paperClaims.speedup}x), geomean energy ratio ${fmt(s.geomeanEnergyRatio)}x (paper: ${s.paperClaims.energyReduction}x)`);
  const b = s.energyRatioBands;
  console.log(`energy ratio as the paper measured it (V100 time x board power, ${b.boardPower.powerW.lower}–${b.boardPower.powerW.upper} W: idle to TDP): ${fmt(b.boardPower.lower)}–${fmt(b.boardPower.upper)}x`);
  console.log(`energy ratio, bottom-up V100 with static power ${b.bottomUpStaticPower.powerW.lower}–${b.bottomUpStaticPower.powerW.upper} W: ${fmt(b.bottomUpStaticPower.lower)}–${fmt(b.bottomUpStaticPower.upper)}x`);
  console.log(`paper figures: ${s.paperClaims.source}`);
}

async function loadConfig(path: string | undefined): Promise<SimConfig | undefined> {
  if (!path) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`--config: cannot read JSON from ${path}: ${(e as Error).message}`);
  }
  return parseSimConfig(json);
}

export async function simulateCommand(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    const config = await loadConfig(args.config);
    if (args.validate) {
      // linear scaling from the default size up: 4x the data must take 4x the cycles within 10%
      // (the other workloads are not all linear: HIST has a fixed-cost reduction kernel, KNN thrashes its row buffers; see the MPU README)
      const r = await validateMicrokernels({ config, scaling: { workloads: [{ name: 'AXPY' }], factor: 4, tolerance: 0.1 } });
      if (args.json) console.log(JSON.stringify(r, null, 2));
      else {
        const rows = [['model', 'kernel', 'simulated', 'bound', 'error', 'tolerance', 'achieved', 'peak', 'status']];
        for (const c of r.checks) {
          const digits = c.kernel === 'scaling' ? 3 : 0;
          rows.push([c.model, c.kernel, String(c.simulatedCycles), c.boundCycles.toFixed(0), `${(c.relError * 100).toFixed(2)}%`, `${(c.tolerance * 100).toFixed(0)}%`,
            `${c.achieved.toFixed(digits)} ${c.unit}`, `${c.peak.toFixed(digits)} ${c.unit}`, c.withinTolerance ? 'ok' : 'MISS']);
        }
        console.log(table(rows));
        for (const c of r.checks.filter((x) => x.kernel === 'scaling')) console.log(`${c.model} scaling: ${c.note}`);
      }
      return r.allPassed ? 0 : 1;
    }
    if (args.scaling) {
      const show = suiteProgress(2 * (args.workload ? 1 : WORKLOADS.length));
      const r = await scalingReport({
        workloads: args.workload ? [args.workload] : undefined, config, jobs: args.jobs,
        onProgress: (i) => show({ workload: `${i.workload}${i.phase === 'scaled' ? ' (4x)' : ''}`, index: i.phase === 'scaled' ? 100 + i.index : i.index, simCycles: i.simCycles }),
        onWorkloadDone: (i) => show({ workload: i.workload, index: i.phase === 'scaled' ? 100 + i.index : i.index }, true),
      });
      clearProgress();
      if (args.json) console.log(JSON.stringify(r, null, 2));
      else {
        const rows = [['workload', 'size', 'MPU cycles', 'V100 cycles', 'MPU', 'V100', `within ${r.factor}x ± ${r.tolerance * 100}%`]];
        for (const x of r.rows) {
          rows.push([x.workload, `${x.from} -> ${x.to}`, `${x.mpuCycles[0]} -> ${x.mpuCycles[1]}`, `${x.v100Cycles[0]} -> ${x.v100Cycles[1]}`,
            `${x.mpuRatio.toFixed(2)}x`, `${x.v100Ratio.toFixed(2)}x`, x.mpuWithin && x.v100Within ? 'yes' : [!x.mpuWithin && 'MPU', !x.v100Within && 'V100'].filter(Boolean).join(', ') + ' no']);
        }
        console.log(table(rows));
        console.log(`\n${r.rows.filter((x) => x.mpuWithin && x.v100Within).length} of ${r.rows.length} workloads scale within ${r.factor}x ± ${r.tolerance * 100}% on both models; what is known of the others: activities/methods/src/mpu/README.md`);
      }
      return r.allWithin ? 0 : 1;
    }
    if (args.sweep) {
      const r = await runSweep({
        kind: args.sweep, config, workloads: args.workload ? [args.workload] : undefined,
        sizes: args.workload && args.size ? { [args.workload.toUpperCase()]: args.size } : undefined, onProgress: progress('sweep'),
      });
      clearProgress();
      if (args.json) console.log(JSON.stringify(r, null, 2));
      else {
        console.log(r.description);
        const rows = [['workload', 'value', 'MPU cycles', 'row hits', 'speedup', 'energy ratio']];
        for (const p of r.points) rows.push([p.workload, String(p.value), String(p.mpuCycles), p.rowHitRate.toFixed(3), `${p.speedup.toFixed(2)}x`, `${p.energyRatio.toFixed(2)}x`]);
        console.log(table(rows));
      }
      return 0;
    }
    let suite: SuiteResult;
    let wallSeconds: number | undefined;
    let jobs: number | undefined;
    if (args.workload) {
      const w: WorkloadResult = await simulateWorkload({ workload: args.workload, size: args.size, config, onProgress: progress(args.workload) });
      suite = { workloads: [w], geomeanSpeedup: w.speedup, geomeanEnergyRatio: w.energyRatio, energyRatioBands: energyRatioBands([w]), paperClaims: { ...PAPER_CLAIMS } };
    } else {
      const show = suiteProgress(WORKLOADS.length);
      jobs = Math.min(args.jobs ?? defaultJobs(), WORKLOADS.length);
      const started = performance.now();
      suite = await simulateSuiteParallel({ config, jobs, onProgress: (info) => show(info), onWorkloadDone: (info) => show(info, true) });
      wallSeconds = (performance.now() - started) / 1000;
    }
    clearProgress();
    if (args.json) console.log(JSON.stringify(suiteJson(suite), null, 2));
    else printSuite(suite, wallSeconds, jobs);
    return suite.workloads.every((w) => w.functional.ok) ? 0 : 1;
  } catch (e) {
    clearProgress();
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
}

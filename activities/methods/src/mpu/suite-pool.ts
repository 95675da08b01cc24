/**
 * The suite over worker threads. Workloads are independent and each simulation is deterministic, so
 * running each workload whole in a worker gives exactly simulateSuite's results (tested) in
 * about 1/jobs of the wall time, up to the longest workload. One simulation is single-threaded.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { simulateWorkload, suiteJobs, suiteResult } from './simulate';
import type { SuiteOptions, SuiteResult, WorkloadResult } from './simulate';
import { workloadDef } from './workloads';
import type { SuiteJob, SuiteWorkerMessage } from './suite-worker';

/**
 * The worker's entry. When it is TypeScript (this package runs from source under tsx), the worker
 * first registers tsx's loader: Node does not pass `--import tsx` on to worker threads.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './suite-worker.ts' : './suite-worker.js', import.meta.url);
// resolved here, not in the worker, whose bare imports would resolve from the working directory
const TSX_API = WORKER_ENTRY.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null;
const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface ParallelSuiteOptions extends SuiteOptions {
  /** Worker threads (default: the host's available parallelism, at most one per workload); 1 runs in this thread. */
  jobs?: number;
  /** Called as each workload finishes (in completion order). */
  onWorkloadDone?: (info: { workload: string; index: number; total: number }) => void;
}

export function defaultJobs(): number {
  return Math.max(1, os.availableParallelism());
}

export async function simulateSuiteParallel(opts: ParallelSuiteOptions = {}): Promise<SuiteResult> {
  const jobs = suiteJobs(opts);
  const requested = opts.jobs ?? defaultJobs();
  if (!Number.isInteger(requested) || requested < 1) throw new Error(`jobs: ${requested} must be a positive integer`);
  const threads = Math.min(requested, jobs.length);
  if (threads <= 1) {
    const results: WorkloadResult[] = [];
    for (const [index, { workload, size }] of jobs.entries()) {
      results.push(await simulateWorkload({
        workload, size, config: opts.config, budget: opts.budget,
        onProgress: (simCycles) => opts.onProgress?.({ workload, index, total: jobs.length, simCycles }),
      }));
      opts.onWorkloadDone?.({ workload, index, total: jobs.length });
    }
    return suiteResult(results);
  }
  // the largest workloads first, so that none is left to run alone at the end
  const order = jobs.map((j, index) => ({ ...j, index, cost: workloadDef(j.workload).estimateWarpInstructions(j.size) }))
    .sort((a, b) => b.cost - a.cost || a.index - b.index);
  const results: (WorkloadResult | undefined)[] = new Array(jobs.length);
  const workers: Worker[] = [];
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const fail = (e: Error) => { if (!failed) { failed = true; reject(e); } };
      const start = (w: Worker) => {
        if (failed) return;
        const job = order[next++];
        if (!job) { if (running === 0) resolve(); return; }
        running++;
        const msg: SuiteJob = { index: job.index, workload: job.workload, size: job.size, config: opts.config, budget: opts.budget };
        w.postMessage(msg);
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(WORKER_BOOT, { eval: true, workerData: { entry: WORKER_ENTRY.href, tsx: TSX_API } });
        workers.push(w);
        w.on('message', (m: SuiteWorkerMessage) => {
          if (m.type === 'progress') {
            opts.onProgress?.({ workload: jobs[m.index]!.workload, index: m.index, total: jobs.length, simCycles: m.simCycles });
          } else if (m.type === 'done') {
            results[m.index] = m.result;
            opts.onWorkloadDone?.({ workload: jobs[m.index]!.workload, index: m.index, total: jobs.length });
            running--;
            start(w);
            if (running === 0 && next >= order.length) resolve();
          } else fail(new Error(m.message));
        });
        w.on('error', (e) => fail(e));
        w.on('exit', (code) => { if (code !== 0) fail(new Error(`simulation worker exited with code ${code}`)); });
      }
      for (const w of workers) start(w);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return suiteResult(results.map((r) => r!));
}

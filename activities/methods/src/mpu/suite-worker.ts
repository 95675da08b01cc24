/** Worker thread of simulateSuiteParallel: simulates one workload per message. */
import { parentPort } from 'node:worker_threads';
import { simulateWorkload } from './simulate';
import type { SimBudget, WorkloadResult } from './simulate';
import type { SimConfig, SimConfigInput } from './sim-config';

export interface SuiteJob { index: number; workload: string; size: number; config?: SimConfigInput | SimConfig; budget?: SimBudget }

export type SuiteWorkerMessage =
  | { type: 'progress'; index: number; simCycles: number }
  | { type: 'done'; index: number; result: WorkloadResult }
  | { type: 'error'; index: number; message: string };

const port = parentPort;
if (port) {
  port.on('message', (job: SuiteJob) => {
    const post = (m: SuiteWorkerMessage) => port.postMessage(m);
    simulateWorkload({ workload: job.workload, size: job.size, config: job.config, budget: job.budget, onProgress: (simCycles) => post({ type: 'progress', index: job.index, simCycles }) })
      .then((result) => post({ type: 'done', index: job.index, result }))
      .catch((e: unknown) => post({ type: 'error', index: job.index, message: `${job.workload}: ${(e as Error).message}` }));
  });
}

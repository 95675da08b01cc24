/**
 * The worker keeps its own input checks (defence in depth: a recipe stored before launch-time
 * checks existed, or a schedule's stored version, reaches the worker without the API's checks).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidJobInput, JOBS, type JobContext } from './jobs';

const ctx: JobContext = { files: {}, scratchDir: '/nonexistent', progress: () => {}, checkpoint: async () => {} };
const simulate = JOBS['simulate-mpu'] as (args: unknown, ctx: JobContext) => Promise<unknown>;

test('[SIM] the simulate-mpu job refuses a bad config as invalid input (not retried), naming the field', async () => {
  await assert.rejects(
    simulate({ params: { workload: 'AXPY', sizeScale: 1 / 64, config: { mpu: { rowBuffers: 0 } } } }, ctx),
    (e: unknown) => e instanceof InvalidJobInput && /simulateMpu config: mpu\.rowBuffers: 0 out of range; allowed range \[1, 16\]/.test((e as Error).message),
  );
  await assert.rejects(
    simulate({ params: { workload: 'AXPY', sizeScale: 1 / 64, sweep: { parameter: 'mpu.rowBuffers', values: [1, 0] } } }, ctx),
    (e: unknown) => e instanceof InvalidJobInput && /sweep\.values\[1\] \(mpu\.rowBuffers = 0\)/.test((e as Error).message),
  );
});

test('[SIM] the simulate job re-checks model parameters against the model\'s own table, naming the field', async () => {
  const job = JOBS.simulate as unknown as (args: unknown, ctx: JobContext) => Promise<{ result: { metrics: Record<string, number> } }>;
  await assert.rejects(
    job({ params: { model: 'integration3d', params: { rentExponent: 0.95 } } }, ctx),
    (e: unknown) => e instanceof InvalidJobInput && /simulate integration3d params: rentExponent: 0\.95 is outside \[0\.5, 0\.9\]/.test((e as Error).message),
  );
  await assert.rejects(
    job({ params: { model: 'tight-binding', params: { kMesh: 0 }, stackings: ['AA'] } }, ctx),
    (e: unknown) => e instanceof InvalidJobInput && /simulate tight-binding params: kMesh: 0 is outside/.test((e as Error).message),
  );
  const ok = await job({ params: { model: 'integration3d', params: { tiers: 9 }, wireModel: 'footprint' } }, ctx);
  assert.ok(Math.abs(ok.result.metrics.wire_length_ratio_3d_2d! - 1 / 3) < 1e-12);
});

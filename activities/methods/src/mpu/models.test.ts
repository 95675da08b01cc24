import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMicrokernels } from './microkernels';
import { energyRatioBands, simulateWorkload } from './simulate';
import { SMALL_MACHINE } from './test-configs';
import { defaultSimConfig, parseSimConfig } from './sim-config';
import type { SimConfig } from './sim-config';
import { boardPowerEnergyBand, boardPowerEnergyRatio, energyRatioBand } from './energy';
import { V100_BOARD_POWER_W, V100_STATIC_POWER_RANGE_W } from './v100-params';

function small(patch: (c: SimConfig) => void): SimConfig {
  const c = parseSimConfig(SMALL_MACHINE);
  patch(c);
  return c;
}

test('streaming, copy and compute microkernels meet their analytical bounds on both models', async () => {
  const r = await validateMicrokernels({ config: SMALL_MACHINE, waves: 4 });
  assert.equal(r.checks.length, 5);
  for (const c of r.checks) assert.ok(c.withinTolerance, `${c.model} ${c.kernel}: ${(c.relError * 100).toFixed(2)}% off its bound`);
  assert.equal(r.allPassed, true);
  // the MPU stream runs past several refresh windows, as real runs do
  const mpuStream = r.checks.find((c) => c.model === 'mpu' && c.kernel === 'stream')!;
  assert.ok(mpuStream.simulatedCycles > 2 * parseSimConfig(SMALL_MACHINE).mpu.tREFI, `${mpuStream.simulatedCycles} cycles`);
});

test('4x the data takes 4x the cycles (within 10%) on both models once refresh is met', async () => {
  const r = await validateMicrokernels({ config: SMALL_MACHINE, waves: 1, scaling: { workloads: [{ name: 'AXPY', from: 1 << 18 }], factor: 4, tolerance: 0.1 } });
  const scaling = r.checks.filter((c) => c.kernel === 'scaling');
  assert.equal(scaling.length, 2);
  for (const c of scaling) assert.ok(c.withinTolerance, `${c.model} ${c.note}: ${c.achieved.toFixed(3)}x`);
});

test('V100 traffic counts the L2 write-backs still due, and the run waits for them (l2WritebackAtEnd)', async () => {
  const on = await simulateWorkload({ workload: 'AXPY', size: 1 << 16, config: SMALL_MACHINE });
  const off = await simulateWorkload({ workload: 'AXPY', size: 1 << 16, config: small((c) => { c.v100.l2WritebackAtEnd = 0; }) });
  // AXPY writes y (4 B per element): every byte of it reaches DRAM either way, but only policy 1 spends the time
  assert.ok(on.v100.stats.dramWriteBytes! >= 4 * (1 << 16));
  assert.equal(on.v100.stats.dramWriteBytes, off.v100.stats.dramWriteBytes);
  assert.ok(on.v100.cycles > off.v100.cycles);
  assert.ok(on.v100.stats.achievedDramGBs! <= 900, `${on.v100.stats.achievedDramGBs} GB/s`);
});

test('same input gives the same cycle counts twice', async () => {
  const a = await simulateWorkload({ workload: 'HIST', size: 20000, config: SMALL_MACHINE });
  const b = await simulateWorkload({ workload: 'HIST', size: 20000, config: SMALL_MACHINE });
  assert.equal(a.mpu.cycles, b.mpu.cycles);
  assert.equal(a.v100.cycles, b.v100.cycles);
  assert.equal(a.mpu.totalEnergyNJ, b.mpu.totalEnergyNJ);
  assert.ok(a.functional.ok);
});

test('fewer row buffers never speed up a row-conflicting kernel (BLUR streams an input and an output array)', async () => {
  const cycles: number[] = [];
  const hits: number[] = [];
  for (const rb of [1, 2, 4, 8]) {
    const r = await simulateWorkload({ workload: 'BLUR', size: 256, config: small((c) => { c.mpu.rowBuffers = rb; }) });
    cycles.push(r.mpu.cycles);
    hits.push(r.mpu.stats.rowHitRate!);
  }
  for (let i = 1; i < cycles.length; i++) {
    assert.ok(cycles[i]! <= cycles[i - 1]!, `rowBuffers cycles not monotone: ${cycles.join(', ')}`);
    assert.ok(hits[i]! >= hits[i - 1]!, `row hit rate not monotone: ${hits.join(', ')}`);
  }
  assert.ok(cycles[0]! > cycles[3]!, `1 row buffer should be slower than 8: ${cycles.join(', ')}`);
});

test('slower bank timings and slower HBM never make the models faster', async () => {
  const base = await simulateWorkload({ workload: 'AXPY', size: 1 << 16, config: SMALL_MACHINE });
  const slow = await simulateWorkload({
    workload: 'AXPY', size: 1 << 16,
    config: small((c) => { c.mpu.tCCDS *= 2; c.mpu.tCCDL *= 2; c.mpu.tRCDR *= 2; c.v100.hbmDataRateMTs /= 2; }),
  });
  assert.ok(slow.mpu.cycles > base.mpu.cycles);
  assert.ok(slow.v100.cycles > base.v100.cycles);
});

test('far-only offload moves more bytes over the subcore-PG bus than the compiler policy', async () => {
  const far = await simulateWorkload({ workload: 'KNN', size: 1 << 14, config: small((c) => { c.offloadPolicy = 'far-only'; }) });
  const comp = await simulateWorkload({ workload: 'KNN', size: 1 << 14, config: small((c) => { c.offloadPolicy = 'compiler'; }) });
  assert.ok(far.mpu.stats.busBytes! > comp.mpu.stats.busBytes!);
  assert.ok(far.mpu.energyNJ.bus > comp.mpu.energyNJ.bus);
  assert.ok(comp.mpu.stats.nearAluInstructions! > 0);
  assert.equal(far.mpu.stats.nearAluInstructions, 0);
});

test('results are JSON-serialisable and energy components add up', async () => {
  const r = await simulateWorkload({ workload: 'GEMV', size: 128, config: SMALL_MACHINE });
  const back = JSON.parse(JSON.stringify(r));
  assert.equal(back.mpu.cycles, r.mpu.cycles);
  const sum = Object.values(r.mpu.energyNJ).reduce((s, x) => s + x, 0);
  assert.ok(Math.abs(sum - r.mpu.totalEnergyNJ) < 1e-6 * sum);
  assert.ok(r.speedup > 0 && r.energyRatio > 0);
  assert.equal(r.speedup, r.v100.timeS / r.mpu.timeS);
});

test('parseSimConfig names the field and its allowed range', () => {
  assert.throws(() => parseSimConfig({ mpu: { rowBuffers: 0 } }), /mpu\.rowBuffers: 0 out of range; allowed range \[1, 16\]/);
  assert.throws(() => parseSimConfig({ v100: { sms: 'many' } }), /v100\.sms: "many" out of range; allowed range \[1, 256\]/);
  assert.throws(() => parseSimConfig({ mpu: { tRP: null } }), /mpu\.tRP: missing; allowed range/);
  assert.throws(() => parseSimConfig({ mpu: { rowBufers: 2 } }), /mpu\.rowBufers: unknown parameter/);
  assert.throws(() => parseSimConfig({ offloadPolicy: 'magic' }), /offloadPolicy: "magic" not allowed; allowed: compiler, far-only, near-all/);
  assert.throws(() => parseSimConfig({ mpu: {} }, { requireAll: true }), /mpu\.processorsX: missing/);
  assert.deepEqual(parseSimConfig({}), defaultSimConfig());
});

test('bad sizes and over-budget runs fail before simulating, suggesting a smaller size', async () => {
  await assert.rejects(simulateWorkload({ workload: 'AXPY', size: 0 }), /size: AXPY size must be an integer in \[1, /);
  await assert.rejects(simulateWorkload({ workload: 'AXPY', size: -5 }), /size:/);
  await assert.rejects(simulateWorkload({ workload: 'nope' }), /unknown workload "nope"/);
  await assert.rejects(
    simulateWorkload({ workload: 'AXPY', size: 1 << 24, budget: { maxMemoryBytes: 2 ** 20 } }),
    /budget: AXPY at size 16777216 needs ~192 MiB .* try --size 65536/,
  );
  await assert.rejects(
    simulateWorkload({ workload: 'BLUR', size: 4096, budget: { maxWarpInstructions: 1e5 } }),
    /budget: .* warp instructions .* try --size \d+/,
  );
});

test('the energy-ratio band re-prices V100 static power: it brackets the run at its own static power and rejects a bad range', async () => {
  const results = await Promise.all(['AXPY', 'HIST'].map((w) => simulateWorkload({ workload: w as 'AXPY', size: 20000, config: SMALL_MACHINE })));
  const splits = results.map((r) => ({ mpuEnergyNJ: r.mpu.totalEnergyNJ, gpuEnergyNJ: r.v100.totalEnergyNJ, gpuStaticNJ: r.v100.energyNJ.static, gpuSeconds: r.v100.timeS }));
  const geo = Math.exp(results.reduce((s, r) => s + Math.log(r.energyRatio), 0) / results.length);
  const own = defaultSimConfig().v100.staticPowerW;
  const band = energyRatioBand(splits, V100_STATIC_POWER_RANGE_W);
  assert.ok(band.lower < geo && geo < band.upper, `${band.lower} < ${geo} < ${band.upper}`);
  const same = energyRatioBand(splits, { lower: own, upper: own });
  assert.ok(Math.abs(same.lower - geo) < 1e-9 * geo, 'at the configured static power the band collapses onto the simulated ratio');
  assert.throws(() => energyRatioBand(splits, { lower: 50, upper: 10 }), /lower ≤ upper/);
  assert.throws(() => energyRatioBand([], { lower: 0, upper: 1 }), /at least one/);
});

test("the paper's energy method (V100 time x board power) gives a band from idle to TDP power", async () => {
  const results = await Promise.all(['AXPY', 'HIST'].map((w) => simulateWorkload({ workload: w as 'AXPY', size: 20000, config: SMALL_MACHINE })));
  const bands = energyRatioBands(results);
  const { idle, tdp } = V100_BOARD_POWER_W;
  assert.deepEqual(bands.boardPower.powerW, { lower: idle, upper: tdp });
  assert.ok(bands.boardPower.lower < bands.boardPower.upper);
  assert.ok(Math.abs(bands.boardPower.upper / bands.boardPower.lower - tdp / idle) < 1e-9, 'the ratio is linear in the board power');
  // time x power, exactly: one workload at 300 W
  const one = results[0]!;
  assert.ok(Math.abs(boardPowerEnergyRatio([{ mpuEnergyNJ: one.mpu.totalEnergyNJ, gpuSeconds: one.v100.timeS }], 300) - (300 * one.v100.timeS * 1e9) / one.mpu.totalEnergyNJ) < 1e-9);
  assert.throws(() => boardPowerEnergyBand([{ mpuEnergyNJ: 1, gpuSeconds: 1 }], { lower: 0, upper: 10 }), /0 < lower/);
});

/**
 * Each MPU-Sim rule adopted for issue 10 against the rule it replaced (policy 0): a test that fails
 * when the rule is switched off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateWorkload } from './simulate';
import { SMALL_MACHINE } from './test-configs';
import { parseSimConfig } from './sim-config';
import type { SimConfig } from './sim-config';
import type { MpuConfig } from './mpu-params';

function cfg(mpu: Partial<MpuConfig>): SimConfig {
  const c = parseSimConfig(SMALL_MACHINE);
  Object.assign(c.mpu, mpu);
  return c;
}

const run = (workload: 'AXPY' | 'KNN' | 'GEMV' | 'HIST', size: number, mpu: Partial<MpuConfig>) => simulateWorkload({ workload, size, config: cfg(mpu) });

test('bus energy: MPU-Sim charges whole bus cycles at the full width (a partly filled packet costs a whole cycle)', async () => {
  const cycles = await run('KNN', 1 << 14, { busEnergyPolicy: 1 });
  const bytes = await run('KNN', 1 << 14, { busEnergyPolicy: 0 });
  assert.equal(cycles.mpu.cycles, bytes.mpu.cycles, 'an energy rule does not change timing');
  // on MPU-Sim's 8 B per-core bus every packet here (8 B entries, 16 B transactions, 128 B registers) fills whole cycles
  assert.ok(Math.abs(cycles.mpu.energyNJ.bus - bytes.mpu.energyNJ.bus) < 1e-6 * bytes.mpu.energyNJ.bus);
  // on the processor-wide 128 B width (the model's earlier reading) whole cycles cost far more than payload
  const wide = await run('KNN', 1 << 14, { busEnergyPolicy: 1, busWidthBytes: 128 });
  const wideBytes = await run('KNN', 1 << 14, { busEnergyPolicy: 0, busWidthBytes: 128 });
  assert.ok(wide.mpu.energyNJ.bus > 4 * wideBytes.mpu.energyNJ.bus);
});

test("bus width: MPU-Sim divides the processor's 128 B bus among its 16 cores (8 B per core)", () => {
  const c = cfg({}).mpu;
  assert.equal(c.busWidthBytes, 8);
});

test('commit packets: near-bank instructions send their entry back, adding bus traffic and energy', async () => {
  const on = await run('KNN', 1 << 14, { commitPackets: 1 });
  const off = await run('KNN', 1 << 14, { commitPackets: 0 });
  assert.ok(on.mpu.stats.nearAluInstructions! > 0);
  assert.ok(on.mpu.energyNJ.bus > off.mpu.energyNJ.bus);
  assert.ok(on.mpu.stats.busBytes! >= off.mpu.stats.busBytes! + 8 * on.mpu.stats.nearAluInstructions!);
});

test('ALU energy: per warp instruction (MPU-Sim config JSON) is not per active lane', async () => {
  const warp = await run('KNN', 1 << 14, { aluEnergyPolicy: 1 });
  const lane = await run('KNN', 1 << 14, { aluEnergyPolicy: 0 });
  assert.equal(warp.mpu.cycles, lane.mpu.cycles);
  // an FP32 add: 1.15468 nJ per warp instruction against 32 x 0.0064 nJ = 0.2048 nJ per full warp
  assert.ok(warp.mpu.energyNJ.alu > 3 * lane.mpu.energyNJ.alu, `${warp.mpu.energyNJ.alu} vs ${lane.mpu.energyNJ.alu}`);
});

test('pipeline energy: operand-collector read+write per operand, PRT per memory instruction, writeback per instruction', async () => {
  const on = await run('GEMV', 128, { pipelineEnergyPolicy: 1 });
  const off = await run('GEMV', 128, { pipelineEnergyPolicy: 0 });
  assert.equal(on.mpu.cycles, off.mpu.cycles);
  assert.ok(on.mpu.energyNJ.sram > off.mpu.energyNJ.sram);
});

test('read-modify-write stores: every stored 16 B is read first (one read per write) and takes longer', async () => {
  const rmw = await run('AXPY', 1 << 16, { storeReadModifyWrite: 1 });
  const plain = await run('AXPY', 1 << 16, { storeReadModifyWrite: 0 });
  // AXPY reads x and y and writes y: plain has 2 reads per write, RMW 3
  const r = rmw.mpu.stats.dramColumnReads! / rmw.mpu.stats.dramColumnWrites!;
  const p = plain.mpu.stats.dramColumnReads! / plain.mpu.stats.dramColumnWrites!;
  assert.ok(Math.abs(p - 2) < 0.01, `plain reads/write ${p}`);
  assert.ok(Math.abs(r - 3) < 0.01, `RMW reads/write ${r}`);
  assert.ok(rmw.mpu.cycles > plain.mpu.cycles);
});

test('DRAM timing: without per-core tCCDS/tRRD/tFAW (MPU-Sim applies none) a stream is faster', async () => {
  const base = { storeReadModifyWrite: 0, refreshEnabled: 0 };
  const mpuSim = await run('AXPY', 1 << 18, { ...base, dramTimingPolicy: 1 });
  const extra = await run('AXPY', 1 << 18, { ...base, dramTimingPolicy: 0 });
  assert.ok(mpuSim.mpu.cycles < extra.mpu.cycles, `${mpuSim.mpu.cycles} vs ${extra.mpu.cycles}`);
  // and tCCDS then no longer matters at all
  const slowS = await run('AXPY', 1 << 18, { ...base, dramTimingPolicy: 1, tCCDS: 8, tRRDS: 20, tFAW: 200 });
  assert.equal(slowS.mpu.cycles, mpuSim.mpu.cycles);
});

test('refresh: MPU-Sim refreshes tREFI after the previous refresh ended (period tREFI + tRFC), every bank in step', async () => {
  const size = 1 << 20; // long enough to meet several refreshes on the small machine
  const perBank = await run('AXPY', size, { refreshPolicy: 1 });
  const staggered = await run('AXPY', size, { refreshPolicy: 0 });
  const none = await run('AXPY', size, { refreshEnabled: 0 });
  assert.notEqual(perBank.mpu.cycles, staggered.mpu.cycles);
  assert.ok(perBank.mpu.cycles > none.mpu.cycles);
  // refresh energy counts windows: at most one per (tREFI + tRFC) per bank under the MPU-Sim rule
  const c = cfg({}).mpu;
  const banks = c.processorsX * c.processorsY * c.coresX * c.coresY * c.pgsPerCore * c.pesPerPg;
  const dram = perBank.mpu.cycles * (c.dramClockMHz / c.coreClockMHz);
  const windows = Math.floor((dram + c.tRFC) / (c.tREFI + c.tRFC));
  assert.ok(Math.abs(perBank.mpu.energyNJ.dramRefresh - windows * banks * c.eBankRefresh) < 1e-6);
});

test('whole-cycle bus packets: one 8 B packet occupies a whole bus cycle, so packet-heavy kernels take longer than a byte stream', async () => {
  // on a 128 B bus an 8 B packet leaves most of its cycle empty (on MPU-Sim's 8 B bus packets fill their cycles)
  const packets = await run('KNN', 1 << 14, { busPacketPolicy: 1, commitPackets: 0, busWidthBytes: 128 });
  const stream = await run('KNN', 1 << 14, { busPacketPolicy: 0, commitPackets: 0, busWidthBytes: 128 });
  assert.notEqual(packets.mpu.cycles, stream.mpu.cycles);
  assert.equal(packets.mpu.stats.busBytes, stream.mpu.stats.busBytes);
});

test('policy 0 everywhere reproduces the earlier model', async () => {
  const old = { busPacketPolicy: 0, commitPackets: 0, busEnergyPolicy: 0, aluEnergyPolicy: 0, pipelineEnergyPolicy: 0, storeReadModifyWrite: 0, dramTimingPolicy: 0, refreshPolicy: 0, networkMessagePolicy: 0, networkEnergyPolicy: 0 };
  const r = await run('HIST', 20000, old);
  assert.ok(r.functional.ok);
  assert.ok(r.mpu.cycles > 0);
});

test("network messages: MPU-Sim's remote load carries every lane's address out and a 12 B header back, a store gets an acknowledgement", async () => {
  // HIST's atomics land on other cores' banks: remote traffic both ways
  const msgs = await run('HIST', 20000, { networkMessagePolicy: 1 });
  const old = await run('HIST', 20000, { networkMessagePolicy: 0 });
  assert.ok(msgs.functional.ok && old.functional.ok);
  assert.ok((old.mpu.stats.remoteLaneAccesses ?? 0) > 0, 'the case has remote accesses');
  assert.equal(msgs.mpu.stats.remoteLaneAccesses, old.mpu.stats.remoteLaneAccesses, 'the same accesses, larger messages');
  assert.ok(msgs.mpu.energyNJ.network > old.mpu.energyNJ.network);
  // AXPY stays on its own cores: nothing crosses the mesh under either rule
  const local = await run('AXPY', 1 << 14, { networkMessagePolicy: 1 });
  assert.equal(local.mpu.energyNJ.network, 0);
});

test("network energy: MPU-Sim charges each router a packet crosses (crossbar and output port per busy cycle), an energy-only rule", async () => {
  const routers = await run('HIST', 20000, { networkEnergyPolicy: 1 });
  const links = await run('HIST', 20000, { networkEnergyPolicy: 0 });
  assert.equal(routers.mpu.cycles, links.mpu.cycles, 'an energy rule does not change timing');
  // per 64 B packet and router: 4 cycles x 1.33 nJ, against 0.37-2.3 nJ for the link itself
  assert.ok(routers.mpu.energyNJ.network > 3 * links.mpu.energyNJ.network, `${routers.mpu.energyNJ.network} vs ${links.mpu.energyNJ.network}`);
});

/**
 * npm run bench:distill [-- --json] [--steps N] [--warmup N] [--repeats N] [--batch N] [--patch N]
 *                       [--threads N] [--no-student] [--profile] [--python-eager]
 *
 * CSD training throughput (issue 8): HR patches per second of one training step of
 * contrastive self-distillation, EDSR-baseline teacher (16 blocks × 64 feats, res scale 1, ×4)
 * with its channel-split student at width 0.25 on the shared weights, 48×48 LR patches
 * (192×192 HR), batch 16, K = 10 bicubic negatives, `random-conv-features` extractor,
 * L1(S) + 200·CL + 1·L1(T), Adam:
 *   - tfjs on the default backend (selectBackend, REPROLAB_TF_BACKEND respected), in a child
 *     process running the project's own `trainSr` (method code of src/sr), which also builds
 *     each step's batch in JS with `srBatch`;
 *   - the Python TensorFlow reference (reference_distill_tf.py, a tf.function step of the same
 *     computation, in the venv that infra/tensor/install.sh created: the same TF 2.20 wheel).
 * A second row times the student-alone step (the paper's Baseline: a width-0.25 EDSR, L1 only).
 *
 * Both sides are started together (one process each, kept warm), run `--warmup` untimed steps,
 * then `--steps` timed steps that alternate one by one (py, js, js, py, …), each synchronised by
 * reading its loss, so a burst of foreign load lands on both alike; `--repeats` rounds with fresh
 * processes. The figure is the median over all timed steps of all rounds (the best step is shown
 * beside it). Intra-op and inter-op thread counts are set equal on both sides
 * (TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS for the tfjs child, tf.config.threading in
 * Python; `--threads 0` leaves TF's defaults) and printed, with the load average at start and end.
 * On the pure-JS or wasm backend a step would take minutes: batch 2, 1 step, 1 round.
 * `--profile` adds a per-kernel breakdown of one tfjs step (tf.profile) to the output;
 * `--python-eager` adds the Python step run eagerly (no tf.function) as a third, interleaved side:
 * TF.js executes eagerly too, so it separates the graph's advantage from the binding's cost.
 *
 * --json prints { backend, threads, load, results: [{ method, side, batch, stepMs, bestStepMs,
 * patchesPerSec, ratioToReference }], profile? }.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Tf from '@tensorflow/tfjs';
import type * as SrModule from '../src/sr/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(n);
function num(name: string, fallback: number, min = 1): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${i >= 0 ? args[i + 1] : v}`);
  return v;
}

type Method = 'csd' | 'student-alone';
/** tfjs, the Python reference (tf.function), and Python eager (diagnostic, --python-eager). */
type Key = 'js' | 'py' | 'py-eager';
const SCALE = 4;
const WIDTH = 0.25;
const NEGATIVES = 10;
const LAMBDA_CL = 200;
const LAMBDA_T = 1;

interface Plan {
  batch: number;
  patch: number;
  warmup: number;
  steps: number;
}
interface ProfileRow {
  kernel: string;
  ms: number;
  calls: number;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------- child mode
/** Lines of a stream, one awaited at a time (undefined at its end). */
function lineReader(stream: NodeJS.ReadableStream): () => Promise<string | undefined> {
  const lines: string[] = [];
  const waiting: Array<(l: string | undefined) => void> = [];
  let ended = false;
  let buf = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  stream.on('end', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  return () => (lines.length ? Promise.resolve(lines.shift()) : ended ? Promise.resolve(undefined) : new Promise((res) => waiting.push(res)));
}

class Stop extends Error {}

/**
 * Serve mode: runs the project's trainSr for warmup + steps steps; after the warm-up prints
 * {"ready"}, then before every timed step waits for a "next" line and after it prints {"ms"}
 * (trainSr's own per-step time: batch building in JS, the step, reading the loss).
 */
async function child(method: Method, plan: Plan): Promise<void> {
  const { selectBackend } = await import('../src/backend/select.js');
  const sr = await import('../src/sr/index.js');
  const say = (o: object) => void process.stdout.write(JSON.stringify(o) + '\n');
  const info = await selectBackend({ warn: (l) => process.stderr.write(l + '\n') });
  if (process.env.REPROLAB_TF_BACKEND && info.name !== process.env.REPROLAB_TF_BACKEND) return say({ unavailable: info.warnings[0] ?? `selected ${info.name}` });
  const { tiles, extractor } = benchData(sr, plan);
  const next = lineReader(process.stdin);
  const proceed = async () => {
    if ((await next()) !== 'next') throw new Stop();
  };
  let last = 0;
  if (plan.warmup === 0) {
    say({ ready: true, backend: info.name });
    await proceed();
  }
  try {
    const { model } = await sr.trainSr({
      ...trainOptions(sr, method, plan, tiles, extractor),
      steps: plan.warmup + plan.steps,
      onStep: async (s) => {
        const ms = s.seconds * 1000 - last;
        last = s.seconds * 1000;
        if (s.step < plan.warmup) return;
        say(s.step === plan.warmup ? { ready: true, backend: info.name } : { ms });
        if (s.step < plan.warmup + plan.steps) await proceed();
      },
    });
    model.dispose();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  extractor.dispose();
  process.stdin.destroy();
}

type Sr = typeof SrModule;

/** Four synthetic HR tiles a little larger than a patch, so crops move; content does not change the cost. */
function benchData(sr: Sr, plan: Plan) {
  const tile = (plan.patch + 16) * SCALE;
  const hr = new Uint8Array(4 * tile * tile * 3);
  for (let i = 0; i < hr.length; i++) hr[i] = Math.imul(i + 1, 2654435761) >>> 24;
  return { tiles: sr.makeSrTiles(hr, tile, SCALE), extractor: sr.randomConvFeatures({ seed: 1 }) };
}

function trainOptions(sr: Sr, method: Method, plan: Plan, tiles: SrModule.SrTiles, extractor: SrModule.FeatureExtractor) {
  return { method, arch: sr.edsrBaseline(SCALE), width: WIDTH, tiles, patch: plan.patch, batchSize: plan.batch, learningRate: 1e-4, lambdaCl: LAMBDA_CL, lambdaT: LAMBDA_T, negatives: Math.min(NEGATIVES, plan.batch), extractor, seed: 1, checkpointEvery: 1e9 };
}

/**
 * Kernel times (tf.profile) of one warm step, composed from trainSr's building blocks as its
 * `csd` / `student-alone` arms compose them (same loss, same Adam): trainSr has no profiling hook.
 */
async function profileChild(method: Method, plan: Plan): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../src/backend/select.js');
  const sr = await import('../src/sr/index.js');
  await selectBackend({ warn: (l) => process.stderr.write(l + '\n') });
  const { tiles, extractor } = benchData(sr, plan);
  const negatives = Math.min(NEGATIVES, plan.batch);
  const arch = sr.edsrBaseline(SCALE);
  const model = sr.buildSrModel(method, arch, WIDTH, 1);
  const optimizer = tf.train.adam(1e-4, 0.9, 0.999, 1e-8);
  const vars = model.trainableWeights.map((w) => w.read() as Tf.Variable);
  const shared = method === 'csd' ? sr.readConvWeights(model, arch) : undefined;
  const step = (i: number) => {
    const { lr, hr } = sr.srBatch(tiles, plan.patch, plan.batch, 1, i);
    const loss = optimizer.minimize(() => {
      if (!shared) return sr.l1Loss(hr, model.apply(lr) as Tf.Tensor4D);
      const neg = sr.bicubicNegatives(lr, SCALE, negatives);
      const s = sr.edsrForward(shared, arch, WIDTH, lr);
      const t = sr.edsrForward(shared, arch, 1, lr);
      return sr.csdLoss({ extractor, anchor: s, positive: t, negatives: neg, hr, lambdaCl: LAMBDA_CL, lambdaT: LAMBDA_T }).total;
    }, true, vars)!;
    loss.dataSync();
    tf.dispose([lr, hr, loss]);
  };
  step(0);
  const t0 = performance.now();
  const info = await tf.profile(() => step(1));
  const totalMs = performance.now() - t0;
  const by = new Map<string, ProfileRow>();
  for (const k of info.kernels) {
    const r = by.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    r.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    r.calls += 1;
    by.set(k.name, r);
  }
  model.dispose();
  optimizer.dispose();
  extractor.dispose();
  console.log(JSON.stringify({ totalMs, kernels: [...by.values()].sort((a, b) => b.ms - a.ms) }));
}

// --------------------------------------------------------------- parent mode
/** A serving process (tfjs child or Python reference) driven one step at a time. */
interface Side {
  name: string;
  proc: ChildProcess;
  next: () => Promise<string | undefined>;
  stderr: () => string;
}

function startSide(name: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv): Side {
  const proc = spawn(cmd, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => void (err = (err + c).slice(-4000)));
  return { name, proc, next: lineReader(proc.stdout!), stderr: () => err.trim().split('\n').slice(-3).join(' | ') };
}

/** The next JSON line of a side, or an Error saying why there is none. */
async function readJson<T>(side: Side): Promise<T> {
  for (;;) {
    const line = await side.next();
    if (line === undefined) throw new Error(`${side.name} ended early (${side.proc.exitCode ?? 'running'}): ${side.stderr()}`);
    if (line.trim().startsWith('{')) return JSON.parse(line) as T;
  }
}

async function stopSide(side: Side): Promise<void> {
  if (side.proc.exitCode === null && side.proc.signalCode === null) {
    side.proc.stdin!.end();
    await new Promise<void>((res) => {
      const timer = setTimeout(() => {
        side.proc.kill();
        res();
      }, 30_000);
      side.proc.once('exit', () => {
        clearTimeout(timer);
        res();
      });
    });
  }
}

async function main(): Promise<void> {
  const planOf = (pureJs: boolean): Plan => ({
    batch: num('batch', pureJs ? 2 : 16),
    patch: num('patch', 48),
    warmup: num('warmup', pureJs ? 0 : 1, 0),
    steps: num('steps', pureJs ? 1 : 3),
  });
  if (flag('--child')) return child(args[args.indexOf('--child') + 1] as Method, planOf(false));
  if (flag('--profile-child')) return profileChild(args[args.indexOf('--profile-child') + 1] as Method, planOf(false));

  const json = flag('--json');
  const log = (s: string) => (json ? process.stderr.write(s + '\n') : console.log(s));
  const loadStart = loadavg();
  const { selectBackend, describeBackend } = await import('../src/backend/select.js');
  const { readManifest } = await import('../src/backend/paths.js');
  const def = await selectBackend({ warn: (l) => log(l) });
  const pureJs = def.kind === 'js' || def.kind === 'wasm';
  const plan = planOf(pureJs);
  const repeats = num('repeats', pureJs ? 1 : 2);
  const threads = num('threads', availableParallelism(), 0);
  const methods: Method[] = flag('--no-student') ? ['csd'] : ['csd', 'student-alone'];
  const pyEager = flag('--python-eager');
  log(`default backend: ${describeBackend(def)}`);
  log(`threads: intra-op ${threads || 'TF default'}, inter-op ${threads || 'TF default'} on both sides (${availableParallelism()} CPUs)`);
  log(`load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')} (shared machine: figures are noisy)`);

  const threadEnv = threads ? { TF_NUM_INTRAOP_THREADS: String(threads), TF_NUM_INTEROP_THREADS: String(threads) } : {};
  const planArgs = ['--batch', String(plan.batch), '--patch', String(plan.patch), '--warmup', String(plan.warmup), '--steps', String(plan.steps)];
  const manifest = readManifest('cpu');
  const refPython = manifest && existsSync(manifest.python) ? manifest.python : undefined;
  if (!refPython) log('python reference unavailable: run `bash infra/tensor/install.sh` (creates the venv in the cache dir)');

  const times = new Map<string, number[]>();
  const push = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  let refVersion = '';
  let refThreads: { intra: number; inter: number } | undefined;

  // Both sides are started together and kept warm; their timed steps then alternate one by one
  // (py, js, js, py, py, js, …), so a burst of foreign load lands on both sides alike.
  for (const method of methods) {
    for (let r = 0; r < repeats; r++) {
      log(`— ${method}, round ${r + 1}/${repeats}: ${plan.warmup} warm-up + ${plan.steps} timed steps per side, interleaved`);
      const js = startSide(`tfjs ${def.name}`, process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', method, ...planArgs], {
        ...process.env,
        REPROLAB_TF_BACKEND: def.name,
        ...threadEnv,
      });
      const pyArgs = [join(HERE, 'reference_distill_tf.py'), '--serve', '--method', method, ...planArgs, '--negatives', String(NEGATIVES), '--intra', String(threads), '--inter', String(threads)];
      const pyEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...threadEnv };
      const pys: Array<[Key, Side]> = !refPython
        ? []
        : [
            ['py', startSide('python reference', refPython, pyArgs, pyEnv)],
            ...(pyEager ? [['py-eager', startSide('python eager', refPython, [...pyArgs, '--eager'], pyEnv)] as [Key, Side]] : []),
          ];
      const live: Array<[Key, Side]> = [];
      try {
        const jsReady = await readJson<{ ready?: boolean; unavailable?: string }>(js);
        if (jsReady.unavailable) throw new Error(`tfjs ${def.name} unavailable in the child: ${jsReady.unavailable}`);
        live.push(['js', js]);
        for (const [key, side] of pys) {
          try {
            const ready = await readJson<{ version: string; threads: { intra: number; inter: number } }>(side);
            refVersion = ready.version;
            refThreads = ready.threads;
            live.push([key, side]);
          } catch (e) {
            log(`${side.name} failed: ${(e as Error).message}`);
          }
        }
        for (let i = 0; i < plan.steps; i++) {
          // Rotate who goes first, step by step and round by round.
          const k = (i + r) % live.length;
          for (const [key, side] of [...live.slice(k), ...live.slice(0, k)]) {
            side.proc.stdin!.write('next\n');
            push(`${key}/${method}`, (await readJson<{ ms: number }>(side)).ms);
          }
        }
      } finally {
        await Promise.all([js, ...pys.map(([, side]) => side)].map(stopSide));
      }
    }
  }
  let profile: { totalMs: number; kernels: ProfileRow[] } | undefined;
  if (flag('--profile')) {
    log('— profiling one tfjs csd step (tf.profile) …');
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--profile-child', 'csd', ...planArgs], {
      encoding: 'utf8',
      env: { ...process.env, REPROLAB_TF_BACKEND: def.name, ...threadEnv },
      maxBuffer: 1 << 24,
    });
    try {
      profile = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    } catch {
      log(`profile failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
  const loadEnd = loadavg();

  const label: Record<Key, string> = { js: `tfjs-${def.name}`, py: `python-tensorflow-${refVersion}`, 'py-eager': `python-tf-${refVersion}-eager` };
  const rows = methods.flatMap((method) => {
    const ref = times.get(`py/${method}`);
    const refMs = ref?.length ? median(ref) : undefined;
    return (['js', 'py', 'py-eager'] as const)
      .filter((key) => times.get(`${key}/${method}`)?.length)
      .map((key) => {
        const xs = times.get(`${key}/${method}`)!;
        const stepMs = median(xs);
        return {
          method,
          side: label[key],
          batch: plan.batch,
          timedSteps: xs.length,
          stepTimesMs: xs,
          stepMs,
          bestStepMs: Math.min(...xs),
          patchesPerSec: (plan.batch * 1000) / stepMs,
          ratioToReference: refMs ? refMs / stepMs : null,
        };
      });
  });
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  const setting = `EDSR-baseline ×${SCALE} (16×64, res 1) teacher + width-${WIDTH} student on shared weights, LR ${plan.patch}×${plan.patch} → HR ${plan.patch * SCALE}×${plan.patch * SCALE}, batch ${plan.batch}, K=${Math.min(NEGATIVES, plan.batch)} negatives, random-conv-features, Adam`;
  const note = 'shared 2-core machine: other jobs run beside the bench, so step times are noisy; compare the two sides of one run, not runs with each other';
  if (json) {
    console.log(
      JSON.stringify({
        backend: def.name,
        setting,
        threads: { intra: threads || 'default', inter: threads || 'default', cpus: availableParallelism(), python: refThreads },
        load: { start: loadStart.map((l) => round(l)), end: loadEnd.map((l) => round(l)) },
        plan: { ...plan, repeats },
        note,
        reference: 'python-tensorflow (tf.function step, same TF wheel, same machine, same run)',
        results: rows.map((r) => ({ ...r, stepTimesMs: r.stepTimesMs.map((t) => Math.round(t)), stepMs: round(r.stepMs, 1), bestStepMs: round(r.bestStepMs, 1), patchesPerSec: round(r.patchesPerSec), ratioToReference: r.ratioToReference === null ? null : round(r.ratioToReference, 3) })),
        ...(profile ? { profile: { totalMs: round(profile.totalMs, 1), kernels: profile.kernels.slice(0, 25).map((k) => ({ ...k, ms: round(k.ms, 1) })) } } : {}),
      }),
    );
    return;
  }
  console.log(`\nCSD training step: ${setting}`);
  console.log(`${plan.warmup} warm-up + ${plan.steps} timed steps per run × ${repeats} alternating rounds; median (best) over all timed steps`);
  console.log('\nmethod         side                        batch  ms/step (best)      HR patches/s  vs python-tf');
  for (const r of rows)
    console.log(
      `${r.method.padEnd(14)} ${r.side.padEnd(27)} ${String(r.batch).padStart(5)} ${r.stepMs.toFixed(0).padStart(8)} (${r.bestStepMs.toFixed(0).padStart(6)})  ${r.patchesPerSec.toFixed(2).padStart(14)}  ${(r.ratioToReference === null ? 'n/a' : r.ratioToReference.toFixed(3) + '×').padStart(12)}`,
    );
  console.log(`\nthreads: intra-op ${threads || 'default'}, inter-op ${threads || 'default'} (tfjs via TF_NUM_INTRAOP/INTEROP_THREADS; python reports ${refThreads ? `${refThreads.intra}/${refThreads.inter}` : 'n/a'})`);
  console.log(`load average: start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`note: ${note}. Goal (issue 8): tfjs ≥ 0.75× the Python reference.`);
  if (profile) {
    const sum = profile.kernels.reduce((s, k) => s + k.ms, 0);
    console.log(`\nprofile of one warm tfjs CSD step (tf.profile): ${profile.totalMs.toFixed(0)} ms wall, ${sum.toFixed(0)} ms in kernels`);
    for (const k of profile.kernels.slice(0, 20)) console.log(`  ${k.kernel.padEnd(28)} ${k.ms.toFixed(0).padStart(7)} ms  ${String(k.calls).padStart(5)} calls`);
  }
}

await main();

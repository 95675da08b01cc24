/**
 * npm run bench:train [-- --json] [-- --quick] [-- --rounds N] [-- --torch] [-- --backends tensorflow,wasm,cpu]
 *
 * Training throughput, side by side, on this machine:
 *   - every TF.js backend that loads here (each in its own child process,
 *     selected through REPROLAB_TF_BACKEND exactly like a worker), and
 *   - the Python TensorFlow reference (reference_tf.py, run in the venv that
 *     infra/tensor/install.sh created in the cache dir; same models/batch).
 *   - with --torch, also PyTorch eager (reference_torch.py, venv from
 *     `install.sh --with-torch`). Opt-in: on this shared 2-vCPU box PyTorch's
 *     OpenMP spin-waiting makes it 10-60x slower whenever other jobs run.
 * Models: cnn3 (batch 32) and resnet20 (batch 64), see src/backend/bench-models.ts.
 * Each figure is the median over repeats of (steps per repeat) timed steps,
 * after warm-up; native backends and the Python references are run in
 * --rounds interleaved rounds (default 3) and the median round is reported. Pure JS and wasm get 1 timed step (and ResNet-20 at batch 4)
 * so the whole run stays within a few minutes.
 *
 * --json prints { default, results: [{ backend, model, batch, imagesPerSec,
 * gflops, ratioToReference }] } (ratio = imagesPerSec / reference imagesPerSec).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(n);
const opt = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};

type Model = 'cnn3' | 'resnet20';
interface Plan {
  model: Model;
  batch: number;
  warmup: number;
  steps: number;
  repeats: number;
}
interface Row {
  backend: string;
  model: Model;
  batch: number;
  imagesPerSec: number;
  gflops: number;
  ratioToReference: number | null;
  stepMs: number;
  note?: string;
}

const quick = flag('--quick');
function plans(backend: string): Plan[] {
  // Pure JS and wasm train at ~0.05 GFLOP/s here (wasm's conv gradients run
  // through the pure-JS bridge): 2 steps for cnn3, 1 cold step of ResNet-20 at
  // batch 4 (~20 s each), so the whole bench stays within a few minutes.
  if (backend === 'cpu' || backend === 'wasm')
    return [
      { model: 'cnn3', batch: 32, warmup: 1, steps: 1, repeats: 1 },
      { model: 'resnet20', batch: 4, warmup: 0, steps: 1, repeats: 1 },
    ];
  const r = quick ? 3 : 7;
  return [
    { model: 'cnn3', batch: 32, warmup: 3, steps: 10, repeats: r },
    { model: 'resnet20', batch: 64, warmup: 2, steps: 3, repeats: r },
  ];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------- child mode
async function child(backend: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { selectBackend } = await import('../src/backend/select.js');
  const bm = await import('../src/backend/bench-models.js');
  const info = await selectBackend({ prefer: backend, warn: () => {} });
  if (info.name !== backend) {
    console.log(JSON.stringify({ unavailable: info.warnings[0] ?? `selected ${info.name}` }));
    return;
  }
  const out: Array<{ model: Model; batch: number; stepMs: number; flopsPerImage: number }> = [];
  for (const p of plans(backend)) {
    const model = bm.buildBenchModel(p.model);
    const { x, y } = bm.benchBatch(p.batch);
    const step = bm.makeTrainStep(model, x, y);
    for (let i = 0; i < p.warmup; i++) step().dataSync();
    const times: number[] = [];
    for (let r = 0; r < p.repeats; r++) {
      const t0 = performance.now();
      for (let i = 0; i < p.steps; i++) {
        const loss = step();
        if (i === p.steps - 1) loss.dataSync();
        loss.dispose();
      }
      times.push((performance.now() - t0) / p.steps);
    }
    out.push({ model: p.model, batch: p.batch, stepMs: median(times), flopsPerImage: bm.trainingFlopsPerImage(model) });
    model.dispose();
    tf.dispose([x, y]);
  }
  console.log(JSON.stringify({ backend, version: info.version, results: out }));
}

// --------------------------------------------------------------- parent mode
async function main(): Promise<void> {
  const childBackend = opt('--child');
  if (childBackend) return child(childBackend);

  const json = flag('--json');
  const log = (s: string) => (json ? process.stderr.write(s + '\n') : console.log(s));
  const { selectBackend, describeBackend } = await import('../src/backend/select.js');
  const { readManifest, tensorDir } = await import('../src/backend/paths.js');
  const { detectGpu } = await import('../src/backend/gpu.js');
  const def = await selectBackend({ warn: (l) => log(l) });
  log(`default backend: ${describeBackend(def)}`);

  const wanted = opt('--backends')?.split(',') ?? [...(detectGpu().present ? ['tensorflow-gpu'] : []), 'tensorflow', 'wasm', 'cpu'];
  // The machine is shared: fast candidates and the references are measured in
  // interleaved rounds (ref, torch, native, ref, torch, native, …) and the
  // median over rounds is reported, so a burst of foreign load hits all alike.
  const rounds = Number(opt('--rounds') ?? (quick ? 1 : 3));
  interface Acc { backend: string; model: Model; batch: number; stepMs: number[]; flopsPerImage: number; kind: 'tf' | 'torch' | 'tfjs' }
  const acc = new Map<string, Acc>();
  const add = (kind: Acc['kind'], backend: string, model: Model, batch: number, ms: number, flopsPerImage = 0) => {
    const key = `${backend}/${model}`;
    const a = acc.get(key) ?? { backend, model, batch, stepMs: [], flopsPerImage, kind };
    a.stepMs.push(ms);
    acc.set(key, a);
  };

  const runPython = (kind: 'tf' | 'torch', python: string, script: string, label: string) => {
    for (const p of plans('tensorflow')) {
      log(`running ${label} ${p.model} b${p.batch} …`);
      const r = spawnSync(python, [join(HERE, script), '--model', p.model, '--batch', String(p.batch), '--steps', String(p.steps), '--repeats', String(p.repeats), '--warmup', String(p.warmup)], {
        encoding: 'utf8',
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      });
      try {
        const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { version: string; stepTimesMs: number[] };
        add(kind, `${label}-${j.version}`, p.model, p.batch, median(j.stepTimesMs));
      } catch {
        log(`${label} failed: ${r.stderr.trim().split('\n').pop() ?? r.status}`);
      }
    }
  };
  const unavailable = new Set<string>();
  const runChild = (b: string) => {
    if (unavailable.has(b)) return;
    log(`running ${b} …`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', b, ...(quick ? ['--quick'] : [])], {
      encoding: 'utf8',
      env: { ...process.env, REPROLAB_TF_BACKEND: b },
      maxBuffer: 1 << 24,
    });
    let j: { unavailable?: string; results?: Array<{ model: Model; batch: number; stepMs: number; flopsPerImage: number }> };
    try {
      j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
    } catch {
      log(`${b}: child failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      unavailable.add(b);
      return;
    }
    if (j.unavailable) {
      log(`${b}: unavailable — ${j.unavailable}`);
      unavailable.add(b);
      return;
    }
    for (const res of j.results ?? []) add('tfjs', b, res.model, res.batch, res.stepMs, res.flopsPerImage);
  };

  const manifest = readManifest('cpu');
  const refPython = manifest && existsSync(manifest.python) ? manifest.python : undefined;
  if (!refPython) log('python reference unavailable: run `bash infra/tensor/install.sh` (creates the venv in the cache dir)');
  const torchPy = process.env.REPROLAB_TORCH_PYTHON ?? join(tensorDir(), 'torch-venv', 'bin', 'python');
  const useTorch = flag('--torch') && existsSync(torchPy);
  if (flag('--torch') && !existsSync(torchPy)) log(`pytorch reference unavailable: no ${torchPy} (bash infra/tensor/install.sh --with-torch)`);
  const fast = wanted.filter((b) => b.startsWith('tensorflow'));
  const slow = wanted.filter((b) => !b.startsWith('tensorflow'));
  for (let r = 0; r < rounds; r++) {
    if (rounds > 1) log(`— round ${r + 1}/${rounds}`);
    if (refPython) runPython('tf', refPython, 'reference_tf.py', 'python-tensorflow');
    if (useTorch) runPython('torch', torchPy, 'reference_torch.py', 'python-pytorch');
    for (const b of fast) runChild(b);
  }
  for (const b of slow) runChild(b);

  const flopsPer = new Map<Model, number>();
  for (const a of acc.values()) if (a.flopsPerImage) flopsPer.set(a.model, a.flopsPerImage);
  const ips = (a: Acc) => (a.batch * 1000) / median(a.stepMs);
  const ref = new Map<Model, number>();
  const torchRef = new Map<Model, number>();
  for (const a of acc.values()) {
    if (a.kind === 'tf') ref.set(a.model, ips(a));
    if (a.kind === 'torch') torchRef.set(a.model, ips(a));
  }
  const rows: Row[] = [...acc.values()].map((a) => {
    const v = ips(a);
    const refIps = ref.get(a.model);
    return {
      backend: a.backend,
      model: a.model,
      batch: a.batch,
      imagesPerSec: v,
      gflops: (v * (flopsPer.get(a.model) ?? 0)) / 1e9,
      ratioToReference: refIps ? v / refIps : null,
      stepMs: median(a.stepMs),
      ...(a.batch !== (a.model === 'cnn3' ? 32 : 64) ? { note: 'reduced batch, 1 cold step' } : {}),
    };
  });

  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  if (json) {
    console.log(
      JSON.stringify({
        default: def.name,
        reference: 'python-tensorflow (tf.function step, same machine, same run)',
        results: rows.map((r) => ({
          backend: r.backend,
          model: r.model,
          batch: r.batch,
          imagesPerSec: round(r.imagesPerSec, 1),
          gflops: round(r.gflops),
          ratioToReference: r.ratioToReference === null ? null : round(r.ratioToReference, 3),
          ...(torchRef.has(r.model) ? { ratioToPytorch: round(r.imagesPerSec / torchRef.get(r.model)!, 3) } : {}),
        })),
      }),
    );
    return;
  }
  console.log('\nbackend                     model     batch  ms/step   images/s   GFLOP/s  vs-python-tf  vs-pytorch');
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(27)} ${r.model.padEnd(9)} ${String(r.batch).padStart(5)} ${r.stepMs.toFixed(1).padStart(8)} ${r.imagesPerSec.toFixed(1).padStart(10)} ${r.gflops.toFixed(2).padStart(9)}  ${(r.ratioToReference === null ? 'n/a' : r.ratioToReference.toFixed(3)).padStart(12)}  ${(torchRef.has(r.model) ? (r.imagesPerSec / torchRef.get(r.model)!).toFixed(3) : 'n/a').padStart(10)}${r.note ? `  (${r.note})` : ''}`,
    );
  }
  console.log('\nGFLOP/s = nominal training FLOPs (3 × conv/dense forward MACs × 2) / step time; medians over repeats.');
}

await main();

/**
 * Backend selection: order, env override, GPU detection, and the "never
 * crash, never silently slow down" fallback contract.
 * Tests that need a backend to FAIL run first and point the cache at an empty
 * dir; native/wasm load state is per process, so the success case runs last.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectGpu } from './gpu.js';
import { PINS, cacheRoot, manifestPath, readManifest } from './paths.js';
import { skipUnlessRequired } from './required.js';
import { backendRecord, describeBackend, selectBackend } from './select.js';

const empty = mkdtempSync(join(tmpdir(), 'reprolab-empty-cache-'));
const emptyEnv = { ...process.env, REPROLAB_CACHE_DIR: empty, REPROLAB_TF_BACKEND: undefined } as NodeJS.ProcessEnv;
const noGpu = () => ({ present: false, detail: 'stub' });
const gpu = () => ({ present: true, detail: 'stub H100' });

test('cache dir honours REPROLAB_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(cacheRoot({ REPROLAB_CACHE_DIR: '/x/y' }), '/x/y');
  assert.equal(cacheRoot({ XDG_CACHE_HOME: '/xdg' }), '/xdg/reprolab');
  assert.match(cacheRoot({}), /\.cache\/reprolab$/);
  assert.equal(manifestPath('gpu', { REPROLAB_CACHE_DIR: '/c' }), '/c/tensor/native-gpu.json');
});

test('CUDA_VISIBLE_DEVICES=-1 hides GPUs; no driver here means no GPU', () => {
  assert.equal(detectGpu({ CUDA_VISIBLE_DEVICES: '-1' }).present, false);
  assert.equal(detectGpu({ CUDA_VISIBLE_DEVICES: '' }).present, false);
  assert.equal(typeof detectGpu({}).present, 'boolean');
});

test('auto with a GPU but nothing installed: one warning line per skipped backend, each with a fix, then a working backend', async () => {
  const lines: string[] = [];
  const info = await selectBackend({ env: emptyEnv, detectGpu: gpu, warn: (l) => lines.push(l) });
  assert.deepEqual(info.warnings, lines);
  assert.ok(lines.length >= 2, lines.join('\n'));
  assert.match(lines[0]!, /'tensorflow-gpu' unavailable: .*not installed.*fix: run `bash infra\/tensor\/install.sh --gpu`.*falling back to 'tensorflow'/);
  assert.match(lines[1]!, /'tensorflow' unavailable: .*fix: run `bash infra\/tensor\/install.sh`/);
  for (const l of lines) assert.ok(!l.includes('\n'), 'warnings are one line');
  assert.ok(['wasm', 'cpu'].includes(info.name));
  assert.equal(info.kind, info.name === 'wasm' ? 'wasm' : 'js');
});

test('a corrupt native install (addon not loadable) falls back with the reason and the fix', async () => {
  const root = mkdtempSync(join(tmpdir(), 'reprolab-broken-cache-'));
  const dir = join(root, 'tensor', 'broken');
  mkdirSync(join(dir, 'tfjs-node', 'dist'), { recursive: true });
  writeFileSync(join(dir, 'tfjs_binding.node'), 'not an ELF file');
  writeFileSync(join(dir, 'libtensorflow_cc.so.2'), '');
  writeFileSync(join(dir, 'tfjs-node', 'dist', 'nodejs_kernel_backend.js'), '');
  const m = { schema: 1, variant: 'cpu', tensorflow: PINS.tensorflow, pipPackage: 'x', tfjsNode: PINS.tfjsNode, root: dir, addon: join(dir, 'tfjs_binding.node'), jsDir: join(dir, 'tfjs-node'), libDir: dir, python: '', builtWithNode: '', installedAt: '' };
  writeFileSync(join(root, 'tensor', 'native-cpu.json'), JSON.stringify(m));
  const lines: string[] = [];
  const info = await selectBackend({ env: { ...emptyEnv, REPROLAB_CACHE_DIR: root }, detectGpu: noGpu, warn: (l) => lines.push(l) });
  assert.match(lines[0]!, /'tensorflow' unavailable: native addon failed to load: .*fix: run `bash infra\/tensor\/install.sh --force`/);
  assert.notEqual(info.name, 'tensorflow');
});

test('auto without a GPU never mentions the GPU backend', async () => {
  const lines: string[] = [];
  await selectBackend({ env: emptyEnv, detectGpu: noGpu, warn: (l) => lines.push(l) });
  assert.ok(lines.every((l) => !l.includes('tensorflow-gpu')), lines.join('\n'));
});

test('REPROLAB_TF_BACKEND=cpu is honoured without warnings; invalid values warn and mean auto', async () => {
  const info = await selectBackend({ env: { ...emptyEnv, REPROLAB_TF_BACKEND: 'cpu' }, warn: () => {} });
  assert.equal(info.name, 'cpu');
  assert.equal(info.kind, 'js');
  assert.deepEqual(info.warnings, []);
  assert.equal(info.requested, 'cpu');
  const lines: string[] = [];
  const bad = await selectBackend({ env: { ...emptyEnv, REPROLAB_TF_BACKEND: 'cuda' }, detectGpu: noGpu, warn: (l) => lines.push(l) });
  assert.match(lines[0]!, /REPROLAB_TF_BACKEND="cuda" is not one of auto\|tensorflow-gpu\|tensorflow\|wasm\|cpu/);
  assert.ok(bad.name);
});

test('description and environment record carry name, kind, version, detail', async () => {
  const info = await selectBackend({ prefer: 'cpu', env: emptyEnv, warn: () => {} });
  assert.match(describeBackend(info), /^cpu \[js\] tfjs-backend-cpu 4\.22\.0 — /);
  const rec = backendRecord(info);
  for (const k of ['name', 'kind', 'version', 'detail', 'tfjs', 'requested', 'warnings']) assert.ok(k in rec, k);
});

const notInstalled = 'native backend not installed: bash infra/tensor/install.sh';
test('auto picks native TensorFlow when installed (skipped when infra/tensor/install.sh has not run, unless required)', { skip: skipUnlessRequired('tensorflow', !!readManifest('cpu'), notInstalled) }, async () => {
  assert.ok(readManifest('cpu'), notInstalled);
  const env = { ...process.env, REPROLAB_TF_BACKEND: undefined } as NodeJS.ProcessEnv;
  const info = await selectBackend({ env, detectGpu: noGpu, warn: () => {} });
  assert.equal(info.name, 'tensorflow');
  assert.equal(info.kind, 'native-cpu');
  assert.match(info.version, /^tensorflow 2\.20\.0/);
  assert.deepEqual(info.warnings, []);
  // GPU requested on a machine where the GPU variant is absent: falls back to native CPU, says why.
  const lines: string[] = [];
  const g = await selectBackend({ env, detectGpu: gpu, warn: (l) => lines.push(l) });
  assert.equal(g.name, 'tensorflow');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /'tensorflow-gpu' unavailable/);
});

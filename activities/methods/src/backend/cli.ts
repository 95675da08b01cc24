/**
 * node --import tsx activities/methods/src/backend/cli.ts [--json] [--strict]
 *   Select the backend exactly as a worker does and print its description
 *   (what `reprolab doctor` shows). --strict: exit 1 if anything fell back.
 * node --import tsx activities/methods/src/backend/cli.ts --check-native cpu|gpu
 *   Used by infra/tensor/install.sh: load that native variant directly, run the
 *   load-time self-check on it, exit non-zero on failure. For gpu on a machine
 *   without a GPU this still proves the build works (TF runs on CPU).
 */
import * as tf from '@tensorflow/tfjs';
import { loadNative } from './native.js';
import { backendRecord, describeBackend, selectBackend, selfCheck } from './select.js';

const args = process.argv.slice(2);
const checkIdx = args.indexOf('--check-native');
if (checkIdx >= 0) {
  const variant = args[checkIdx + 1] === 'gpu' ? 'gpu' : 'cpu';
  try {
    const n = loadNative(variant);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") failed');
    selfCheck();
    console.log(`native-${variant} OK: ${n.version}; ${n.detail}; GPU device ${n.usingGpu ? 'in use' : 'not visible'}`);
  } catch (e) {
    console.error(`native-${variant} self-check FAILED: ${(e as Error).message}`);
    process.exit(1);
  }
} else {
  const info = await selectBackend();
  if (args.includes('--json')) console.log(JSON.stringify(backendRecord(info)));
  else console.log(`tensor backend: ${describeBackend(info)}`);
  if (args.includes('--strict') && info.warnings.length > 0) process.exit(1);
}

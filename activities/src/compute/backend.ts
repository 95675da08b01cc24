/**
 * Initialises the tensor backend of a compute child: the best available (gpu > native cpu >
 * wasm > pure JS, or REPROLAB_TF_BACKEND), each candidate self-checked, a one-line warning with
 * the fix for every one skipped. Returns the description stored in each run's environment record.
 */
import { selectBackend } from '@reprolab/methods/backend/index';

export async function initTensorBackend(opts: { quiet?: boolean } = {}): Promise<string> {
  const info = await selectBackend({ warn: opts.quiet ? () => {} : (l) => console.warn(l) });
  return `${info.name} [${info.kind}] ${info.version}`;
}

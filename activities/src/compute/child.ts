/**
 * Entry of a compute child process. Tensor work runs here, not in the worker process, so the
 * worker's event loop stays free for heartbeats and workflow tasks while a step trains; and a
 * cancelled or crashed step dies with its process, taking its tensors with it.
 */
import { JOBS } from './jobs';
import type { ChildMessage, ParentMessage } from './protocol';
import { initTensorBackend } from './backend';

const send = (m: ChildMessage) => process.send!(m);
const acks = new Map<number, () => void>();
let nextAck = 0;

// The parent going away (killed worker) must take this process with it.
process.on('disconnect', () => process.exit(70));

process.on('message', (m: ParentMessage) => {
  if (m.type === 'ack') {
    acks.get(m.id)?.();
    acks.delete(m.id);
    return;
  }
  if (m.type !== 'start') return;
  void (async () => {
    try {
      // The worker's start-up probe prints why a faster backend was skipped; later jobs stay quiet.
      send({ type: 'ready', backend: await initTensorBackend({ quiet: m.job !== 'probe' }) });
      const job = JOBS[m.job];
      if (!job) throw new Error(`unknown compute job "${m.job}"; known: ${Object.keys(JOBS).join(', ')}`);
      const out = await job(m.args as never, {
        files: m.files,
        scratchDir: m.scratchDir,
        progress: (data) => send({ type: 'progress', data }),
        checkpoint: (path, data) =>
          new Promise<void>((resolve) => {
            const id = nextAck++;
            acks.set(id, resolve);
            send({ type: 'checkpoint', id, path, data });
          }),
      });
      send({ type: 'done', result: out.result, files: out.files });
      process.disconnect();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ type: 'error', name: err.name, message: err.message, stack: err.stack });
      process.disconnect();
    }
  })();
});

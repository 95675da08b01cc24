/** `reprolab run <recipe>`: launch, show live progress, then the metrics and the paper comparison. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { connectApi } from '../connect';
import { duration, num } from '../format';
import { printComparison } from './report';

export interface RunFlags {
  stateDir: string;
  seed?: number;
  force?: boolean;
  detach?: boolean;
  json?: boolean;
  /** Labels for the runs list (`--tag`, repeatable). */
  tags?: string[];
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export async function runCommand(recipePath: string, flags: RunFlags): Promise<number> {
  let text: string;
  try {
    text = await readFile(recipePath, 'utf8');
  } catch (e) {
    throw new Error(`cannot read recipe ${recipePath}: ${(e as Error).message}`);
  }
  const conn = await connectApi(flags.stateDir);
  try {
    const launched = await conn.api.runs.launch({ recipe: text, seed: flags.seed, force: flags.force, tags: flags.tags }).catch((e: unknown) => {
      throw new Error((e as Error).message.replace(/^invalid recipe <recipe>/, `invalid recipe ${basename(recipePath)}`));
    });
    if (!flags.json) console.log(`run ${launched.runId} · ${launched.recipe.name}@v${launched.recipe.version} · seed ${launched.seed}`);
    if (flags.detach) {
      if (flags.json) console.log(JSON.stringify(launched));
      else console.log(`follow it with \`reprolab status ${launched.runId}\``);
      return 0;
    }
    const status = await watchRun(conn.api, launched.runId, !flags.json);
    const comparison = await conn.api.compare.run({ runId: launched.runId });
    if (flags.json) console.log(JSON.stringify({ ...launched, status, comparison }, null, 2));
    else {
      console.log('');
      printComparison(comparison);
    }
    return status === 'completed' ? 0 : 1;
  } finally {
    await conn.close();
  }
}

type Api = Awaited<ReturnType<typeof connectApi>>['api'];

/** Polls the run and draws one progress bar per step until it ends. Ctrl-C detaches (the run continues). */
export async function watchRun(api: Api, runId: string, show: boolean): Promise<string> {
  const started = Date.now();
  const tty = show && process.stderr.isTTY;
  const multi = tty
    ? new cliProgress.MultiBar(
        { format: ' {step} |{bar}| {value}/{total} {unit} {state} {info}', barsize: 28, hideCursor: true, clearOnComplete: false, stopOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastLine = new Map<string, string>();
  let detached = false;
  const onInt = () => {
    detached = true;
  };
  process.once('SIGINT', onInt);
  try {
    for (;;) {
      const r = await api.runs.get({ runId });
      const width = Math.max(...r.steps.map((s) => s.stepKey.length), 4);
      for (const s of r.steps) {
        const p = (s.progress ?? {}) as { done?: number; total?: number; unit?: string; metrics?: Record<string, number> };
        // Some steps can't know their total (a simulation's cycles): show the count on a full bar.
        const total = p.total && p.total > 0 ? p.total : Math.max(1, p.done ?? 1);
        const done = s.status === 'completed' ? total : (p.done ?? 0);
        const info = s.cacheHit ? '(cached)' : p.metrics?.loss !== undefined ? `loss ${num(p.metrics.loss, 3)}` : p.metrics?.accuracy !== undefined ? `acc ${num(p.metrics.accuracy, 3)}` : '';
        const payload = { step: s.stepKey.padEnd(width), unit: p.unit ?? '', state: s.status, info: s.attempts > 1 ? `${info} attempt ${s.attempts}` : info };
        if (multi) {
          const bar = bars.get(s.stepKey) ?? multi.create(total, 0, payload);
          bars.set(s.stepKey, bar);
          bar.setTotal(total);
          bar.update(done, payload);
        } else if (show) {
          const line = `${s.stepKey}: ${s.status} ${done}/${total} ${payload.unit} ${payload.info}`.trim();
          const bucket = `${s.status}:${Math.floor((10 * done) / Math.max(total, 1))}`;
          if (lastLine.get(s.stepKey) !== bucket) {
            lastLine.set(s.stepKey, bucket);
            console.error(`[${duration(Date.now() - started)}] ${line}`);
          }
        }
      }
      if (TERMINAL.has(r.run.status)) {
        multi?.stop();
        if (show) {
          console.log(`run ${runId} ${r.run.status} in ${duration(Date.now() - started)}${r.run.error ? `: ${r.run.error}` : ''}`);
        }
        return r.run.status;
      }
      if (detached) {
        multi?.stop();
        console.log(`\ndetached; run ${runId} continues (\`reprolab status ${runId}\`, \`reprolab cancel ${runId}\`)`);
        return r.run.status;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
  } finally {
    process.off('SIGINT', onInt);
  }
}

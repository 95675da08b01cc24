/** `reprolab runs | status <run> | compare <run> | cancel <run>` */
import { connectApi } from '../connect';
import { duration, num, shortDuration, table } from '../format';
import { printComparison } from './report';

export interface RunsFilter {
  /** Comma-separated statuses, e.g. `running,failed`. */
  status?: string;
  recipe?: string;
  paper?: string;
  tag?: string;
  search?: string;
  /** `created` (default) | started | ended | status | recipe, with `:asc` or `:desc`. */
  sort?: string;
  limit?: string;
  offset?: string;
}

/** `--limit 20` → 20; anything but a whole number in range is refused naming the flag. */
function wholeNumber(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export async function runsCommand(stateDir: string, json: boolean, f: RunsFilter = {}): Promise<number> {
  const [sort, dir] = (f.sort ?? 'created').split(':');
  const input = {
    limit: wholeNumber('limit', f.limit, 1) ?? 50,
    offset: wholeNumber('offset', f.offset, 0),
    status: f.status ? (f.status.split(',').map((s) => s.trim()) as ('queued' | 'running')[]) : undefined,
    recipe: f.recipe,
    paper: f.paper,
    tag: f.tag,
    search: f.search,
    sort: sort as 'created',
    dir: (dir ?? 'desc') as 'desc',
  };
  const conn = await connectApi(stateDir);
  try {
    // The API checks every value (and says which one is wrong): the CLI passes them through.
    const page = await conn.api.runs.list(input);
    const runs = page.runs;
    if (json) console.log(JSON.stringify(page, null, 2));
    else if (!runs.length) console.log(page.total || Object.values(f).some((v) => v !== undefined) ? 'no runs match' : 'no runs yet; start one with `reprolab run workflows/recipes/smoke.yaml`');
    else {
      console.log(
        table(
          ['run', 'recipe', 'seed', 'status', 'created', 'took', 'tags'],
          runs.map((r) => [r.id, `${r.recipeName}@v${r.recipeVersion}`, r.seed, r.status, new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19), r.startedAt && r.finishedAt ? duration(new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()) : '', r.tags.join(',')]),
        ),
      );
      if (page.total > runs.length) console.log(`runs ${page.offset + 1}–${page.offset + runs.length} of ${page.total} (--limit N, --offset N for more)`);
    }
    return 0;
  } finally {
    await conn.close();
  }
}

export async function statusCommand(stateDir: string, runId: string, json: boolean): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const r = await conn.api.runs.get({ runId });
    if (json) {
      console.log(JSON.stringify(r, null, 2));
      return 0;
    }
    console.log(`run ${r.run.id} · ${r.recipe?.name}@v${r.recipe?.version} · seed ${r.run.seed} · ${r.run.status}${r.run.error ? ` (${r.run.error})` : ''}`);
    const env = r.environment;
    if (env) {
      console.log(`code ${env.codeVersion.slice(0, 19)} · lockfile ${env.lockfileHash.slice(0, 19)} · backend ${env.tensorBackend}`);
      console.log(`host ${env.host} (${env.platform}, node ${env.nodeVersion}) · seed ${env.seed}`);
    }
    console.log(
      table(
        ['step', 'kind', 'queue', 'status', 'attempts', 'progress', 'cache', 'took', 'to start', 'queued', 'retries', 'worker'],
        r.steps.map((s) => {
          const p = (s.progress ?? {}) as { done?: number; total?: number; unit?: string };
          const o = s.overhead;
          return [
            s.stepKey,
            s.kind,
            s.queue,
            s.status + (s.error ? `: ${s.error.slice(0, 60)}` : ''),
            s.attempts,
            p.total ? `${p.done}/${p.total} ${p.unit ?? ''}` : '',
            s.cacheHit ? `hit${s.cachedFrom ? ` (${s.cachedFrom.runId}/${s.cachedFrom.stepKey})` : ''}` : '',
            s.startedAt && s.finishedAt ? duration(new Date(s.finishedAt).getTime() - new Date(s.startedAt).getTime()) : '',
            s.cacheHit ? '' : shortDuration(o.timeToStartMs),
            s.cacheHit ? '' : shortDuration(o.queuedMs),
            s.cacheHit ? '' : o.retries,
            o.workerHost ?? '',
          ];
        }),
      ),
    );
    const t = r.overhead;
    console.log(
      `\nwhere time went: preparation ${shortDuration(t.preparationMs)} · time to start ${shortDuration(t.timeToStartMs)} (queued ${shortDuration(t.queuedMs)}) over ${t.computed} computed step${t.computed === 1 ? '' : 's'} · retries ${t.retries} · cache hits ${t.cacheHits}/${r.steps.length}`,
    );
    const fed = r.lineage.filter((l) => l.inputs?.length);
    if (fed.length) {
      console.log('\nlineage');
      for (const l of fed) {
        const from = l.inputs!.map((i) => {
          const src = i.source;
          const what = src.kind === 'dataset' ? `dataset ${src.name}` : src.kind === 'step' ? `${src.sameRun ? '' : `run ${src.runId} `}${src.stepKey}.${src.artifact}` : 'unknown';
          return `${i.slot} ← ${what} ${i.digest.slice(0, 19)}`;
        });
        console.log(`${l.stepKey}: ${from.join(', ')}`);
      }
    }
    if (r.artifacts.length) {
      console.log(`\nartifacts (\`reprolab download ${r.run.id} <name or digest prefix>\`, or Download on the run page)`);
      console.log(table(['step', 'kind', 'name', 'sha256', 'bytes'], r.artifacts.map((a) => [a.stepKey ?? '', a.kind, a.name, a.sha256.slice(0, 19), num(a.size)])));
    }
    return 0;
  } finally {
    await conn.close();
  }
}

export async function compareCommand(stateDir: string, runId: string, json: boolean): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const c = await conn.api.compare.run({ runId });
    if (json) console.log(JSON.stringify(c, null, 2));
    else printComparison(c);
    return 0;
  } finally {
    await conn.close();
  }
}

export async function cancelCommand(stateDir: string, runId: string): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    await conn.api.runs.cancel({ runId });
    console.log(`cancellation requested for run ${runId}`);
    return 0;
  } finally {
    await conn.close();
  }
}

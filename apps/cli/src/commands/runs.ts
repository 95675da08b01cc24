/** `reprolab runs | status <run> | compare <run> | cancel <run>` */
import { connectApi } from '../connect';
import { duration, num, table } from '../format';
import { printComparison } from './report';

export async function runsCommand(stateDir: string, json: boolean): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const runs = await conn.api.runs.list({ limit: 50 });
    if (json) console.log(JSON.stringify(runs, null, 2));
    else if (!runs.length) console.log('no runs yet; start one with `reprolab run workflows/recipes/smoke.yaml`');
    else
      console.log(
        table(
          ['run', 'recipe', 'seed', 'status', 'created', 'took'],
          runs.map((r) => [r.id, `${r.recipeName}@v${r.recipeVersion}`, r.seed, r.status, new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19), r.startedAt && r.finishedAt ? duration(new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime()) : '']),
        ),
      );
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
    if (r.environment) console.log(`code ${r.environment.codeVersion.slice(0, 19)} · node ${r.environment.nodeVersion} · backend ${r.environment.tensorBackend} · host ${r.environment.host}`);
    console.log(
      table(
        ['step', 'kind', 'queue', 'status', 'attempts', 'progress', 'cache', 'took'],
        r.steps.map((s) => {
          const p = (s.progress ?? {}) as { done?: number; total?: number; unit?: string };
          return [s.stepKey, s.kind, s.queue, s.status + (s.error ? `: ${s.error.slice(0, 60)}` : ''), s.attempts, p.total ? `${p.done}/${p.total} ${p.unit ?? ''}` : '', s.cacheHit ? 'hit' : '', s.startedAt && s.finishedAt ? duration(new Date(s.finishedAt).getTime() - new Date(s.startedAt).getTime()) : ''];
        }),
      ),
    );
    if (r.artifacts.length) {
      console.log('\nartifacts');
      console.log(table(['kind', 'name', 'sha256', 'bytes'], r.artifacts.map((a) => [a.kind, a.name, a.sha256.slice(0, 19), num(a.size)])));
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

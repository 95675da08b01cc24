import Link from 'next/link';
import { requireSession, serverApi } from '../../../server/api';
import type { SparseSpec, SweepSpec } from './charts';
import { RunDetail, type RunSnapshot } from './run-detail';
import type { SrSnapshot } from './sr-panel';

export const dynamic = 'force-dynamic';

/** The recipe's `growPrune` steps: method, sparsity, distribution and seed of each. */
function sparseSpecs(recipe: { steps: { id: string; kind: string; params?: unknown }[] }): SparseSpec[] {
  return recipe.steps.flatMap((s) => {
    const p = s.params as { method?: string; sparsity?: number; distribution?: string; seed?: number } | undefined;
    return s.kind === 'growPrune' && p?.method
      ? [{ step: s.id, method: p.method, sparsity: p.method === 'dense' ? 0 : (p.sparsity ?? 0), distribution: p.distribution ?? 'uniform', seed: p.seed ?? null }]
      : [];
  });
}

/** The recipe's swept `simulateMpu` steps, with their parameter and values in order. */
function sweepSpecs(recipe: { steps: { id: string; kind: string; params?: unknown }[] }): SweepSpec[] {
  return recipe.steps.flatMap((s) => {
    const p = s.params as { workload?: string; sweep?: { parameter: string; values: (number | string)[] } } | undefined;
    return s.kind === 'simulateMpu' && p?.sweep ? [{ step: s.id, workload: p.workload ?? '?', parameter: p.sweep.parameter, values: p.sweep.values }] : [];
  });
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  await requireSession();
  const { id } = await params;
  let snapshot: RunSnapshot | null = null;
  let problem: string | null = null;
  try {
    const api = await serverApi();
    const [run, series, sweepSeries, comparison, srView] = await Promise.all([
      api.runs.get({ runId: id }),
      api.metrics.series({ runId: id, name: 'train_loss' }),
      api.metrics.series({ runId: id, prefix: 'sweep_' }),
      api.compare.run({ runId: id }),
      api.sr.view({ runId: id }),
    ]);
    // Super-resolution runs: the first seed's crops (a failure to read them is shown, not fatal).
    let sr: SrSnapshot | null = null;
    if (srView) {
      sr = { view: srView, crops: null, cropsProblem: null };
      await api.sr
        .crops({ runId: id })
        .then((c) => (sr!.crops = c))
        .catch((e: unknown) => (sr!.cropsProblem = (e as Error).message));
    }
    const recipe = run.recipe ? (await api.recipes.get({ id: run.recipe.id })).recipe : null;
    const sweeps = recipe ? sweepSpecs(recipe) : [];
    const sparse = recipe ? sparseSpecs(recipe) : [];
    // `simulate` steps: their curves (`<name>_x`, `<name>_y<c>`), read once (the models run in seconds to minutes).
    const modelSteps = new Set(recipe ? recipe.steps.filter((s) => s.kind === 'simulate').map((s) => s.id) : []);
    const modelSeries = modelSteps.size ? (await api.metrics.series({ runId: id })).filter((m) => m.step !== null && modelSteps.has(m.step) && m.index !== null) : [];
    snapshot = JSON.parse(JSON.stringify({ run, series, sweepSeries, comparison, sweeps, sparse, sr, modelSeries })) as RunSnapshot;
  } catch (e) {
    problem = (e as Error).message;
  }
  return (
    <main>
      <p>
        <Link href="/">← all runs</Link>
      </p>
      {problem ? (
        <p role="alert" style={{ color: '#cf222e' }}>
          {problem}
        </p>
      ) : (
        <RunDetail runId={id} initial={snapshot!} />
      )}
    </main>
  );
}

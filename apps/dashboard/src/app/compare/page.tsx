import { runsComparisonCsv, type RunsComparison } from '@reprolab/api';
import { withServerApi } from '../../server/api';
import { CompareView } from './compare-view';

export const dynamic = 'force-dynamic';

/** /compare?runs=a,b,c — any number of runs of any recipes, side by side. */
export default async function Compare({ searchParams }: { searchParams: Promise<{ runs?: string }> }) {
  const ids = ((await searchParams).runs ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const loaded = ids.length ? await withServerApi((api) => api.compare.runs({ runIds: ids })) : { data: null, problem: 'Pick runs on the runs page (the checkboxes), or give them as /compare?runs=<id>,<id>.' };
  const c: RunsComparison | null = loaded.data;
  const problem = loaded.problem;
  return (
    <main>
      <p>
        <a href="/">← runs</a>
      </p>
      <h2>Compare {ids.length} runs</h2>
      {problem || !c ? (
        <p role="alert" style={{ color: '#cf222e' }}>
          {problem}
        </p>
      ) : (
        <CompareView comparison={c} csv={runsComparisonCsv(c)} />
      )}
    </main>
  );
}

import Link from 'next/link';
import { serverApi } from '../../../server/api';
import { RunDetail, type RunSnapshot } from './run-detail';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  let snapshot: RunSnapshot | null = null;
  let problem: string | null = null;
  try {
    const api = await serverApi();
    const [run, series, comparison] = await Promise.all([api.runs.get({ runId: id }), api.metrics.series({ runId: id }), api.compare.run({ runId: id })]);
    snapshot = JSON.parse(JSON.stringify({ run, series, comparison })) as RunSnapshot;
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

import { serverApi } from '../server/api';
import { RunsTable, type RunListItem } from './runs-table';

export const dynamic = 'force-dynamic';

export default async function Home() {
  let runs: RunListItem[] = [];
  let problem: string | null = null;
  try {
    const api = await serverApi();
    runs = JSON.parse(JSON.stringify(await api.runs.list({ limit: 100 }))) as RunListItem[];
  } catch (e) {
    problem = (e as Error).message;
  }
  return (
    <main>
      <h2>Runs</h2>
      {problem ? (
        <p role="alert" style={{ color: '#cf222e' }}>
          Cannot reach the metadata database or Temporal: {problem}
        </p>
      ) : (
        <RunsTable initial={runs} />
      )}
    </main>
  );
}

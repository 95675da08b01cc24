import { serverApi } from '../../server/api';
import { PapersView, type PaperInfo, type StandingRow } from './papers-view';

export const dynamic = 'force-dynamic';

/** Every paper's claims and where each stands: the run and evidence that decided it, or why nothing has. */
export default async function Papers() {
  let papers: PaperInfo[] = [];
  let rows: StandingRow[] = [];
  let problem: string | null = null;
  try {
    const api = await serverApi();
    const [p, s] = await Promise.all([api.claims.papers(), api.claims.standing({})]);
    papers = p;
    rows = s as StandingRow[];
  } catch (e) {
    problem = (e as Error).message;
  }
  return (
    <main>
      <p>
        <a href="/">← runs</a>
      </p>
      <h2>Papers and their claims</h2>
      {problem ? (
        <p role="alert" style={{ color: '#cf222e' }}>
          Cannot reach the metadata database: {problem}
        </p>
      ) : (
        <PapersView papers={papers} rows={rows} />
      )}
    </main>
  );
}

import { withServerApi } from '../../server/api';
import { PapersView, type PaperInfo, type StandingRow } from './papers-view';

export const dynamic = 'force-dynamic';

/** Every paper's claims and where each stands: the run and evidence that decided it, or why nothing has. */
export default async function Papers() {
  const { data, problem } = await withServerApi((api) => Promise.all([api.claims.papers(), api.claims.standing({})]));
  const [papers, rows]: [PaperInfo[], StandingRow[]] = data ? [data[0], data[1] as StandingRow[]] : [[], []];
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

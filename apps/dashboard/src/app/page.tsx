import { requireSession, serverApi } from '../server/api';
import { RunsTable, type RunListItem } from './runs-table';
import { LaunchForm, type ShippedRecipe } from './launch-form';
import { SchedulesTable, type ScheduleItem } from './schedules-table';

export const dynamic = 'force-dynamic';

export default async function Home() {
  await requireSession();
  let runs: RunListItem[] = [];
  let schedules: ScheduleItem[] = [];
  let recipes: ShippedRecipe[] = [];
  let problem: string | null = null;
  try {
    const api = await serverApi();
    const [r, s, rec] = await Promise.all([api.runs.list({ limit: 100 }), api.schedules.list(), api.recipes.list()]);
    runs = JSON.parse(JSON.stringify(r)) as RunListItem[];
    schedules = s;
    // Only the recipes that validate; a broken file shows its error in `reprolab` and the API.
    recipes = rec.shipped.filter((x) => !x.error).map(({ file, name, description, steps }) => ({ file, name, description: description ?? '', steps }));
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
        <>
          <LaunchForm recipes={recipes} />
          <RunsTable initial={runs} />
          <h2>Scheduled reproductions</h2>
          <SchedulesTable schedules={schedules} />
        </>
      )}
    </main>
  );
}

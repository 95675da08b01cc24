import { requireSession, serverApi } from '../server/api';
import { RunsTable, type RunFilterOptions, type RunsPage } from './runs-table';
import { LaunchForm, type ShippedRecipe } from './launch-form';
import { listInput, readUrlState } from './runs-query';
import { SchedulesTable, type ScheduleItem } from './schedules-table';

export const dynamic = 'force-dynamic';

/** `/?q=…&status=…&recipe=…&paper=…&tag=…&from=…&to=…&sort=…&dir=…&page=…&per=…`: the runs list's state lives in the URL. */
export default async function Home({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireSession();
  const state = readUrlState(await searchParams);
  let runs: RunsPage | null = null;
  let runsProblem: string | null = null;
  let options: RunFilterOptions = { recipes: [], papers: [], tags: [] };
  let schedules: ScheduleItem[] = [];
  let recipes: ShippedRecipe[] = [];
  let problem: string | null = null;
  try {
    const api = await serverApi();
    const [s, rec, opts] = await Promise.all([api.schedules.list(), api.recipes.list(), api.runs.filters()]);
    schedules = s;
    options = opts;
    // Only the recipes that validate; a broken file shows its error in `reprolab` and the API.
    recipes = rec.shipped.filter((x) => !x.error).map(({ file, name, description, steps }) => ({ file, name, description: description ?? '', steps }));
    // A bad value in the URL (?sort=size) is shown with the API's reason, above the filters that fix it.
    try {
      runs = JSON.parse(JSON.stringify(await api.runs.list(listInput(state) as Parameters<typeof api.runs.list>[0]))) as RunsPage;
    } catch (e) {
      runsProblem = (e as Error).message;
    }
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
          <RunsTable initial={runs} initialError={runsProblem} options={options} />
          <h2>Scheduled reproductions</h2>
          <SchedulesTable schedules={schedules} />
        </>
      )}
    </main>
  );
}

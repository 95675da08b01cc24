/** `reprolab compare <run> <run> [...] [--diff] [--csv] [--json]`: runs side by side. */
import { runsComparisonCsv, type ComparedKey } from '@reprolab/api';
import { connectApi } from '../connect';
import { num, table } from '../format';

export async function compareRunsCommand(stateDir: string, runIds: string[], opts: { json: boolean; csv: boolean; diffOnly: boolean }): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const c = await conn.api.compare.runs({ runIds });
    const keep = <T>(rows: ComparedKey<T>[]) => (opts.diffOnly ? rows.filter((r) => r.differs) : rows);
    const shown = { ...c, params: keep(c.params), metrics: keep(c.metrics) };
    if (opts.json) console.log(JSON.stringify(shown, null, 2));
    else if (opts.csv) process.stdout.write(runsComparisonCsv(shown));
    else {
      // Columns are runs: short ids (the hex prefix) keep 10 runs on a screen; --csv has them all in full.
      const heads = c.runs.map((r) => r.id.split('-')[0]!);
      console.log(table(['run', ...heads], [['recipe', ...c.runs.map((r) => r.recipe)], ['status', ...c.runs.map((r) => r.status)]]));
      console.log(`\nparameters${opts.diffOnly ? ' that differ' : ''} (${shown.params.length} of ${c.params.length})`);
      console.log(table(['key', ...heads], shown.params.map((r) => [r.key, ...r.values])));
      console.log(`\nfinal metrics${opts.diffOnly ? ' that differ' : ''} (${shown.metrics.length} of ${c.metrics.length})`);
      console.log(table(['key', ...heads], shown.metrics.map((r) => [r.key, ...r.values.map((v) => (v === null ? null : num(v)))])));
    }
    return 0;
  } finally {
    await conn.close();
  }
}

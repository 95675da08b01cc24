/** `reprolab claims [--paper P]`: the claim registry, for the ids a recipe's `targets` name. */
import { connectApi } from '../connect';
import { num, table } from '../format';

export async function claimsCommand(stateDir: string, opts: { paper?: string; json?: boolean }): Promise<number> {
  const conn = await connectApi(stateDir);
  try {
    const claims = await conn.api.claims.list({ paper: opts.paper });
    if (opts.json) console.log(JSON.stringify(claims, null, 2));
    else console.log(table(['claim', 'paper', 'metric', 'value', 'unit'], claims.map((c) => [c.id, c.paperId, c.metric, num(c.value), c.unit ?? ''])));
    return 0;
  } finally {
    await conn.close();
  }
}

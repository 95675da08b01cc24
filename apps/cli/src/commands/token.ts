/** `reprolab token create --role R [--name N] | list | revoke <id>`: through the API, as an admin. */
import { countActiveTokens, createToken } from '@reprolab/db';
import { connectApi } from '../connect';
import { table } from '../format';

const USAGE = 'usage: reprolab token create --role viewer|operator|admin [--name N] | token list | token revoke <id>';
const when = (d: Date | string | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '');

export async function tokenCommand(positionals: string[], opts: { stateDir: string; role?: string; name?: string; json: boolean }): Promise<number> {
  const [sub, arg] = positionals;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new Error(USAGE);
  const conn = await connectApi(opts.stateDir);
  try {
    if (sub === 'create') {
      if (opts.role !== 'viewer' && opts.role !== 'operator' && opts.role !== 'admin') throw new Error(`token create needs --role viewer|operator|admin${opts.role ? ` (got "${opts.role}")` : ''}`);
      // Bootstrap on infrastructure `reprolab up` did not start: with no admin token at all, whoever
      // holds DATABASE_URL (who could write the table anyway) makes the first one. After that,
      // only an admin token can make tokens.
      const first = opts.role === 'admin' && (await countActiveTokens(conn.ctx.db, 'admin')) === 0;
      const { token, info } = first ? await createToken(conn.ctx.db, { role: 'admin', name: opts.name }) : await conn.api.tokens.create({ role: opts.role, name: opts.name });
      if (first) console.error('no admin token existed: created the first one directly in the database');
      if (opts.json) console.log(JSON.stringify({ ...info, token }, null, 2));
      else console.log(`${token}\n\ntoken #${info.id} "${info.name}" (${info.role}); shown once, only its hash is stored. Use it as REPROLAB_TOKEN=… or sign in at the dashboard's /login.`);
      return 0;
    }
    if (sub === 'list') {
      const rows = await conn.api.tokens.list();
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else console.log(table(['id', 'name', 'role', 'created', 'last used', 'revoked'], rows.map((t) => [t.id, t.name, t.role, when(t.createdAt), when(t.lastUsedAt), when(t.revokedAt)])));
      return 0;
    }
    const id = Number(arg);
    if (!Number.isInteger(id) || id <= 0) throw new Error('usage: reprolab token revoke <id> (ids from `reprolab token list`)');
    await conn.api.tokens.revoke({ id });
    console.log(`revoked token #${id}`);
    return 0;
  } finally {
    await conn.close();
  }
}

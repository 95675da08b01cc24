/** SCRAM-SHA-256 in front of PGlite, against real clients: node-postgres and, where installed, Debian's psql. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createHash, createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { formatScramVerifier, scramVerifier, startAuthenticatedServer, type AuthenticatedServer } from './scram-auth';

const PASSWORD = 'correct-horse-battery-staple';
let db: PGlite;
let server: AuthenticatedServer;
const refused: string[] = [];
const url = (auth: string) => `postgres://${auth}@127.0.0.1:${server.port}/postgres`;

before(async () => {
  db = await PGlite.create();
  server = await startAuthenticatedServer({ db, host: '127.0.0.1', port: 0, user: 'postgres', verifier: scramVerifier(PASSWORD), onRefused: (r) => refused.push(r) });
});
after(async () => {
  await server.stop();
  await db.close();
});

async function connectError(connectionString: string): Promise<Error & { code?: string; severity?: string }> {
  const c = new pg.Client({ connectionString });
  try {
    await c.connect();
  } catch (e) {
    return e as Error & { code?: string };
  } finally {
    await c.end().catch(() => {});
  }
  assert.fail(`connected to ${connectionString.replace(/:[^@/]*@/, ':***@')}`);
}

/** Raw bytes of one exchange: send `out`, collect what comes back until the server closes or `ms` passes. */
function exchange(out: Buffer[], ms = 1000): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      clearTimeout(t);
      resolve({ data: Buffer.concat(chunks), closed });
    });
    const t = setTimeout(() => {
      s.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    }, ms);
    s.on('connect', () => out.forEach((b) => s.write(b)));
  });
}

function startup(user: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0postgres\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}
const request = (code: number) => {
  const b = Buffer.alloc(8);
  b.writeInt32BE(8, 0);
  b.writeInt32BE(code, 4);
  return b;
};

test('the right password connects and queries; AuthenticationOk and the first ReadyForQuery arrive once', async () => {
  const c = new pg.Client({ connectionString: url(`postgres:${PASSWORD}`) });
  const seen: string[] = [];
  for (const ev of ['authenticationOk', 'readyForQuery', 'authenticationSASLFinal']) c.connection.on(ev, () => seen.push(ev));
  await c.connect();
  try {
    assert.deepEqual(seen, ['authenticationSASLFinal', 'authenticationOk', 'readyForQuery']);
    const r = await c.query<{ n: number }>('select 41 + 1 as n');
    assert.equal(r.rows[0]?.n, 42);
    // A second, concurrent connection shares the one database.
    const c2 = new pg.Client({ connectionString: url(`postgres:${PASSWORD}`) });
    await c2.connect();
    await c.query('create table t (x int)');
    await c2.query('insert into t values (7)');
    assert.equal((await c.query<{ x: number }>('select x from t')).rows[0]?.x, 7);
    await c2.end();
  } finally {
    await c.end();
  }
});

test('a wrong password is refused with FATAL 28P01, as Postgres words it', async () => {
  const e = await connectError(url('postgres:wrong'));
  assert.equal(e.code, '28P01');
  assert.equal(e.severity, 'FATAL');
  assert.equal(e.message, 'password authentication failed for user "postgres"');
  assert.ok(refused.length > 0, 'refused connections are reported');
});

test('no password is refused', async () => {
  const e = await connectError(url('postgres'));
  assert.match(e.message, /password/i);
  // And a client that just stops answering after the SASL request gets nothing but the request.
  const r = await exchange([startup('postgres')], 300);
  assert.equal(r.data[0], 'R'.charCodeAt(0));
  assert.equal(r.data.length, 1 + r.data.readInt32BE(1), 'only AuthenticationSASL, no AuthenticationOk or query results');
});

test('another user is refused the same way, even with the right password', async () => {
  const e = await connectError(url(`alice:${PASSWORD}`));
  assert.equal(e.code, '28P01');
  assert.equal(e.message, 'password authentication failed for user "alice"');
});

test('only SCRAM-SHA-256 is offered (never cleartext or md5), after SSL and GSS requests are declined', async () => {
  const r = await exchange([request(80877103), request(80877104), startup('postgres')], 300);
  assert.equal(r.data.subarray(0, 2).toString(), 'NN');
  const m = r.data.subarray(2);
  assert.equal(m[0], 'R'.charCodeAt(0));
  assert.equal(m.readInt32BE(5), 10, 'AuthenticationSASL (3 would be cleartext, 5 md5)');
  assert.deepEqual(m.subarray(9, 1 + m.readInt32BE(1)).toString().split('\0'), ['SCRAM-SHA-256', '', '']);
});

test('a newer 3.x minor version or _pq_ options get NegotiateProtocolVersion (3.0, options listed), then SCRAM', async () => {
  const body = Buffer.from('user\0postgres\0_pq_.future\0on\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196610, 4); // 3.2
  const r = await exchange([Buffer.concat([head, body])], 300);
  assert.equal(r.data[0], 'v'.charCodeAt(0));
  const len = r.data.readInt32BE(1);
  assert.deepEqual([r.data.readInt32BE(5), r.data.readInt32BE(9), r.data.subarray(13, 1 + len).toString()], [196608, 1, '_pq_.future\0']);
  const next = r.data.subarray(1 + len);
  assert.deepEqual([String.fromCharCode(next[0]!), next.readInt32BE(5)], ['R', 10]);
  const v4 = Buffer.from(head);
  v4.writeInt32BE(4 << 16, 4);
  const old = await exchange([Buffer.concat([v4, body])]);
  assert.ok(old.closed);
  assert.match(old.data.toString(), /C0A000\0Munsupported frontend protocol 4\.0/);
});

test('a CancelRequest, a missing user and garbage are closed without reaching the database', async () => {
  const cancel = Buffer.alloc(16);
  cancel.writeInt32BE(16, 0);
  cancel.writeInt32BE(80877102, 4);
  assert.deepEqual(await exchange([cancel]), { data: Buffer.alloc(0), closed: true });
  const noUser = await exchange([Buffer.concat([Buffer.from([0, 0, 0, 9, 0, 3, 0, 0]), Buffer.from([0])])]);
  assert.ok(noUser.closed);
  assert.match(noUser.data.toString(), /C28000\0Mno PostgreSQL user name specified/);
  const garbage = await exchange([Buffer.from('GET / HTTP/1.1\r\n\r\n')]);
  assert.ok(garbage.closed);
  assert.match(garbage.data.toString(), /^E/);
});

test('the verifier checks RFC 7677\'s example exchange, and holds no password', () => {
  const v = scramVerifier('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
  const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const auth = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
  const mac = (k: Buffer) => createHmac('sha256', k).update(auth).digest();
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  const clientKey = Buffer.from(proof.map((b, i) => b ^ mac(v.storedKey)[i]!));
  assert.deepEqual(createHash('sha256').update(clientKey).digest(), v.storedKey, 'the RFC\'s ClientProof verifies');
  assert.equal(mac(v.serverKey).toString('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'and our ServerSignature is the RFC\'s');
  const text = formatScramVerifier(v);
  assert.match(text, /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
  assert.ok(!text.includes('pencil'));
});

function findPsql(): string | null {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .map((v) => `/usr/lib/postgresql/${v}/bin/psql`)
        .filter(existsSync)
    : [];
  if (debian[0]) return debian[0];
  const which = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}
const psql = findPsql();

test('psql: the right password queries, a wrong or missing one is refused', { skip: psql ? false : 'psql not installed (neither /usr/lib/postgresql/*/bin/psql nor on PATH)' }, async () => {
  const run = (auth: string, password: string | undefined) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // Async: the server answering psql runs on this process's event loop.
      const env = { ...process.env, PGCONNECT_TIMEOUT: '5' } as NodeJS.ProcessEnv;
      delete env.PGPASSWORD;
      if (password !== undefined) env.PGPASSWORD = password;
      const p = spawn(psql!, ['-w', '-X', '-A', '-t', '-c', 'select 6 * 7', url(auth)], { env });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d));
      p.stderr.on('data', (d: Buffer) => (stderr += d));
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  const ok = await run('postgres', PASSWORD);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '42');
  const wrong = await run('postgres', 'nope');
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /password authentication failed for user "postgres"/);
  const missing = await run('postgres', undefined);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /no password supplied|password authentication failed/);
  const alice = await run('alice', PASSWORD);
  assert.notEqual(alice.status, 0);
  assert.match(alice.stderr, /password authentication failed for user "alice"/);
});

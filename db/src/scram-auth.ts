/**
 * Password authentication in front of PGlite's wire-protocol server: SCRAM-SHA-256 as Postgres does
 * it (RFC 5802 / RFC 7677 over the SASL messages of the v3 protocol), in-process, on the one port.
 *
 * Each TCP connection is authenticated here first: SSLRequest and GSSENCRequest are answered 'N',
 * the StartupMessage is read, and only the configured user with the right password gets through;
 * anything else gets a FATAL ErrorResponse (28P01 `password authentication failed for user "…"`,
 * as Postgres words it) and is closed. Cleartext and md5 are never offered. Only then is the socket
 * handed to pglite-socket's handler, with the StartupMessage replayed to PGlite, which answers
 * AuthenticationOk, ParameterStatus, BackendKeyData and ReadyForQuery as it always did, so the
 * client sees each of them once, right after our AuthenticationSASLFinal.
 *
 * Only the SCRAM verifier (salt, iterations, StoredKey, ServerKey) is kept, never the password.
 * Passwords are used as their UTF-8 bytes: SASLprep is the identity on printable ASCII, which is
 * what generated passwords are.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** Postgres's default scram_iterations. */
export const SCRAM_ITERATIONS = 4096;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3_0 = 196608;
/** Startup packets larger than this are refused (Postgres: MAX_STARTUP_PACKET_LENGTH). */
const MAX_STARTUP = 10_000;
/** SASL messages larger than this are refused: a client-final message is well under 1 KiB. */
const MAX_SASL = 4096;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** The verifier Postgres would store for this password (pg_authid.rolpassword), with a fresh salt unless given. */
export function scramVerifier(password: string, opts: { salt?: Buffer; iterations?: number } = {}): ScramVerifier {
  const salt = opts.salt ?? randomBytes(16);
  const iterations = opts.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  return { iterations, salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** Postgres's text form: SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64). */
export function formatScramVerifier(v: ScramVerifier): string {
  return `${SCRAM_MECHANISM}$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

// ---- messages ---------------------------------------------------------------------------------

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function authMessage(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const c = Buffer.alloc(4);
  c.writeInt32BE(code);
  return message('R', Buffer.concat([c, data]));
}

const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');

/** A FATAL ErrorResponse (severity both localized and not, as servers since 9.6 send it). */
export function fatal(sqlstate: string, text: string): Buffer {
  return message('E', Buffer.concat([Buffer.from('S'), cstr('FATAL'), Buffer.from('V'), cstr('FATAL'), Buffer.from('C'), cstr(sqlstate), Buffer.from('M'), cstr(text), Buffer.from([0])]));
}

class AuthFailure extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
  ) {
    super(message);
  }
}

const protocolViolation = (text: string) => new AuthFailure('08P01', text);

/** Buffers a socket's bytes until the handshake is over; then hands back what it read past it. */
class Reader {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended = false;
  private readonly onData = (d: Buffer) => {
    this.buf = Buffer.concat([this.buf, d]);
    this.poke();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.poke();
  };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new AuthFailure('08006', 'connection closed during authentication');
      await new Promise<void>((r) => (this.wake = r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** A typed message (type byte, int32 length, body) of at most `max` bytes. */
  async typed(max: number): Promise<{ type: string; body: Buffer }> {
    const head = await this.take(5);
    const len = head.readInt32BE(1);
    if (len < 4 || len > max) throw protocolViolation(`invalid message length ${len}`);
    return { type: String.fromCharCode(head[0]!), body: await this.take(len - 4) };
  }

  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
    return this.buf;
  }
}

export interface Startup {
  params: Map<string, string>;
  /** The StartupMessage to replay to PGlite: protocol 3.0, without `_pq_.` options. */
  packet: Buffer;
}

function parseStartup(body: Buffer): { version: number; params: Map<string, string> } {
  const version = body.readInt32BE(0);
  const params = new Map<string, string>();
  const parts = body.subarray(4).toString('utf8').split('\0');
  // key\0value\0 … \0: an even number of parts before the final empty terminator.
  if (parts.length < 2 || parts[parts.length - 1] !== '' || parts[parts.length - 2] !== '' || (parts.length - 2) % 2 !== 0) {
    throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
  }
  for (let i = 0; i + 1 < parts.length - 2; i += 2) params.set(parts[i]!, parts[i + 1]!);
  return { version, params };
}

function startupPacket(params: Map<string, string>): Buffer {
  const body = Buffer.concat([...[...params].flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(PROTOCOL_3_0, 4);
  return Buffer.concat([head, body]);
}

/** Reads up to the StartupMessage, answering SSL/GSS requests 'N'. Null for a CancelRequest. */
async function readStartup(reader: Reader, socket: Socket): Promise<Startup | null> {
  for (;;) {
    const len = (await reader.take(4)).readInt32BE(0);
    if (len < 8 || len > MAX_STARTUP) throw protocolViolation('invalid length of startup packet');
    const body = await reader.take(len - 4);
    const code = body.readInt32BE(0);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      socket.write('N');
      continue;
    }
    if (code === CANCEL_REQUEST) return null;
    const { version, params } = parseStartup(body);
    if (version >>> 16 !== 3) throw new AuthFailure('0A000', `unsupported frontend protocol ${version >>> 16}.${version & 0xffff}: server supports 3.0 to 3.0`);
    const unknown = [...params.keys()].filter((k) => k.startsWith('_pq_.'));
    if ((version & 0xffff) !== 0 || unknown.length) {
      // NegotiateProtocolVersion: we speak 3.0 and none of the protocol options.
      const n = Buffer.alloc(8);
      n.writeInt32BE(PROTOCOL_3_0, 0);
      n.writeInt32BE(unknown.length, 4);
      socket.write(message('v', Buffer.concat([n, ...unknown.map(cstr)])));
      for (const k of unknown) params.delete(k);
    }
    return { params, packet: startupPacket(params) };
  }
}

/** `a=b,c=d` → [['a','b'],['c','d']] in order; throws on a part without `x=`. */
function attributes(s: string): [string, string][] {
  return s.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw protocolViolation(`malformed SCRAM message (attribute expected, got "${part.slice(0, 20)}")`);
    return [part[0]!, part.slice(2)];
  });
}

export interface ScramAuthOptions {
  /** The one user allowed in. */
  user: string;
  verifier: ScramVerifier;
  /** Told of each connection refused with an ErrorResponse (its message: no secrets in it). */
  onRefused?: (reason: string) => void;
}

/** A verifier no password matches, with a salt stable per user name, so unknown users look like known ones. */
const mockSecret = randomBytes(32);
function mockVerifier(user: string, iterations: number): ScramVerifier {
  const k = hmac(mockSecret, user);
  return { iterations, salt: k.subarray(0, 16), storedKey: hmac(k, 'stored'), serverKey: hmac(k, 'server') };
}

/**
 * Runs the startup and SCRAM-SHA-256 exchange on `socket`. Resolves with the StartupMessage to
 * replay and any bytes the client sent past the handshake, with the socket's listeners removed;
 * or null when the connection was refused (an ErrorResponse was sent) or was a CancelRequest, in
 * which case the socket is closed.
 */
export async function authenticate(socket: Socket, opts: ScramAuthOptions): Promise<{ startup: Startup; rest: Buffer } | null> {
  const reader = new Reader(socket);
  const refuse = (e: unknown): null => {
    reader.detach();
    if (e instanceof AuthFailure && e.sqlstate !== '08006' && socket.writable) {
      socket.end(fatal(e.sqlstate, e.message));
      opts.onRefused?.(e.message);
    } else socket.destroy();
    return null;
  };
  try {
    const startup = await readStartup(reader, socket);
    if (!startup) {
      // A CancelRequest: PGlite runs one query at a time and cannot cancel it; close, as Postgres does.
      reader.detach();
      socket.destroy();
      return null;
    }
    const user = startup.params.get('user');
    if (!user) throw new AuthFailure('28000', 'no PostgreSQL user name specified in startup packet');
    const failed = new AuthFailure('28P01', `password authentication failed for user "${user}"`);
    const known = user === opts.user;
    const v = known ? opts.verifier : mockVerifier(user, opts.verifier.iterations);

    // AuthenticationSASL: the one mechanism (no -PLUS: there is no TLS to bind to).
    socket.write(authMessage(10, Buffer.concat([cstr(SCRAM_MECHANISM), Buffer.from([0])])));
    const first = await reader.typed(MAX_SASL);
    if (first.type !== 'p') throw protocolViolation(`expected SASL response, got message type ${first.type.charCodeAt(0)}`);
    const mechEnd = first.body.indexOf(0);
    if (mechEnd < 0 || first.body.length < mechEnd + 5) throw protocolViolation('malformed SASLInitialResponse');
    if (first.body.subarray(0, mechEnd).toString() !== SCRAM_MECHANISM) throw protocolViolation('client selected an invalid SASL authentication mechanism');
    const dataLen = first.body.readInt32BE(mechEnd + 1);
    const clientFirst = first.body.subarray(mechEnd + 5).toString('utf8');
    if (dataLen !== Buffer.byteLength(clientFirst)) throw protocolViolation('malformed SASLInitialResponse');

    // client-first-message = gs2-header client-first-message-bare; gs2-header = cbind-flag "," [authzid] ","
    const m = /^(n|y|p=[^,]*),([^,]*),(.*)$/s.exec(clientFirst);
    if (!m) throw protocolViolation('malformed SCRAM message (GS2 header)');
    const [, cbind, authzid, bare] = m as unknown as [string, string, string, string];
    if (cbind.startsWith('p=')) throw protocolViolation('channel binding was not offered: the server has no TLS to bind to');
    if (authzid) throw protocolViolation('client uses authorization identity, but it is not supported');
    const gs2Header = `${cbind},,`;
    const bareAttrs = attributes(bare);
    // n= is ignored, as by Postgres (the user is the startup packet's); r= is the client nonce.
    if (bareAttrs[0]?.[0] !== 'n' || bareAttrs[1]?.[0] !== 'r' || !bareAttrs[1][1]) throw protocolViolation('malformed SCRAM message (client-first-message-bare)');
    if (bareAttrs.some(([k]) => k === 'm')) throw protocolViolation('SCRAM mandatory extensions are not supported');
    const nonce = bareAttrs[1][1] + randomBytes(18).toString('base64');
    const serverFirst = `r=${nonce},s=${v.salt.toString('base64')},i=${v.iterations}`;
    socket.write(authMessage(11, Buffer.from(serverFirst)));

    const final = await reader.typed(MAX_SASL);
    if (final.type !== 'p') throw protocolViolation(`expected SASL response, got message type ${final.type.charCodeAt(0)}`);
    const clientFinal = final.body.toString('utf8');
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw protocolViolation('malformed SCRAM message (proof missing)');
    const withoutProof = clientFinal.slice(0, proofAt);
    const finalAttrs = attributes(withoutProof);
    if (finalAttrs[0]?.[0] !== 'c' || finalAttrs[0][1] !== Buffer.from(gs2Header).toString('base64')) throw protocolViolation('SCRAM channel binding check failed');
    if (finalAttrs[1]?.[0] !== 'r' || finalAttrs[1][1] !== nonce) throw protocolViolation('SCRAM nonce mismatch');
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');

    const auth = `${bare},${serverFirst},${withoutProof}`;
    const clientSignature = hmac(v.storedKey, auth);
    const ok = proof.length === clientSignature.length && timingSafeEqual(sha256(xor(proof, clientSignature)), v.storedKey);
    if (!ok || !known) throw failed;

    socket.write(authMessage(12, Buffer.from(`v=${hmac(v.serverKey, auth).toString('base64')}`)));
    return { startup, rest: reader.detach() };
  } catch (e) {
    return refuse(e);
  }
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export interface AuthenticatedServerOptions extends Omit<ScramAuthOptions, 'onRefused'> {
  db: PGlite;
  host: string;
  port: number;
  maxConnections?: number;
  /** A connection that has not authenticated by then is closed (Postgres: authentication_timeout, 1 min). */
  authTimeoutMs?: number;
  /** Told of each connection refused (wrong password, unknown user, protocol error); not of probes that just close. */
  onRefused?: (remote: string, reason: string) => void;
}

export interface AuthenticatedServer {
  /** The port listened on (the chosen one when 0 was asked for). */
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves `db` on host:port behind SCRAM-SHA-256. Authenticated connections are run by pglite-socket's
 * own handler on the query queue of a PGLiteSocketServer that is never started (its queue is what
 * serializes the connections' queries on the one PGlite), so nothing listens unauthenticated.
 */
export async function startAuthenticatedServer(opts: AuthenticatedServerOptions): Promise<AuthenticatedServer> {
  await opts.db.waitReady;
  // The queue is private to PGLiteSocketServer; element access is TypeScript's sanctioned way to it.
  const queryQueue = new PGLiteSocketServer({ db: opts.db })['queryQueue'];
  const max = opts.maxConnections ?? 32;
  const sockets = new Set<Socket>();
  const handlers = new Set<PGLiteSocketHandler>();

  const onConnection = async (socket: Socket): Promise<void> => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a reset mid-handshake must not crash the server
    if (sockets.size > max) {
      socket.end(fatal('53300', 'sorry, too many clients already'));
      return;
    }
    const timer = setTimeout(() => socket.destroy(), opts.authTimeoutMs ?? 60_000);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const result = await authenticate(socket, { user: opts.user, verifier: opts.verifier, onRefused: (reason) => opts.onRefused?.(remote, reason) });
    clearTimeout(timer);
    if (!result || socket.destroyed) return;
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    // attach() adds its 'data' listener synchronously, before any further byte can arrive.
    void handler.attach(socket);
    socket.emit('data', Buffer.concat([result.startup.packet, result.rest]));
  };

  const server: Server = createServer((s) => void onConnection(s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    async stop() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await Promise.all([...handlers].map((h) => h.detach(true)));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

// Helpers for the infra tests: throwaway Node services and pid checks.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAlive } from './supervisor';

const created: string[] = [];
process.once('exit', () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

/** A temp dir removed when the test process exits. */
export function tmpDir(prefix = 'reprolab-infra-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(d);
  return d;
}

/** `node -e` source for a TCP server on `port` (after `delayMs`). */
export function tcpServerSrc(port: number, delayMs = 0): string {
  return `setTimeout(()=>require('net').createServer(s=>s.end()).listen(${port},'127.0.0.1',()=>console.log('tcp up ${port}')),${delayMs})`;
}

/** `node -e` source for an HTTP server answering `status` on every path. */
export function httpServerSrc(port: number, status = 200): string {
  return `require('http').createServer((q,r)=>{r.statusCode=${status};r.end('ok')}).listen(${port},'127.0.0.1',()=>console.log('http up ${port}'))`;
}

export const NODE = process.execPath;

export async function waitDead(pids: number[], ms = 5_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (!alive.length || Date.now() > end) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * True when a connection to 127.0.0.1:port is refused, i.e. nothing listens there.
 * Tests assert this rather than "the port can be bound again": ports handed out by the OS come
 * from the ephemeral range, so once freed a parallel test's outgoing connection may reuse the
 * number, which blocks a bind without anything listening.
 */
export function nothingListens(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(1_000, () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

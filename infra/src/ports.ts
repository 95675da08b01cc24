// Port pre-flight checks: refuse to start anything when a port is taken, naming who needs it.
import * as net from 'node:net';

export interface PortNeed {
  /** Service (or part of one) that needs the port, e.g. "temporal" or "temporal UI". */
  name: string;
  host: string;
  port: number;
}

export const DEFAULT_PORT_HINT =
  'stop whatever holds it (an earlier stack: `reprolab down`; find it with `ss -ltnp`), ' +
  'or shift every port with `--port-offset N` (env REPROLAB_PORT_OFFSET=N)';

export class PortInUseError extends Error {
  constructor(
    readonly busy: PortNeed[],
    hint: string = DEFAULT_PORT_HINT,
  ) {
    const what = busy.map((b) => `${b.host}:${b.port} (needed by ${b.name})`).join(', ');
    super(`port${busy.length > 1 ? 's' : ''} already in use: ${what}. Nothing was started. Fix: ${hint}.`);
    this.name = 'PortInUseError';
  }
}

/** True when something accepts connections on host:port (catches listeners on other addresses). */
function accepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** True when we can bind host:port ourselves right now. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function isPortFree(host: string, port: number): Promise<boolean> {
  if (await accepts(host, port)) return false;
  return canBind(host, port);
}

/** Throws PortInUseError listing every busy port; checks all before failing. */
export async function assertPortsFree(needs: PortNeed[], hint?: string): Promise<void> {
  const busy: PortNeed[] = [];
  for (const n of needs) if (!(await isPortFree(n.host, n.port))) busy.push(n);
  if (busy.length) throw new PortInUseError(busy, hint);
}

/** A port the OS reports free right now (racy by nature: use it promptly). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

/**
 * Several "hosts" on one machine: Linux network namespaces joined by a bridge. Each host has its
 * own network stack (its own loopback, one veth into the bridge), so a worker in it reaches the
 * servers only through the bridge address, and pulling its veth down cuts it off like a cable.
 * Everything is named after this process (`rl<id>…`), made by the test and removed by it; leftovers
 * of a test that died are removed on the next start. Needs root and iproute2.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { ServiceSpec } from '@reprolab/infra/supervisor';

export interface NetHost {
  /** The namespace's name (`ip netns exec NAME …`). */
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** The root-side end of its veth: down = the host is cut off. */
  veth: string;
}

export interface HostNetwork {
  /** The bridge's address, in the root namespace (where the test itself runs). */
  bridgeIp: string;
  /** A namespace of its own for the servers (Temporal, MinIO, Postgres): what they bind reaches no further than the bridge. */
  server: NetHost;
  /** The subnet, for Postgres' pg_hba. */
  cidr: string;
  hosts: NetHost[];
  /** Starts `command` inside host `i`'s namespace, in its own process group. */
  spawnIn(i: number, command: string, args: string[], opts?: SpawnOptions): ChildProcess;
  /** The same service, started inside the servers' namespace. */
  inServerHost(spec: ServiceSpec): ServiceSpec;
  /** The pids running in host `i` (every process in its namespace). */
  pids(i: number): number[];
  /** SIGKILLs every process in host `i`: the machine dies, nothing shuts down cleanly. */
  killAll(i: number): void;
  linkDown(i: number): void;
  linkUp(i: number): void;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe', encoding: 'utf8' });

/** Why namespaces cannot be built here, or null when they can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the suite as root, as CI does)';
  try {
    ip('-V');
  } catch {
    return 'iproute2 is not installed (`apt-get install -y iproute2`)';
  }
  return null;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Removes namespaces and bridges left by a test process that no longer exists. */
function sweepLeftovers(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const m = /^rl(\d+)(h\d+|srv)\b/.exec(line);
    if (m && !alive(Number(m[1]))) ip('netns', 'del', line.split(' ')[0]!);
  }
  for (const line of ip('-o', 'link', 'show', 'type', 'bridge').split('\n')) {
    const m = /^\d+: (rl(\d+)br)[:@]/.exec(line);
    if (m && !alive(Number(m[2]))) ip('link', 'del', m[1]!);
  }
}

export function createHostNetwork(count: number): HostNetwork {
  const why = netnsUnavailable();
  if (why) throw new Error(why);
  sweepLeftovers();
  const id = `rl${process.pid}`; // ≤ 9 chars: interface names stop at 15
  const subnet = `10.${200 + (process.pid % 50)}.${Math.floor(process.pid / 50) % 250}`;
  const bridge = `${id}br`;
  const server: NetHost = { ns: `${id}srv`, ip: `${subnet}.2`, veth: `${id}vs` };
  const hosts: NetHost[] = Array.from({ length: count }, (_, i) => ({ ns: `${id}h${i + 1}`, ip: `${subnet}.${11 + i}`, veth: `${id}v${i + 1}` }));
  const all = [server, ...hosts];
  const destroy = () => {
    for (const h of all) {
      try {
        // A namespace outlives `netns del` while a process is still in it: end them first.
        for (const pid of ip('netns', 'pids', h.ns).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
        ip('netns', 'del', h.ns);
      } catch {
        // already gone
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // already gone
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (const h of all) {
      ip('netns', 'add', h.ns);
      ip('link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      ip('link', 'set', h.veth, 'master', bridge, 'up');
      ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0');
      ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
      ip('-n', h.ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    destroy();
    throw e;
  }
  const pids = (i: number) =>
    ip('netns', 'pids', hosts[i]!.ns)
      .split('\n')
      .filter(Boolean)
      .map(Number);
  return {
    bridgeIp: `${subnet}.1`,
    cidr: `${subnet}.0/24`,
    server,
    hosts,
    inServerHost: (spec) => ({ ...spec, bindsElsewhere: true, command: 'ip', args: ['netns', 'exec', server.ns, spec.command, ...spec.args] }),
    spawnIn: (i, command, args, opts = {}) => spawn('ip', ['netns', 'exec', hosts[i]!.ns, command, ...args], { detached: true, ...opts }),
    pids,
    killAll(i) {
      for (const pid of pids(i)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
    },
    linkDown: (i) => void ip('link', 'set', hosts[i]!.veth, 'down'),
    linkUp: (i) => void ip('link', 'set', hosts[i]!.veth, 'up'),
    destroy,
  };
}

// Generic local process supervisor: starts services in order, each in its own process group,
// waits for health, records pids in <stateDir>/stack.json, and stops whole groups (no orphans).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { assertPortsFree, type PortNeed } from './ports';

export type HealthCheck =
  | { kind: 'tcp' }
  | { kind: 'http'; path: string; expectStatus?: number }
  | { kind: 'log'; pattern: RegExp };

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  port?: number;
  host?: string;
  health: HealthCheck;
  startTimeoutMs?: number;
  /** The service binds in another network namespace: its ports cannot be checked from here (its health check still reaches it). */
  bindsElsewhere?: boolean;
  /** Other ports the service binds (checked before anything starts), e.g. a web UI. */
  extraPorts?: { name: string; port: number }[];
  /** Shown after start, e.g. "UI http://127.0.0.1:8233". */
  urls?: string[];
}

export interface ServiceState {
  name: string;
  pid: number;
  /** Process group id (= pid: every service leads its own group). */
  pgid: number;
  /** /proc start time of the leader, to tell a reused pid from ours. */
  procStart?: string;
  host?: string;
  port?: number;
  extraPorts?: { name: string; port: number }[];
  command: string;
  args: string[];
  logFile: string;
  startedAt: string;
}

export interface StackState {
  version: 1;
  phase: 'starting' | 'running';
  supervisorPid: number;
  supervisorProcStart?: string;
  detach: boolean;
  startedAt: string;
  services: ServiceState[];
  env?: Record<string, string>;
}

export interface StartOptions {
  stateDir: string;
  services: ServiceSpec[];
  detach: boolean;
  /** Env the stack's clients need; stored in stack.json and <stateDir>/env.json. */
  stackEnv?: Record<string, string>;
  log?: (line: string) => void;
  /** How to fix a port conflict, used in PortInUseError. */
  portHint?: string;
  stopTimeoutMs?: number;
  /** Runs after a service is healthy and before the next starts (e.g. the first admin token once the db is up); a throw stops the stack. */
  afterService?: (name: string) => Promise<void>;
}

export interface RunningStack {
  stateDir: string;
  state: StackState;
  /** Child handles (only in the process that started the stack). */
  children: Map<string, ChildProcess>;
}

export class StackAlreadyRunningError extends Error {
  constructor(
    readonly stateDir: string,
    readonly state: StackState,
  ) {
    const pids = state.services.map((s) => `${s.name}=${s.pid}`).join(', ') || `supervisor ${state.supervisorPid} (starting)`;
    super(`a stack is already running from ${stateDir} (${pids}, started ${state.startedAt}). Stop it first with \`reprolab down\` (stopStack), or use another state dir.`);
    this.name = 'StackAlreadyRunningError';
  }
}

export class ServiceStartError extends Error {
  constructor(
    readonly service: string,
    readonly reason: string,
    readonly logFile: string,
    readonly logTail: string[],
  ) {
    super(
      `service "${service}" failed to start: ${reason}\n` +
        `--- last ${logTail.length} lines of ${logFile} ---\n${logTail.join('\n')}\n---\n` +
        `Every service started before it was stopped.`,
    );
    this.name = 'ServiceStartError';
  }
}

export class StartAbortedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`start interrupted by ${signal}; every service started so far was stopped`);
    this.name = 'StartAbortedError';
  }
}

export class OrphanProcessError extends Error {
  constructor(readonly survivors: { name: string; pids: number[] }[]) {
    super(`processes survived SIGKILL: ${survivors.map((s) => `${s.name}: ${s.pids.join(',')}`).join('; ')}; state file kept so \`down\` can be retried`);
    this.name = 'OrphanProcessError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function stateFile(stateDir: string): string {
  return path.join(stateDir, 'stack.json');
}
export function envFile(stateDir: string): string {
  return path.join(stateDir, 'env.json');
}
export function logFileFor(stateDir: string, name: string): string {
  return path.join(stateDir, 'logs', `${name}.log`);
}

// ---- process inspection (Linux /proc; kill(0) elsewhere) ----

const HAS_PROC = fs.existsSync('/proc/self/stat');

function procStat(pid: number): { state: string; pgrp: number; start: string } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces/parens: fields start after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0] ?? '?', pgrp: Number(f[2]), start: f[19] ?? '' };
  } catch {
    return null;
  }
}

function killProbe(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie (a zombie nobody reaps must not count as running). */
export function isAlive(pid: number): boolean {
  if (!HAS_PROC) return killProbe(pid);
  const st = procStat(pid);
  return !!st && st.state !== 'Z' && st.state !== 'X';
}

function procStartOf(pid: number): string | undefined {
  return HAS_PROC ? procStat(pid)?.start : undefined;
}

/**
 * A zombie thread-group leader whose other threads are still tearing down: the process still
 * holds its files and sockets (a server's port stays open), so it is not gone yet.
 */
function stillExiting(pid: number): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false;
  }
}

/** Live members of a process group (zombies count only while their threads still exit). */
export function groupPids(pgid: number): number[] {
  if (!HAS_PROC) return killProbe(-pgid) ? [pgid] : [];
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    const st = procStat(Number(e));
    if (st && st.pgrp === pgid && (st.state === 'Z' || st.state === 'X' ? stillExiting(Number(e)) : true)) out.push(Number(e));
  }
  return out;
}

function serviceAlive(s: ServiceState): boolean {
  const members = groupPids(s.pgid);
  if (!members.length) return false;
  // Leader alive with another start time: the pid was reused, the group is not ours.
  if (s.procStart && members.includes(s.pgid) && procStartOf(s.pgid) !== s.procStart) return false;
  return true;
}

function supervisorStarting(st: StackState): boolean {
  if (st.phase !== 'starting' || !isAlive(st.supervisorPid)) return false;
  return !st.supervisorProcStart || procStartOf(st.supervisorPid) === st.supervisorProcStart;
}

// ---- state file ----

export async function readState(stateDir: string): Promise<StackState | null> {
  try {
    return JSON.parse(await fsp.readFile(stateFile(stateDir), 'utf8')) as StackState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (e instanceof SyntaxError) return null; // torn/corrupt file: treat as stale
    throw e;
  }
}

/** Owner-only: the state and env files carry the stack's credentials. */
async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, data, { mode: 0o600 });
  await fsp.rename(tmp, file);
}

async function writeState(stateDir: string, st: StackState): Promise<void> {
  await writeAtomic(stateFile(stateDir), JSON.stringify(st, null, 2) + '\n');
}

async function removeStateFiles(stateDir: string): Promise<void> {
  await fsp.rm(stateFile(stateDir), { force: true });
  await fsp.rm(envFile(stateDir), { force: true });
}

export interface StackStatus {
  stateDir: string;
  /** No state file. */
  absent: boolean;
  /** Some service (or a start in progress) is alive. */
  running: boolean;
  /** State file exists but nothing in it is alive. */
  stale: boolean;
  state: StackState | null;
  services: { name: string; pid: number; host?: string; port?: number; alive: boolean; pids: number[]; logFile: string }[];
}

export async function stackStatus(stateDir: string): Promise<StackStatus> {
  const dir = path.resolve(stateDir);
  const state = await readState(dir);
  const exists = fs.existsSync(stateFile(dir));
  if (!state) return { stateDir: dir, absent: !exists, running: false, stale: exists, state: null, services: [] };
  const services = state.services.map((s) => {
    const alive = serviceAlive(s);
    return {
      name: s.name,
      pid: s.pid,
      ...(s.host !== undefined ? { host: s.host } : {}),
      ...(s.port !== undefined ? { port: s.port } : {}),
      alive,
      pids: alive ? groupPids(s.pgid) : [],
      logFile: s.logFile,
    };
  });
  const running = services.some((s) => s.alive) || supervisorStarting(state);
  return { stateDir: dir, absent: false, running, stale: !running, state, services };
}

/**
 * Claims <stateDir>/stack.json with O_EXCL so two `up`s cannot race; a file left by a dead
 * stack (no live process) is removed and the claim retried.
 */
async function claimStateFile(stateDir: string, initial: StackState, log: (l: string) => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    try {
      await fsp.writeFile(stateFile(stateDir), JSON.stringify(initial, null, 2) + '\n', { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await stackStatus(stateDir);
    if (st.running && st.state) throw new StackAlreadyRunningError(stateDir, st.state);
    log(`removing stale ${stateFile(stateDir)} (no process from it is alive)`);
    await removeStateFiles(stateDir);
  }
  throw new Error(`could not claim ${stateFile(stateDir)}`);
}

// ---- logs & health ----

export async function logTail(file: string, lines = 20): Promise<string[]> {
  try {
    const fh = await fsp.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString('utf8').split('\n').filter((l) => l.length).slice(-lines);
    } finally {
      await fh.close();
    }
  } catch {
    return [];
  }
}

function tcpOk(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(1_000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

async function httpOk(host: string, port: number, p: string, expect?: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${p}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(3_000),
    });
    await res.body?.cancel();
    return expect !== undefined ? res.status === expect : res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

async function logMatches(file: string, fromOffset: number, pattern: RegExp): Promise<boolean> {
  try {
    const fh = await fsp.open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size <= fromOffset) return false;
      const buf = Buffer.alloc(size - fromOffset);
      await fh.read(buf, 0, buf.length, fromOffset);
      return new RegExp(pattern.source, pattern.flags.replace('g', '')).test(buf.toString('utf8'));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

function describeHealth(h: HealthCheck, host: string, port?: number): string {
  if (h.kind === 'tcp') return `tcp ${host}:${port}`;
  if (h.kind === 'http') return `http://${host}:${port}${h.path}`;
  return `log line matching ${h.pattern}`;
}

function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}

// ---- stopping ----

async function waitGroupGone(pgid: number, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = groupPids(pgid);
    if (!left.length || Date.now() >= deadline) return left;
    await sleep(50);
  }
}

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    /* group already gone */
  }
}

/** SIGTERM the group, wait, SIGKILL what is left; returns pids that survived even that. */
async function stopService(s: ServiceState, timeoutMs: number, log: (l: string) => void): Promise<number[]> {
  if (!serviceAlive(s)) return [];
  signalGroup(s.pgid, 'SIGTERM');
  let left = await waitGroupGone(s.pgid, timeoutMs);
  if (left.length) {
    log(`${s.name}: still running ${timeoutMs} ms after SIGTERM (pids ${left.join(',')}); sending SIGKILL`);
    signalGroup(s.pgid, 'SIGKILL');
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    left = await waitGroupGone(s.pgid, 5_000);
  }
  return left;
}

async function stopServices(
  services: ServiceState[],
  timeoutMs: number,
  log: (l: string) => void,
): Promise<{ stopped: string[]; survivors: { name: string; pids: number[] }[] }> {
  const stopped: string[] = [];
  const survivors: { name: string; pids: number[] }[] = [];
  for (const s of [...services].reverse()) {
    const wasAlive = serviceAlive(s);
    const left = await stopService(s, timeoutMs, log);
    if (left.length) survivors.push({ name: s.name, pids: left });
    else if (wasAlive) {
      stopped.push(s.name);
      log(`stopped ${s.name} (pid ${s.pid})`);
    }
  }
  return { stopped, survivors };
}

export interface StopResult {
  wasRunning: boolean;
  stopped: string[];
}

/** Stops every service of the stack in reverse order and removes the state files. */
export async function stopStack(
  stateDir: string,
  opts: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<StopResult> {
  const dir = path.resolve(stateDir);
  const log = opts.log ?? (() => {});
  const state = await readState(dir);
  if (!state) {
    await removeStateFiles(dir);
    return { wasRunning: false, stopped: [] };
  }
  const { stopped, survivors } = await stopServices(state.services, opts.timeoutMs ?? 10_000, log);
  if (survivors.length) throw new OrphanProcessError(survivors);
  await removeStateFiles(dir);
  return { wasRunning: stopped.length > 0, stopped };
}

// ---- starting ----

function openLog(file: string, header: string): { fd: number; offset: number } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  const offset = fs.fstatSync(fd).size;
  fs.writeSync(fd, header);
  return { fd, offset: offset + Buffer.byteLength(header) };
}

/**
 * Starts `services` in order. Refuses when a stack runs from stateDir or a port is busy
 * (nothing started). On a failed health check, a child exiting, or SIGINT/SIGTERM during
 * start, stops everything it started and throws.
 */
export async function startStack(opts: StartOptions): Promise<RunningStack> {
  const stateDir = path.resolve(opts.stateDir);
  const log = opts.log ?? ((l: string) => console.log(l));
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  await fsp.mkdir(path.join(stateDir, 'logs'), { recursive: true });

  const names = new Set<string>();
  for (const s of opts.services) {
    if (names.has(s.name)) throw new Error(`duplicate service name "${s.name}"`);
    if (!/^[A-Za-z0-9._-]+$/.test(s.name)) throw new Error(`bad service name "${s.name}" (used as a log file name)`);
    names.add(s.name);
  }

  const state: StackState = {
    version: 1,
    phase: 'starting',
    supervisorPid: process.pid,
    ...(procStartOf(process.pid) ? { supervisorProcStart: procStartOf(process.pid)! } : {}),
    detach: opts.detach,
    startedAt: new Date().toISOString(),
    services: [],
    ...(opts.stackEnv ? { env: opts.stackEnv } : {}),
  };
  await claimStateFile(stateDir, state, log);

  const needs: PortNeed[] = [];
  for (const s of opts.services) {
    if (s.bindsElsewhere) continue;
    const host = s.host ?? '127.0.0.1';
    if (s.port !== undefined) needs.push({ name: s.name, host, port: s.port });
    for (const x of s.extraPorts ?? []) needs.push({ name: `${s.name} ${x.name}`, host, port: x.port });
  }
  try {
    await assertPortsFree(needs, opts.portHint);
  } catch (e) {
    await removeStateFiles(stateDir);
    throw e;
  }

  const children = new Map<string, ChildProcess>();
  let aborted: NodeJS.Signals | null = null;
  let wake: (() => void) | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!aborted) log(`${sig} received: stopping what was started…`);
    aborted = sig;
    wake?.();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const fail = async (err: Error): Promise<never> => {
    await stopServices(state.services, stopTimeoutMs, log);
    await removeStateFiles(stateDir);
    throw err;
  };

  try {
    for (const spec of opts.services) {
      if (aborted) return await fail(new StartAbortedError(aborted));
      const host = spec.host ?? '127.0.0.1';
      const logFile = logFileFor(stateDir, spec.name);
      const { fd, offset } = openLog(logFile, `\n==== ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
      let child: ChildProcess;
      try {
        child = spawn(spec.command, spec.args, {
          cwd: spec.cwd ?? process.cwd(),
          env: { ...process.env, ...spec.env },
          stdio: ['ignore', fd, fd],
          detached: true, // own process group: Ctrl-C does not hit it, and we can kill the whole tree
        });
      } finally {
        fs.closeSync(fd);
      }
      let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      let spawnError: Error | null = null;
      child.once('error', (e) => {
        spawnError = e;
        wake?.();
      });
      child.once('exit', (code, signal) => {
        exited = { code, signal };
        wake?.();
      });
      // 'error' (e.g. ENOENT) arrives asynchronously; give it a tick.
      await new Promise((r) => setImmediate(r));
      if (spawnError || child.pid === undefined) {
        const msg = (spawnError as Error | null)?.message ?? 'no pid';
        fs.appendFileSync(logFile, `spawn failed: ${msg}\n`);
        return await fail(new ServiceStartError(spec.name, `could not run ${spec.command}: ${msg}`, logFile, await logTail(logFile)));
      }
      children.set(spec.name, child);
      const svc: ServiceState = {
        name: spec.name,
        pid: child.pid,
        pgid: child.pid,
        ...(procStartOf(child.pid) ? { procStart: procStartOf(child.pid)! } : {}),
        ...(spec.port !== undefined ? { host, port: spec.port } : {}),
        ...(spec.extraPorts ? { extraPorts: spec.extraPorts } : {}),
        command: spec.command,
        args: spec.args,
        logFile,
        startedAt: new Date().toISOString(),
      };
      state.services.push(svc);
      await writeState(stateDir, state); // recorded before waiting: a crash here leaves a stoppable state

      const timeoutMs = spec.startTimeoutMs ?? 60_000;
      const t0 = Date.now();
      const health = spec.health;
      if (health.kind !== 'log' && spec.port === undefined) {
        return await fail(new ServiceStartError(spec.name, `health check "${health.kind}" needs a port`, logFile, []));
      }
      for (;;) {
        if (aborted) return await fail(new StartAbortedError(aborted));
        const ex = exited as { code: number | null; signal: NodeJS.Signals | null } | null;
        if (ex) {
          const how = ex.signal ? `signal ${ex.signal}` : `code ${ex.code}`;
          return await fail(new ServiceStartError(spec.name, `process exited (${how}) before it became healthy`, logFile, await logTail(logFile)));
        }
        const ok =
          health.kind === 'tcp'
            ? await tcpOk(host, spec.port!)
            : health.kind === 'http'
              ? await httpOk(host, spec.port!, health.path, health.expectStatus)
              : await logMatches(logFile, offset, health.pattern);
        // An exit racing a successful probe (e.g. port answered by someone else) still counts as failure.
        if (ok && !exited) break;
        if (Date.now() - t0 > timeoutMs) {
          return await fail(
            new ServiceStartError(spec.name, `not healthy after ${timeoutMs} ms (waiting for ${describeHealth(health, host, spec.port)})`, logFile, await logTail(logFile)),
          );
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, 200);
          wake = () => {
            clearTimeout(t);
            r();
          };
        });
        wake = null;
      }
      const where = spec.port !== undefined ? `${host}:${spec.port}` : 'no port';
      log(`✓ ${spec.name.padEnd(10)} ${where.padEnd(20)} pid ${child.pid}  ready in ${((Date.now() - t0) / 1000).toFixed(1)} s  log ${displayPath(logFile)}`);
      for (const u of spec.urls ?? []) log(`  ${' '.repeat(10)} ${u}`);
      if (opts.afterService) {
        try {
          await opts.afterService(spec.name);
        } catch (e) {
          return await fail(e as Error);
        }
      }
    }

    state.phase = 'running';
    await writeState(stateDir, state);
    if (opts.stackEnv) await writeAtomic(envFile(stateDir), JSON.stringify(opts.stackEnv, null, 2) + '\n');
    if (opts.detach) for (const c of children.values()) c.unref(); // let the starting CLI exit
    return { stateDir, state, children };
  } catch (e) {
    // Unexpected error (not one we raised through fail): still leave nothing behind.
    if (e instanceof ServiceStartError || e instanceof StartAbortedError) throw e;
    return await fail(e as Error);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export type ForegroundResult =
  | { reason: 'signal'; signal: NodeJS.Signals; stopped: string[] }
  | { reason: 'exited'; service: string; code: number | null; signal: NodeJS.Signals | null; logTail: string[]; stopped: string[] };

/**
 * Starts the stack attached to this process and keeps it up until SIGINT/SIGTERM (stops all,
 * cleanly) or until a service dies (reports which, then stops the rest). A second Ctrl-C
 * during the stop kills immediately. Resolves once everything is down.
 */
export async function runStackForeground(
  opts: Omit<StartOptions, 'detach'> & { onReady?: (stack: RunningStack) => void },
): Promise<ForegroundResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const stack = await startStack({ ...opts, detach: false });
  opts.onReady?.(stack);
  log('stack is up; press Ctrl-C to stop it');

  type Ev = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'exit'; service: string; code: number | null; signal: NodeJS.Signals | null };
  let stopping = false;
  let forceKill = false;
  let onSig: (signal: NodeJS.Signals) => void = () => {};
  const ev = await new Promise<Ev>((resolve) => {
    onSig = (signal: NodeJS.Signals) => {
      if (stopping) {
        forceKill = true; // second Ctrl-C: don't wait for graceful shutdown
        return;
      }
      stopping = true;
      resolve({ kind: 'signal', signal });
    };
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    for (const [service, child] of stack.children) {
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        if (!stopping) {
          stopping = true;
          resolve({ kind: 'exit', service, code, signal });
        }
      };
      if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
      else child.once('exit', onExit);
    }
  });

  let result: ForegroundResult;
  if (ev.kind === 'signal') {
    log(`${ev.signal}: stopping the stack…`);
    const { stopped } = await stopWithEscalation(stack.stateDir, () => forceKill, log);
    result = { reason: 'signal', signal: ev.signal, stopped };
  } else {
    const svc = stack.state.services.find((s) => s.name === ev.service);
    const tail = svc ? await logTail(svc.logFile) : [];
    log(
      `service "${ev.service}" exited unexpectedly (${ev.signal ? `signal ${ev.signal}` : `code ${ev.code}`}); stopping the rest.\n` +
        `--- last lines of ${svc?.logFile ?? '?'} ---\n${tail.join('\n')}\n---`,
    );
    const { stopped } = await stopWithEscalation(stack.stateDir, () => forceKill, log);
    result = { reason: 'exited', service: ev.service, code: ev.code, signal: ev.signal, logTail: tail, stopped };
  }
  process.off('SIGINT', onSig);
  process.off('SIGTERM', onSig);
  return result;
}

async function stopWithEscalation(stateDir: string, force: () => boolean, log: (l: string) => void): Promise<StopResult> {
  // A second Ctrl-C during the graceful stop SIGKILLs every group at once.
  const timer = setInterval(async () => {
    if (!force()) return;
    clearInterval(timer);
    const st = await readState(stateDir);
    for (const s of st?.services ?? []) signalGroup(s.pgid, 'SIGKILL');
  }, 100);
  try {
    return await stopStack(stateDir, { log });
  } finally {
    clearInterval(timer);
  }
}

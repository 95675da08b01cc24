// Resolves the binaries npm cannot supply: the stack's servers (Temporal CLI, MinIO server) and
// the Kubernetes manifest checkers (kustomize, kubeconform; Go module proxy only, no download).
// Order: env override → PATH → cache → official download (where one is pinned) → `go install`.
import { spawn, execFile } from 'node:child_process';
import { constants as fsc, createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import versions from './versions.json' with { type: 'json' };

export type ToolName = 'temporal' | 'minio' | 'kustomize' | 'kubeconform';
export type ToolSource = 'env' | 'path' | 'cache' | 'download' | 'go-install';

export interface ResolvedTool {
  name: ToolName;
  path: string;
  version: string;
  source: ToolSource;
}

export interface ResolveOptions {
  /** Allow `go install` from source (default true). */
  build?: boolean;
  /** Allow the official release download (default true). */
  download?: boolean;
  log?: (line: string) => void;
  /** Env to read overrides/PATH/cache dirs from (default process.env); tests inject one. */
  env?: NodeJS.ProcessEnv;
}

interface ToolPin {
  version: string;
  module: string;
  minGo: string;
  versionArgs: string[];
  versionMatch: string;
  /** The module the package is in, and its Go checksum-database hash (h1:…), checked before building. */
  moduleRoot: string;
  moduleSum: string;
  /** An official release download; absent for tools installed only with `go install`. */
  download?: {
    url: string;
    /** Pinned sha256 of the release file per `{os}-{arch}`; a platform without one is not downloaded. */
    sha256: Record<string, string>;
    format: 'tar.gz' | 'binary';
    os: Record<string, string>;
    arch: Record<string, string>;
  };
}

const PINS = versions as unknown as Record<ToolName, ToolPin>;
/** The stack's servers: what `up`, `doctor` and `npm run tools:install` resolve. */
export const TOOL_NAMES: readonly ToolName[] = ['temporal', 'minio'];
/** What renders and validates the Kubernetes manifests (infra/k8s): `tools:install -- --k8s`, the static suite. */
export const K8S_TOOL_NAMES: readonly ToolName[] = ['kustomize', 'kubeconform'];

export const INSTALL_COMMAND = 'npm run tools:install';
const CONNECT_TIMEOUT_MS = 4_000;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export function toolPin(name: ToolName): Readonly<ToolPin> {
  return PINS[name];
}

export function envVarFor(name: ToolName): string {
  return `REPROLAB_${name.toUpperCase()}_BIN`;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REPROLAB_CACHE_DIR) return path.resolve(env.REPROLAB_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(xdg, 'reprolab');
}

/** `<cache>/tools/<name>-<version>/` — matches what a manual `GOBIN=… go install` produces. */
export function toolCacheDir(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'tools', `${name}-${PINS[name].version}`);
}

export function toolCachePath(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(toolCacheDir(name, env), name);
}

export class ToolNotFoundError extends Error {
  constructor(
    readonly tool: ToolName,
    readonly tried: string[],
    readonly fix: string,
  ) {
    super(
      `${tool} ${PINS[tool].version} could not be resolved.\n` +
        tried.map((t) => `  - ${t}`).join('\n') +
        `\nFix: ${fix}`,
    );
    this.name = 'ToolNotFoundError';
  }
}

function fixFor(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const pin = PINS[name];
  return (
    `install Go >= ${pin.minGo} and run \`${INSTALL_COMMAND}\` ` +
    `(builds ${pin.module}@${pin.version} into ${toolCacheDir(name, env)}), ` +
    `or set ${envVarFor(name)}=/path/to/${name}, ` +
    `or point ${MIRROR_ENV} at a mirror of the release downloads`
  );
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: opts.env, timeout: opts.timeoutMs ?? 15_000, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr), ...(error ? { error } : {}) });
      },
    );
  });
}

async function whichOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (await isExecutable(p)) return p;
  }
  return null;
}

const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function readUvarint(buf: Buffer, off: number): [number, number] | null {
  let x = 0;
  let shift = 0;
  for (let i = off; i < buf.length && i < off + 10; i++) {
    const b = buf[i]!;
    x += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [x, i + 1];
    shift += 7;
  }
  return null;
}

/**
 * Reads the module info Go embeds in every binary (what `go version -m` shows), without
 * needing Go installed: `go install` builds print placeholder versions (0.0.0-DEV,
 * DEVELOPMENT.GOGET) from `--version`, so this is the only reliable version for them.
 */
export async function readGoModInfo(binary: string): Promise<string | null> {
  const stream = createReadStream(binary, { highWaterMark: 1 << 20 });
  let tail: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf: Buffer = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      const at = buf.indexOf(BUILDINFO_MAGIC);
      if (at >= 0 && buf.length - at >= 32 + 64 * 1024) return parseBuildInfo(buf.subarray(at));
      if (at >= 0) {
        // Header found near the end of this chunk: keep it and read a bit more.
        tail = buf.subarray(at);
        continue;
      }
      tail = buf.subarray(Math.max(0, buf.length - BUILDINFO_MAGIC.length));
    }
    return tail.indexOf(BUILDINFO_MAGIC) === 0 ? parseBuildInfo(tail) : null;
  } catch {
    return null;
  } finally {
    stream.destroy();
  }
}

function parseBuildInfo(buf: Buffer): string | null {
  // Go ≥1.18 layout: 14-byte magic, ptr size, flags; flag 0x2 = strings inline at offset 32.
  const flags = buf[15];
  if (flags === undefined || (flags & 0x2) === 0) return null;
  const v = readUvarint(buf, 32);
  if (!v) return null;
  const m = readUvarint(buf, v[1] + v[0]);
  if (!m) return null;
  const mod = buf.subarray(m[1], m[1] + m[0]).toString('utf8');
  // Go wraps the text in 16-byte sentinels (same check as debug/buildinfo).
  return mod.length >= 33 && mod[mod.length - 17] === '\n' ? mod.slice(16, -16) : mod;
}

/** Checks that `bin` is the pinned version: its `--version` output, else its Go module info. */
export async function checkVersion(
  name: ToolName,
  bin: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ok: boolean; reported: string }> {
  const pin = PINS[name];
  const res = await run(bin, pin.versionArgs, { env, timeoutMs: 15_000 });
  const reported = (res.stdout + res.stderr).split('\n')[0]?.trim() ?? '';
  if (res.code === 0 && new RegExp(pin.versionMatch).test(res.stdout + res.stderr)) {
    return { ok: true, reported };
  }
  if (res.code !== 0) return { ok: false, reported: reported || `exit ${res.code}` };
  const modinfo = await readGoModInfo(bin);
  if (modinfo) {
    const modPath = pin.module;
    const ok = modinfo
      .split('\n')
      .some((l) => {
        const [kind, p, ver] = l.split('\t');
        return kind === 'mod' && ver === pin.version && !!p && (modPath === p || modPath.startsWith(`${p}/`));
      });
    if (ok) return { ok: true, reported: `${reported} (go module ${pin.version})` };
  }
  return { ok: false, reported };
}

export const MIRROR_ENV = 'REPROLAB_TOOLS_MIRROR';

/**
 * The release URL for this platform. With REPROLAB_TOOLS_MIRROR=<base> (a proxy or artifact
 * store that mirrors by host, as most do) `https://github.com/x` becomes `<base>/github.com/x`:
 * the same files, checked against the same checksums, from a host the machine can reach.
 */
function expandUrl(tpl: string, name: ToolName, env: NodeJS.ProcessEnv = process.env): string | null {
  const pin = PINS[name];
  if (!pin.download) return null;
  const o = pin.download.os[process.platform];
  const a = pin.download.arch[process.arch];
  if (!o || !a) return null;
  const url = tpl
    .replaceAll('{version}', pin.version.replace(/^v/, ''))
    .replaceAll('{os}', o)
    .replaceAll('{arch}', a);
  const mirror = env[MIRROR_ENV]?.trim().replace(/\/+$/, '');
  return mirror ? url.replace(/^https?:\/\//, `${mirror}/`) : url;
}

export function downloadUrl(name: ToolName, env: NodeJS.ProcessEnv = process.env): string | null {
  const dl = PINS[name].download;
  return dl ? expandUrl(dl.url, name, env) : null;
}

/**
 * The pinned sha256 of this platform's release file, or null when none is pinned.
 * REPROLAB_<TOOL>_SHA256 replaces the pin: for a platform without one, or a mirror that rebuilt
 * the file — a sum you verified yourself, never one fetched from the mirror.
 */
export function pinnedSha256(name: ToolName, env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, arch: string = process.arch): string | null {
  const own = env[`REPROLAB_${name.toUpperCase()}_SHA256`]?.trim().toLowerCase();
  if (own) return own;
  const d = PINS[name].download;
  if (!d) return null;
  const o = d.os[platform];
  const a = d.arch[arch];
  return (o && a && d.sha256[`${o}-${a}`]) || null;
}

/** Refuses bytes whose sha256 is not the pinned one (a mirror cannot vouch for its own files). */
export function verifyPinnedDownload(name: ToolName, url: string, bytes: Uint8Array, want: string | null): void {
  const got = createHash('sha256').update(bytes).digest('hex');
  if (!want) throw new Error(`no sha256 pinned for ${process.platform}/${process.arch} in infra/src/versions.json; not trusting ${url}`);
  if (got !== want) throw new Error(`checksum mismatch for ${url}: got sha256 ${got}, pinned ${want} (infra/src/versions.json or REPROLAB_${name.toUpperCase()}_SHA256); the file was not installed`);
}

/** fetch that gives up quickly when the host is unreachable (offline machines). */
async function fetchFast(url: string): Promise<Response> {
  const ctl = new AbortController();
  const connect = setTimeout(() => ctl.abort(new Error(`no response within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
  try {
    const res = await fetch(url, { signal: ctl.signal, redirect: 'follow' });
    clearTimeout(connect);
    const overall = setTimeout(() => ctl.abort(new Error('download timed out')), DOWNLOAD_TIMEOUT_MS);
    overall.unref();
    return res;
  } catch (err) {
    clearTimeout(connect);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    throw new Error(e.cause?.code ?? e.cause?.message ?? e.message);
  }
}

async function downloadInto(name: ToolName, tmpDir: string, log: (l: string) => void, env: NodeJS.ProcessEnv): Promise<string> {
  const pin = PINS[name];
  const url = downloadUrl(name, env);
  if (!url) throw new Error(`no release build for ${process.platform}/${process.arch}`);
  // Nothing pinned: don't fetch at all (an unverifiable binary is never installed).
  if (!pinnedSha256(name, env)) throw new Error(`no sha256 pinned for ${process.platform}/${process.arch} in infra/src/versions.json (set REPROLAB_${name.toUpperCase()}_SHA256 to one you verified)`);
  log(`${name}: downloading ${url}`);
  const res = await fetchFast(url);
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} for ${url}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  verifyPinnedDownload(name, url, bytes, pinnedSha256(name, env));
  const out = path.join(tmpDir, name);
  if (pin.download?.format === 'binary') {
    await fs.writeFile(out, bytes, { mode: 0o755 });
  } else {
    const archive = path.join(tmpDir, 'archive.tar.gz');
    await fs.writeFile(archive, bytes);
    const r = await run('tar', ['-xzf', archive, '-C', tmpDir, name], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`tar failed: ${r.stderr.trim()}`);
    await fs.rm(archive, { force: true });
  }
  await fs.chmod(out, 0o755);
  return out;
}

function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function goVersion(env: NodeJS.ProcessEnv): Promise<string | null> {
  const go = await whichOnPath('go', env);
  if (!go) return null;
  const r = await run(go, ['env', 'GOVERSION'], { env });
  const m = /go(\d+(?:\.\d+)*)/.exec(r.stdout);
  return m ? m[1]! : null;
}

/** Pids of `go install <module>@<version>` already running (e.g. started by hand). */
async function runningGoInstalls(name: ToolName): Promise<number[]> {
  const target = `${PINS[name].module}@${PINS[name].version}`;
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = (await fs.readFile(`/proc/${e}/cmdline`, 'utf8')).split('\0');
      if (argv.includes('install') && argv.includes(target) && /(^|\/)go$/.test(argv[0] ?? '')) pids.push(Number(e));
    } catch {
      /* process went away */
    }
  }
  return pids;
}

async function goInstallInto(name: ToolName, tmpDir: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<string> {
  const pin = PINS[name];
  const go = (await whichOnPath('go', env))!;
  const target = `${pin.module}@${pin.version}`;
  await verifyModuleSum(name, go, env, log);
  log(`${name}: building from source: GOBIN=${tmpDir} go install ${target} (first build takes several minutes)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', target], {
      env: { ...env, GOBIN: tmpDir, GOFLAGS: [env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastLines: string[] = [];
    let downloads = 0;
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        lastLines = [...lastLines.slice(-30), line];
        // `go: downloading …` is noisy: summarize every 25 modules.
        if (line.startsWith('go: downloading')) {
          if (++downloads % 25 === 0) log(`${name}: downloaded ${downloads} modules…`);
        } else log(`${name}: ${line}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const tick = setInterval(() => log(`${name}: still building (${Math.round((Date.now() - started) / 1000)} s)…`), 30_000);
    child.on('error', (e) => {
      clearInterval(tick);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new Error(`go install ${target} exited ${code}:\n${lastLines.join('\n')}`));
    });
  });
  log(`${name}: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return path.join(tmpDir, name);
}

/**
 * Checks the module zip Go fetched against the pinned h1: hash before building from it. `go install`
 * also checks the Go checksum database, unless GOSUMDB=off or GONOSUMDB/GOPRIVATE cover the module
 * (common behind corporate proxies): the pin holds either way.
 */
async function verifyModuleSum(name: ToolName, go: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  const pin = PINS[name];
  const ref = `${pin.moduleRoot}@${pin.version}`;
  log(`${name}: fetching ${ref} and checking its pinned module hash`);
  const r = await run(go, ['mod', 'download', '-json', ref], { env: { ...env, GOFLAGS: '-mod=mod' }, timeoutMs: DOWNLOAD_TIMEOUT_MS });
  let info: { Sum?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    /* reported below */
  }
  if (r.code !== 0 || !info.Sum) throw new Error(`go mod download ${ref} failed: ${info.Error ?? (r.stderr.trim() || `exit ${r.code}`)}`);
  checkModuleSum(name, info.Sum);
}

export function checkModuleSum(name: ToolName, sum: string): void {
  const pin = PINS[name];
  if (sum !== pin.moduleSum) {
    throw new Error(`module ${pin.moduleRoot}@${pin.version} has hash ${sum}, pinned ${pin.moduleSum} (infra/src/versions.json): not building it. A proxy served different source than the Go checksum database records.`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Exclusive lock `<cache>/tools/<name>-<version>.lock` (O_EXCL create, holder pid inside),
 * so two resolvers never download/build the same tool at once. Stale locks (dead pid) are taken over.
 */
async function withLock<T>(lockPath: string, log: (l: string) => void, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const fh = await fs.open(lockPath, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (!Number.isFinite(holder) || !pidAlive(holder)) {
        // Holder died (or wrote nothing yet and died): break the stale lock.
        const age = await fs.stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => Infinity);
        if (Number.isFinite(holder) || age > 5_000) await fs.rm(lockPath, { force: true });
      } else if (!announced) {
        log(`waiting for pid ${holder} (holds ${lockPath})…`);
        announced = true;
      }
      await sleep(1_000);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function fromCache(name: ToolName, env: NodeJS.ProcessEnv): Promise<ResolvedTool | null> {
  const p = toolCachePath(name, env);
  if (!(await isExecutable(p))) return null;
  const r = await run(p, PINS[name].versionArgs, { env, timeoutMs: 15_000 });
  if (r.code !== 0) return null;
  return { name, path: p, version: PINS[name].version, source: 'cache' };
}

export async function resolveTool(name: ToolName, opts: ResolveOptions = {}): Promise<ResolvedTool> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const pin = PINS[name];
  const tried: string[] = [];

  const override = env[envVarFor(name)];
  if (override) {
    const p = path.resolve(override);
    if (!(await isExecutable(p))) {
      // An explicit override that is wrong must not silently fall back to something else.
      throw new ToolNotFoundError(name, [`${envVarFor(name)}=${override}: not an executable file`], `point ${envVarFor(name)} at the ${name} binary, or unset it`);
    }
    const v = await checkVersion(name, p, env);
    if (!v.ok) log(`${name}: ${envVarFor(name)} reports "${v.reported}", not ${pin.version}; using it anyway (explicit override)`);
    return { name, path: p, version: v.ok ? pin.version : v.reported, source: 'env' };
  }
  tried.push(`${envVarFor(name)}: not set`);

  const onPath = await whichOnPath(name, env);
  if (onPath) {
    const v = await checkVersion(name, onPath, env);
    if (v.ok) return { name, path: onPath, version: pin.version, source: 'path' };
    tried.push(`PATH: ${onPath} reports "${v.reported}", not ${pin.version}; ignored`);
    log(`${name}: ignoring ${onPath} on PATH ("${v.reported}", want ${pin.version})`);
  } else tried.push('PATH: not found');

  const cached = await fromCache(name, env);
  if (cached) return cached;
  tried.push(`cache: ${toolCachePath(name, env)} missing`);

  const canDownload = (opts.download ?? true) && !!pin.download;
  const canBuild = opts.build ?? true;
  if (!pin.download) tried.push('download: none pinned (installed from the Go module proxy)');
  else if (!canDownload) tried.push('download: skipped');
  if (!canBuild) tried.push('go install: skipped');
  if (!canDownload && !canBuild) throw new ToolNotFoundError(name, tried, fixFor(name, env));

  const toolsDir = path.join(cacheRoot(env), 'tools');
  return withLock(path.join(toolsDir, `${name}-${pin.version}.lock`), log, async () => {
    // Someone may have finished while we waited for the lock.
    const again = await fromCache(name, env);
    if (again) return again;

    const external = await runningGoInstalls(name);
    if (external.length && canBuild) {
      log(`${name}: a \`go install\` of ${pin.version} is already running (pid ${external.join(', ')}); waiting for it`);
      while ((await runningGoInstalls(name)).length) await sleep(2_000);
      const built = await fromCache(name, env);
      if (built) return { ...built, source: 'go-install' as const };
      log(`${name}: that build did not produce ${toolCachePath(name, env)}; building here`);
    }

    const finalPath = toolCachePath(name, env);
    const attempt = async (source: 'download' | 'go-install', produce: (tmp: string) => Promise<string>): Promise<ResolvedTool> => {
      const tmp = await fs.mkdtemp(path.join(toolsDir, `.tmp-${name}-`));
      try {
        const out = await produce(tmp);
        const v = await checkVersion(name, out, env);
        if (!v.ok) throw new Error(`built/downloaded binary reports "${v.reported}", not ${pin.version}`);
        await fs.mkdir(path.dirname(finalPath), { recursive: true });
        await fs.rename(out, finalPath); // atomic: readers never see a half-written binary
        return { name, path: finalPath, version: pin.version, source };
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    };

    if (canDownload) {
      try {
        return await attempt('download', (tmp) => downloadInto(name, tmp, log, env));
      } catch (e) {
        tried.push(`download: ${(e as Error).message}`);
        log(`${name}: download failed (${(e as Error).message}); trying next option`);
      }
    }
    if (canBuild) {
      const gv = await goVersion(env);
      if (!gv) tried.push('go install: `go` not found on PATH');
      else if (cmpVersion(gv, pin.minGo) < 0) tried.push(`go install: Go ${gv} is older than ${pin.minGo}`);
      else {
        try {
          return await attempt('go-install', (tmp) => goInstallInto(name, tmp, env, log));
        } catch (e) {
          tried.push(`go install: ${(e as Error).message}`);
        }
      }
    }
    throw new ToolNotFoundError(name, tried, fixFor(name, env));
  });
}

export type ToolReport =
  | ({ ok: true } & ResolvedTool)
  | { ok: false; name: ToolName; version: string; tried: string[]; fix: string; error: string };

/** For `reprolab doctor`: what would be used, or the fix. Never downloads or builds. */
export async function describeTools(opts: { env?: NodeJS.ProcessEnv } = {}): Promise<ToolReport[]> {
  return Promise.all(
    TOOL_NAMES.map(async (name): Promise<ToolReport> => {
      try {
        const r = await resolveTool(name, { build: false, download: false, ...(opts.env ? { env: opts.env } : {}) });
        return { ok: true, ...r };
      } catch (e) {
        const err = e as Error;
        return {
          ok: false,
          name,
          version: PINS[name].version,
          tried: e instanceof ToolNotFoundError ? e.tried : [],
          fix: e instanceof ToolNotFoundError ? e.fix : fixFor(name, opts.env),
          error: err.message,
        };
      }
    }),
  );
}

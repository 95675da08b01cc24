import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveTool, describeTools, toolCachePath, toolPin, ToolNotFoundError, cacheRoot, TOOL_NAMES, K8S_TOOL_NAMES } from './tools';
import { tmpDir } from './testing';

const SYS_PATH = '/usr/local/bin:/usr/bin:/bin';

function fakeExe(dir: string, name: string, versionLine: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\necho "${versionLine}"\n`, { mode: 0o755 });
  return p;
}

/** Env with an empty cache and a PATH holding only `dirs` + system dirs (no real temporal/minio/go). */
function isolatedEnv(root: string, dirs: string[] = []): NodeJS.ProcessEnv {
  const sys = SYS_PATH.split(':').filter((d) => !fs.existsSync(path.join(d, 'go')) && !fs.existsSync(path.join(d, 'temporal')));
  return { PATH: [...dirs, ...sys].join(':'), HOME: root, REPROLAB_CACHE_DIR: path.join(root, 'cache') };
}

const GOOD = 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)';

test('cache dir follows REPROLAB_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(cacheRoot({ REPROLAB_CACHE_DIR: '/x' }), '/x');
  assert.equal(cacheRoot({ XDG_CACHE_HOME: '/y', HOME: '/h' }), '/y/reprolab');
  assert.equal(cacheRoot({ HOME: '/h' }), '/h/.cache/reprolab');
  assert.equal(toolCachePath('temporal', { HOME: '/h' }), `/h/.cache/reprolab/tools/temporal-${toolPin('temporal').version}/temporal`);
});

test('env override wins over PATH and cache', async () => {
  const root = tmpDir();
  const onPath = fakeExe(path.join(root, 'bin'), 'temporal', GOOD);
  const env = isolatedEnv(root, [path.dirname(onPath)]);
  fakeExe(path.dirname(toolCachePath('temporal', env)), 'temporal', GOOD);
  const override = fakeExe(path.join(root, 'override'), 'temporal', GOOD);
  const r = await resolveTool('temporal', { env: { ...env, REPROLAB_TEMPORAL_BIN: override }, build: false, download: false });
  assert.deepEqual([r.source, r.path, r.version], ['env', override, 'v1.5.1']);
});

test('a broken env override is an error, not a silent fallback', async () => {
  const root = tmpDir();
  const env = { ...isolatedEnv(root), REPROLAB_MINIO_BIN: path.join(root, 'nope') };
  await assert.rejects(resolveTool('minio', { env }), /REPROLAB_MINIO_BIN=.*not an executable/);
});

test('PATH binary with the pinned version is used before the cache', async () => {
  const root = tmpDir();
  const onPath = fakeExe(path.join(root, 'bin'), 'temporal', GOOD);
  const env = isolatedEnv(root, [path.dirname(onPath)]);
  fakeExe(path.dirname(toolCachePath('temporal', env)), 'temporal', GOOD);
  const r = await resolveTool('temporal', { env, build: false, download: false });
  assert.deepEqual([r.source, r.path], ['path', onPath]);
});

test('PATH binary with another version is skipped for the cached one', async () => {
  const root = tmpDir();
  const onPath = fakeExe(path.join(root, 'bin'), 'temporal', 'temporal version 1.4.0 (Server 1.27.0)');
  const env = isolatedEnv(root, [path.dirname(onPath)]);
  const cached = fakeExe(path.dirname(toolCachePath('temporal', env)), 'temporal', GOOD);
  const lines: string[] = [];
  const r = await resolveTool('temporal', { env, build: false, download: false, log: (l) => lines.push(l) });
  assert.deepEqual([r.source, r.path], ['cache', cached]);
  assert.ok(lines.some((l) => l.includes('ignoring') && l.includes('1.4.0')), lines.join('\n'));
});

test('minio on PATH is matched by its commit id', async () => {
  const root = tmpDir();
  const onPath = fakeExe(path.join(root, 'bin'), 'minio', 'minio version RELEASE.2026-02-12T20-18-48Z (commit-id=7aac2a2c5b7cdeadbeef)');
  const r = await resolveTool('minio', { env: isolatedEnv(root, [path.dirname(onPath)]), build: false, download: false });
  assert.equal(r.source, 'path');
});

test('nothing available: error lists what was tried and the exact fix', async () => {
  const root = tmpDir();
  await assert.rejects(resolveTool('temporal', { env: isolatedEnv(root), build: false, download: false }), (e: unknown) => {
    assert.ok(e instanceof ToolNotFoundError);
    assert.match(e.message, /REPROLAB_TEMPORAL_BIN/);
    assert.match(e.message, /install Go >= 1\.24 and run `npm run tools:install`/);
    return true;
  });
  const report = await describeTools({ env: isolatedEnv(root) });
  assert.deepEqual(report.map((r) => [r.name, r.ok]), [['temporal', false], ['minio', false]]);
});

test('offline download fails fast and falls through to the next option', async () => {
  const root = tmpDir();
  const t0 = Date.now();
  await assert.rejects(resolveTool('minio', { env: isolatedEnv(root), build: true, download: true }), (e: unknown) => {
    assert.ok(e instanceof ToolNotFoundError);
    assert.match(e.message, /download: /);
    assert.match(e.message, /go install: `go` not found/);
    return true;
  });
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
});

test('go install builds once for two concurrent resolvers, atomically into the cache', async () => {
  const root = tmpDir();
  const bin = path.join(root, 'gobin');
  fs.mkdirSync(bin);
  const calls = path.join(root, 'go-calls');
  // Fake `go`: reports a version, and "builds" a fake temporal into $GOBIN after a pause.
  fs.writeFileSync(
    path.join(bin, 'go'),
    `#!/bin/sh
if [ "$1" = env ]; then echo go1.26.0; exit 0; fi
if [ "$1" = mod ]; then echo '{"Path": "github.com/temporalio/cli", "Sum": "${toolPin('temporal').moduleSum}"}'; exit 0; fi
if [ "$1" = install ]; then
  echo "$2 GOBIN=$GOBIN" >> ${calls}
  echo "go: downloading fake v1.0.0" >&2
  sleep 1
  printf '#!/bin/sh\\necho "${GOOD}"\\n' > "$GOBIN/temporal"; chmod +x "$GOBIN/temporal"; exit 0
fi
exit 2
`,
    { mode: 0o755 },
  );
  const env = isolatedEnv(root, [bin]);
  const [a, b] = await Promise.all([
    resolveTool('temporal', { env, download: false }),
    resolveTool('temporal', { env, download: false }),
  ]);
  const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1 GOBIN=.*\/tools\/\.tmp-temporal-/);
  assert.deepEqual(new Set([a.source, b.source]), new Set(['go-install', 'cache']));
  assert.equal(a.path, toolCachePath('temporal', env));
  assert.equal(b.path, a.path);
  // Temp build dirs and the lock are gone.
  assert.deepEqual(fs.readdirSync(path.join(root, 'cache', 'tools')).sort(), ['temporal-v1.5.1']);
});

test('go install is refused when the module Go fetched is not the pinned one', async () => {
  const root = tmpDir();
  const bin = path.join(root, 'gobin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'go'),
    `#!/bin/sh
if [ "$1" = env ]; then echo go1.26.0; exit 0; fi
if [ "$1" = mod ]; then echo '{"Path": "github.com/temporalio/cli", "Sum": "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}'; exit 0; fi
if [ "$1" = install ]; then echo built >> ${path.join(root, 'built')}; exit 0; fi
exit 2
`,
    { mode: 0o755 },
  );
  await assert.rejects(resolveTool('temporal', { env: isolatedEnv(root, [bin]), download: false }), /module github\.com\/temporalio\/cli@v1\.5\.1 has hash h1:A+=, pinned h1:0RZMk14B/);
  assert.equal(fs.existsSync(path.join(root, 'built')), false, 'nothing was built');
});

test('every pinned sum is well formed', () => {
  for (const name of [...TOOL_NAMES, ...K8S_TOOL_NAMES]) {
    const pin = toolPin(name);
    assert.match(pin.moduleSum, /^h1:[A-Za-z0-9+/]{43}=$/, name);
    for (const [k, v] of Object.entries(pin.download?.sha256 ?? {})) assert.match(v, /^[0-9a-f]{64}$/, `${name} ${k}`);
  }
  assert.equal(toolPin('temporal').download?.sha256['linux-amd64'], 'ddc95e08b0b076efd4ea9733a3f488eb7d2be875f8834e616cd2a37358b4852d');
});

/** A local HTTP server standing in for a mirror of the release hosts; records the paths asked for. */
async function mirror(files: Record<string, Buffer | string>): Promise<{ base: string; asked: string[]; close(): void }> {
  const http = await import('node:http');
  const asked: string[] = [];
  const srv = http.createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (body === undefined) {
      res.statusCode = 404;
      res.end('not found');
    } else res.end(body);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address() as { port: number };
  return { base: `http://127.0.0.1:${addr.port}/mirror`, asked, close: () => srv.close() };
}

/** A release tar.gz holding a stub `temporal` that reports `versionLine`, and its sha256 (what a user who verified it would pin). */
async function temporalRelease(root: string, versionLine: string): Promise<{ archive: Buffer; sha256: string; file: string }> {
  const { execFileSync } = await import('node:child_process');
  const { createHash } = await import('node:crypto');
  const stage = path.join(root, 'stage');
  fakeExe(stage, 'temporal', versionLine);
  fs.writeFileSync(path.join(stage, 'LICENSE'), 'stub');
  const tgz = path.join(root, 'release.tar.gz');
  execFileSync('tar', ['-czf', tgz, '-C', stage, 'temporal', 'LICENSE']);
  const archive = fs.readFileSync(tgz);
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
  const file = `temporal_cli_1.5.1_${process.platform}_${arch}.tar.gz`;
  return { archive, file, sha256: createHash('sha256').update(archive).digest('hex') };
}

test('release download through a mirror: pinned checksum checked, binary verified, cached, found there next time', async () => {
  const root = tmpDir();
  const rel = await temporalRelease(root, GOOD);
  const prefix = '/mirror/github.com/temporalio/cli/releases/download/v1.5.1';
  // The mirror also serves a checksums.txt agreeing with its file: it must not be asked for.
  const m = await mirror({ [`${prefix}/${rel.file}`]: rel.archive, [`${prefix}/checksums.txt`]: `${rel.sha256}  ${rel.file}\n` });
  try {
    const env = { ...isolatedEnv(root), REPROLAB_TOOLS_MIRROR: `${m.base}/`, REPROLAB_TEMPORAL_SHA256: rel.sha256 };
    const r = await resolveTool('temporal', { env, build: false });
    assert.equal(r.source, 'download');
    assert.equal(r.path, toolCachePath('temporal', env));
    assert.deepEqual(m.asked, [`${prefix}/${rel.file}`]);
    const again = await resolveTool('temporal', { env, build: false });
    assert.equal(again.source, 'cache');
    assert.equal(m.asked.length, 1, 'the second resolve does not download');
  } finally {
    m.close();
  }
});

test('a download whose checksum is not the pinned one is refused, even when the mirror vouches for it; nothing is cached', async () => {
  const root = tmpDir();
  const rel = await temporalRelease(root, GOOD);
  const prefix = '/mirror/github.com/temporalio/cli/releases/download/v1.5.1';
  // A mirror serving a different build with a matching checksums.txt: the versions.json pin refuses it.
  const m = await mirror({ [`${prefix}/${rel.file}`]: rel.archive, [`${prefix}/checksums.txt`]: `${rel.sha256}  ${rel.file}\n` });
  try {
    const env = { ...isolatedEnv(root), REPROLAB_TOOLS_MIRROR: m.base };
    await assert.rejects(resolveTool('temporal', { env, build: false }), (e: unknown) => {
      assert.ok(e instanceof ToolNotFoundError);
      assert.match(e.message, /download: checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/mirror\/github\.com\/.*pinned [0-9a-f]{64} \(infra\/src\/versions\.json/);
      assert.match(e.message, /REPROLAB_TOOLS_MIRROR/);
      return true;
    });
    assert.equal(fs.existsSync(toolCachePath('temporal', env)), false);
  } finally {
    m.close();
  }
});

test('a downloaded binary reporting another version is refused', async () => {
  const root = tmpDir();
  const rel = await temporalRelease(root, 'temporal version 1.4.0 (Server 1.26.0, UI 2.34.0)');
  const prefix = '/mirror/github.com/temporalio/cli/releases/download/v1.5.1';
  const m = await mirror({ [`${prefix}/${rel.file}`]: rel.archive });
  try {
    const env = { ...isolatedEnv(root), REPROLAB_TOOLS_MIRROR: m.base, REPROLAB_TEMPORAL_SHA256: rel.sha256 };
    await assert.rejects(resolveTool('temporal', { env, build: false }), /reports "temporal version 1\.4\.0.*", not v1\.5\.1/);
    assert.equal(fs.existsSync(toolCachePath('temporal', env)), false);
  } finally {
    m.close();
  }
});

test('minio: nothing pinned for the release binary, so it is not even fetched; a sum the user verified enables it', async () => {
  const root = tmpDir();
  const { createHash } = await import('node:crypto');
  const exe = fs.readFileSync(fakeExe(path.join(root, 'stage'), 'minio', 'minio version RELEASE.2026-02-12T20-18-48Z (commit-id=7aac2a2c5b7c)'));
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
  const file = `/mirror/dl.min.io/server/minio/release/${process.platform}-${arch}/archive/minio.RELEASE.2026-02-12T20-18-48Z`;
  const m = await mirror({ [file]: exe });
  try {
    const env = { ...isolatedEnv(root), REPROLAB_TOOLS_MIRROR: m.base };
    await assert.rejects(resolveTool('minio', { env, build: false }), /download: no sha256 pinned for .* REPROLAB_MINIO_SHA256/);
    assert.deepEqual(m.asked, []);
    const r = await resolveTool('minio', { env: { ...env, REPROLAB_MINIO_SHA256: createHash('sha256').update(exe).digest('hex') }, build: false });
    assert.equal(r.source, 'download');
    assert.ok(fs.statSync(r.path).mode & 0o100, 'executable');
  } finally {
    m.close();
  }
});

test('kustomize and kubeconform: no release download is pinned, so only `go install` (Go module proxy) or the cache can supply them', async () => {
  const root = tmpDir();
  for (const name of ['kustomize', 'kubeconform'] as const) {
    await assert.rejects(resolveTool(name, { env: isolatedEnv(root), build: true, download: true }), (e: unknown) => {
      assert.ok(e instanceof ToolNotFoundError);
      assert.match(e.message, /download: none pinned \(installed from the Go module proxy\)/);
      assert.match(e.message, /go install: `go` not found/);
      assert.match(e.message, new RegExp(`${toolPin(name).module.replaceAll('.', '\\.')}@${toolPin(name).version.replaceAll('.', '\\.')}`));
      return true;
    });
  }
  const env = isolatedEnv(root);
  fakeExe(path.dirname(toolCachePath('kustomize', env)), 'kustomize', toolPin('kustomize').version);
  const r = await resolveTool('kustomize', { env, build: false, download: false });
  assert.equal(r.source, 'cache');
});

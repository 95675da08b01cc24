// `npx tsx infra/src/install-tools.ts [--no-download] [--no-build]`: resolve (download or
// build) the Temporal CLI and MinIO server into the cache; for CI and first setup.
import { resolveTool, TOOL_NAMES, ToolNotFoundError } from './tools';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  console.log('usage: tsx infra/src/install-tools.ts [--no-download] [--no-build]');
  process.exit(0);
}

let failed = false;
// One at a time: each `go install` wants both cores.
for (const name of TOOL_NAMES) {
  const t0 = Date.now();
  try {
    const t = await resolveTool(name, {
      download: !args.has('--no-download'),
      build: !args.has('--no-build'),
      log: (line) => console.log(`  ${line}`),
    });
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`${name.padEnd(9)} ${t.version}  ${t.path}  (source: ${t.source}, ${secs} s)`);
  } catch (e) {
    failed = true;
    console.error(e instanceof ToolNotFoundError ? e.message : `${name}: ${(e as Error).stack ?? e}`);
  }
}
process.exit(failed ? 1 : 0);

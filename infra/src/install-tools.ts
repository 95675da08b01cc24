// `npx tsx infra/src/install-tools.ts [--no-download] [--no-build] [--k8s]`: resolve (download or
// build) the Temporal CLI and MinIO server into the cache; for CI and first setup. With --k8s also
// kustomize and kubeconform (`go install` from the Go module proxy) and the Kubernetes schemas.
import { ensureSchemas } from './k8s-schemas';
import { K8S_TOOL_NAMES, resolveTool, TOOL_NAMES, ToolNotFoundError } from './tools';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  console.log('usage: tsx infra/src/install-tools.ts [--no-download] [--no-build] [--k8s]');
  process.exit(0);
}

let failed = false;
// One at a time: each `go install` wants both cores.
for (const name of [...TOOL_NAMES, ...(args.has('--k8s') ? K8S_TOOL_NAMES : [])]) {
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
if (args.has('--k8s') && !args.has('--no-download')) {
  const t0 = Date.now();
  try {
    const dir = await ensureSchemas({ log: (line) => console.log(`  ${line}`) });
    console.log(`k8s schemas ${dir}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed = true;
    console.error(`k8s schemas: ${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);

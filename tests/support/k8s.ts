/**
 * The Kubernetes manifests' check (part of the static suite, and `npm run k8s:check`): renders
 * infra/k8s/base and infra/k8s/overlays/example with kustomize, validates every resource with
 * kubeconform in strict mode against the schemas made from the pinned Kubernetes OpenAPI spec,
 * checks that the example holds what the README promises (a worker Deployment per queue, the gpu
 * one on GPU nodes, the migrate Job, the dashboard's Service and Ingress, Secrets), and checks that
 * kubeconform refuses deliberately broken copies, so that the check cannot pass vacuously.
 * Offline: both tools come from the Go module proxy (or the cache), the schemas from ensureSchemas.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { ensureSchemas, KUBERNETES_VERSION } from '@reprolab/infra/k8s-schemas';
import { REPO_ROOT } from '@reprolab/infra/stack';
import { resolveTool } from '@reprolab/infra/tools';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type Doc = { kind?: string; metadata?: { name?: string }; [k: string]: unknown };

export const OVERLAYS = ['infra/k8s/base', 'infra/k8s/overlays/example'] as const;

function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(input ?? '');
  });
}

/** kubeconform's summary line → counts; null when it printed none. */
export function parseSummary(out: string): { resources: number; valid: number; invalid: number; errors: number; skipped: number } | null {
  const m = /Summary: (\d+) resources? found .*? - Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(out);
  return m ? { resources: +m[1]!, valid: +m[2]!, invalid: +m[3]!, errors: +m[4]!, skipped: +m[5]! } : null;
}

/** Deliberately broken copies of a rendered Deployment, each of which strict validation must refuse. */
export function brokenVariants(rendered: string): { what: string; yaml: string }[] {
  const docs = parseAllDocuments(rendered).map((d) => d.toJSON() as Doc);
  const dep = docs.find((d) => d.kind === 'Deployment');
  if (!dep) throw new Error('no Deployment in the rendered manifests');
  const spec = dep.spec as { replicas?: unknown; template: { spec: { containers: { resources?: unknown; [k: string]: unknown }[] } } };
  const variant = (what: string, mutate: (d: typeof spec) => void) => {
    const copy = structuredClone(dep) as Doc & { spec: typeof spec };
    mutate(copy.spec);
    return { what, yaml: stringify(copy) };
  };
  return [
    variant('an unknown field (spec.replica, a typo of replicas)', (s) => Object.assign(s, { replica: 2 })),
    variant('a wrong type (spec.replicas: "two")', (s) => (s.replicas = 'two')),
    variant('a misplaced field (containers[0].requests instead of resources.requests)', (s) => Object.assign(s.template.spec.containers[0]!, { requests: { cpu: '1' } })),
  ];
}

/** What the example overlay must contain, checked on the rendered objects. */
export function exampleContents(rendered: string): string[] {
  const docs = parseAllDocuments(rendered).map((d) => d.toJSON() as Doc);
  const problems: string[] = [];
  const byKind = (k: string) => docs.filter((d) => d.kind === k);
  const names = (k: string) => byKind(k).map((d) => d.metadata?.name ?? '');
  type Container = { name: string; command?: string[]; env?: { name: string; value?: string }[]; resources?: { limits?: Record<string, unknown> } };
  type PodSpec = { containers: Container[]; initContainers?: Container[]; nodeSelector?: Record<string, string>; tolerations?: unknown[] };
  const podSpec = (d: Doc) => (d.spec as { template: { spec: PodSpec } }).template.spec;
  for (const queue of ['control', 'cpu', 'gpu', 'sim']) {
    const dep = byKind('Deployment').find((d) => d.metadata?.name === `reprolab-worker-${queue}`);
    if (!dep) {
      problems.push(`no worker Deployment for queue ${queue}`);
      continue;
    }
    const ps = podSpec(dep);
    const env = ps.containers[0]?.env ?? [];
    const queues = env.find((e) => e.name === 'REPROLAB_QUEUES')?.value;
    if (queues !== queue) problems.push(`reprolab-worker-${queue} polls REPROLAB_QUEUES=${queues ?? '(all)'}`);
    if (!ps.initContainers?.some((c) => c.command?.join(' ').includes('db wait'))) problems.push(`reprolab-worker-${queue} does not wait for the migrations`);
    const gpus = ps.containers[0]?.resources?.limits?.['nvidia.com/gpu'];
    if (queue === 'gpu') {
      if (String(gpus) !== '1') problems.push('the gpu worker does not request nvidia.com/gpu: 1');
      if (!ps.nodeSelector || !Object.keys(ps.nodeSelector).length) problems.push('the gpu worker has no nodeSelector');
      if (!ps.tolerations?.length) problems.push('the gpu worker tolerates no GPU taint');
    } else if (gpus !== undefined) problems.push(`reprolab-worker-${queue} requests a GPU`);
  }
  if (!names('Job').includes('reprolab-migrate')) problems.push('no migrate Job');
  if (!names('Service').includes('reprolab-dashboard')) problems.push('no dashboard Service');
  const ingress = byKind('Ingress')[0] as (Doc & { spec: { tls?: unknown[]; rules?: { host?: string }[] } }) | undefined;
  if (!ingress?.spec.tls?.length) problems.push('no Ingress with TLS');
  const config = byKind('ConfigMap').find((d) => d.metadata?.name?.startsWith('reprolab-config')) as (Doc & { data?: Record<string, string> }) | undefined;
  // Settable per overlay (empty: links signed for S3_ENDPOINT), so the key must be there to merge into.
  if (config?.data?.S3_PUBLIC_ENDPOINT === undefined) problems.push('the ConfigMap has no S3_PUBLIC_ENDPOINT (where browsers reach the store)');
  const allowed = config?.data?.REPROLAB_ALLOWED_HOSTS?.split(',').map((h) => h.trim()) ?? [];
  for (const rule of ingress?.spec.rules ?? []) if (rule.host && !allowed.includes(rule.host)) problems.push(`Ingress host ${rule.host} is not in REPROLAB_ALLOWED_HOSTS (${allowed.join(',')}): the dashboard would refuse it`);
  const secret = byKind('Secret').find((d) => d.metadata?.name?.startsWith('reprolab-secrets')) as (Doc & { data?: Record<string, string> }) | undefined;
  for (const key of ['DATABASE_URL', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'REPROLAB_ADMIN_TOKEN']) if (secret?.data?.[key] === undefined) problems.push(`the Secret has no ${key}`);
  // No secret value in plain env or the ConfigMap.
  for (const key of ['DATABASE_URL', 'S3_SECRET_KEY', 'S3_ACCESS_KEY', 'REPROLAB_ADMIN_TOKEN']) if (config?.data?.[key] !== undefined) problems.push(`${key} is in the ConfigMap, not the Secret`);
  return problems;
}

export async function checkManifests(log: (line: string) => void = () => {}): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    log(`${ok ? '✔' : '✖'} ${name}${detail ? ` — ${detail}` : ''}`);
  };
  let kustomize: string, kubeconform: string, schemas: string;
  try {
    kustomize = (await resolveTool('kustomize', { log })).path;
    kubeconform = (await resolveTool('kubeconform', { log })).path;
    schemas = await ensureSchemas({ log });
  } catch (e) {
    add('k8s: kustomize, kubeconform and the Kubernetes schemas', false, (e as Error).message);
    return checks;
  }
  const location = join(schemas, '{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json');
  const validate = (yaml: string) => run(kubeconform, ['-strict', '-summary', '-kubernetes-version', KUBERNETES_VERSION, '-schema-location', location, '-'], yaml);
  let example = '';
  for (const dir of OVERLAYS) {
    const built = await run(kustomize, ['build', dir]);
    if (built.code !== 0) {
      add(`k8s: kustomize build ${dir}`, false, built.stderr.trim());
      continue;
    }
    if (dir.endsWith('example')) example = built.stdout;
    const v = await validate(built.stdout);
    const s = parseSummary(v.stdout + v.stderr);
    const ok = v.code === 0 && !!s && s.resources > 0 && s.valid === s.resources;
    add(`k8s: ${dir} renders and is valid (kubeconform -strict, Kubernetes ${KUBERNETES_VERSION})`, ok, s ? `${s.valid}/${s.resources} valid${ok ? '' : `\n${(v.stdout + v.stderr).trim()}`}` : (v.stdout + v.stderr).trim());
  }
  if (example) {
    const problems = exampleContents(example);
    add('k8s: the example holds a worker per queue (gpu on GPU nodes), the migrate Job, the dashboard Service and TLS Ingress, and Secrets', problems.length === 0, problems.join('; '));
    // …and that check itself notices when the gpu worker loses its GPU.
    const noGpu = example.replace(/nvidia\.com\/gpu: ["']?1["']?/, 'cpu: "8"');
    const caught = noGpu !== example && exampleContents(noGpu).some((p) => p.includes('nvidia.com/gpu'));
    add('k8s: the contents check notices a gpu worker without nvidia.com/gpu', caught, '');
    for (const broken of brokenVariants(example)) {
      const v = await validate(broken.yaml);
      const s = parseSummary(v.stdout + v.stderr);
      add(`k8s: kubeconform refuses ${broken.what}`, v.code !== 0 && s?.invalid === 1, (v.stdout + v.stderr).trim().split('\n')[0]!.slice(0, 300));
    }
  }
  return checks;
}

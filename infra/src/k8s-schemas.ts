/**
 * kubeconform's JSON schemas, made offline from the Kubernetes OpenAPI (v2) spec that ships inside
 * the `k8s.io/kubernetes` Go module (api/openapi-spec/swagger.json), fetched from the Go module
 * proxy like the other tools and checked against the module hash pinned in versions.json.
 *
 * kubeconform downloads its schemas from GitHub by default; these are the same kind of files
 * (what openapi2jsonschema makes with --kubernetes --stand-alone [--strict]), laid out the way its
 * -schema-location template expects:
 *   <cache>/tools/k8s-schemas-<version>/<version>-standalone[-strict]/<kind>[-<group>]-<version>.json
 * Conversion, as openapi2jsonschema does it: IntOrString → string or integer, Quantity → string or
 * number, `kind`/`apiVersion` limited to the type's group-version-kinds, optional fields may be
 * null and, for the strict set, every object with declared properties refuses any other property.
 * Each file is stand-alone: the definitions it references travel inside it (`#/definitions/…`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import versions from './versions.json' with { type: 'json' };
import { cacheRoot } from './tools';

interface SchemaPin {
  module: string;
  version: string;
  /** The module's go.sum hash (h1:…), as `go mod download -json` reports it. */
  sum: string;
  /** The spec's path inside the module. */
  file: string;
}

export const SCHEMA_PIN: Readonly<SchemaPin> = (versions as unknown as { kubernetesSchemas: SchemaPin }).kubernetesSchemas;
/** The Kubernetes version the manifests are validated against, as kubeconform's -kubernetes-version takes it. */
export const KUBERNETES_VERSION = SCHEMA_PIN.version.replace(/^v/, '');

export function schemaRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'tools', `k8s-schemas-${SCHEMA_PIN.version}`);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };
interface Gvk {
  group: string;
  version: string;
  kind: string;
}
export interface Swagger {
  definitions: Record<string, Schema>;
}

const isObj = (v: Json | undefined): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const REF = '#/definitions/';

/** kubeconform's file name for a kind: `deployment-apps-v1.json`, `service-v1.json`, `ingress-networking-v1.json`. */
export function schemaFileName(g: Gvk): string {
  const group = g.group ? `-${g.group.split('.')[0]!.toLowerCase()}` : '';
  return `${g.kind.toLowerCase()}${group}-${g.version.toLowerCase()}.json`;
}

/**
 * Walks a schema by its structure (not by key names: JSONSchemaProps has a property called
 * `properties`), calling `visit` on every subschema, parents first.
 */
function walk(s: Json | undefined, visit: (s: Schema) => void): void {
  if (!isObj(s)) return;
  visit(s);
  if (isObj(s.properties)) for (const v of Object.values(s.properties)) walk(v, visit);
  if (isObj(s.additionalProperties)) walk(s.additionalProperties, visit);
  if (isObj(s.items)) walk(s.items, visit);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[k];
    if (Array.isArray(list)) for (const v of list) walk(v, visit);
  }
  if (isObj(s.not)) walk(s.not, visit);
}

/** Optional fields may be null (the API server treats null as unset); strict: no undeclared properties. */
function transform(s: Schema, strict: boolean): Schema {
  const out = structuredClone(s);
  walk(out, (node) => {
    if (!isObj(node.properties)) return;
    if (strict && node.additionalProperties === undefined) node.additionalProperties = false;
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    for (const [name, prop] of Object.entries(node.properties)) {
      if (isObj(prop) && typeof prop.type === 'string' && !required.has(name)) prop.type = [prop.type, 'null'];
    }
  });
  return out;
}

function refsIn(s: Json | undefined, out: Set<string>): void {
  if (Array.isArray(s)) for (const v of s) refsIn(v, out);
  else if (isObj(s)) {
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) out.add(v.slice(REF.length));
      else refsIn(v, out);
    }
  }
}

/** Every schema kubeconform could ask for, by file name, from the spec's definitions. */
export function convertSwagger(swagger: Swagger, opts: { strict: boolean }): Map<string, Schema> {
  const defs: Record<string, Schema> = { ...swagger.definitions };
  // As openapi2jsonschema --kubernetes: the spec says "string" for both, but manifests (and the
  // API server) take `port: 8080` and `cpu: 1`.
  if (defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']) defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (defs['io.k8s.apimachinery.pkg.api.resource.Quantity']) defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const transformed = new Map<string, Schema>();
  const get = (name: string): Schema => {
    let t = transformed.get(name);
    if (!t) {
      const d = defs[name];
      if (!d) throw new Error(`the spec references #/definitions/${name}, which it does not define`);
      t = transform(d, opts.strict);
      transformed.set(name, t);
    }
    return t;
  };
  const files = new Map<string, Schema>();
  for (const [name, def] of Object.entries(defs)) {
    const gvks = (Array.isArray(def['x-kubernetes-group-version-kind']) ? def['x-kubernetes-group-version-kind'] : []) as unknown as Gvk[];
    if (!gvks.length || !isObj(def.properties)) continue;
    const root = structuredClone(get(name));
    const props = root.properties as Schema;
    const apiVersions = [...new Set(gvks.map((g) => (g.group ? `${g.group}/${g.version}` : g.version)))];
    const kinds = [...new Set(gvks.map((g) => g.kind))];
    if (isObj(props.apiVersion)) props.apiVersion.enum = apiVersions;
    if (isObj(props.kind)) props.kind.enum = kinds;
    // The referenced definitions, transitively.
    const closure = new Set<string>();
    const todo = new Set<string>();
    refsIn(root, todo);
    while (todo.size) {
      const [next] = todo;
      todo.delete(next!);
      if (closure.has(next!)) continue;
      closure.add(next!);
      const found = new Set<string>();
      refsIn(get(next!), found);
      for (const f of found) if (!closure.has(f)) todo.add(f);
    }
    const definitions: Schema = {};
    for (const d of [...closure].sort()) definitions[d] = get(d);
    const file: Schema = { ...root, ...(closure.size ? { definitions } : {}) };
    for (const g of gvks) files.set(schemaFileName(g), file);
  }
  return files;
}

function goModDownload(target: string, env: NodeJS.ProcessEnv): Promise<{ Dir?: string; Sum?: string; Error?: string }> {
  return new Promise((resolve, reject) => {
    execFile('go', ['mod', 'download', '-json', target], { env, cwd: cacheRoot(env), timeout: 10 * 60_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      try {
        resolve(JSON.parse(String(stdout)) as { Dir?: string; Sum?: string; Error?: string });
      } catch {
        reject(new Error(`go mod download ${target} failed: ${(error?.message ?? '') + String(stderr)}`.trim()));
      }
    });
  });
}

/**
 * The schema folder kubeconform's -schema-location points at (made on first use, then cached):
 * downloads the pinned k8s.io/kubernetes module with `go mod download` (about 18 MB), checks its
 * hash, converts its swagger.json into both the strict and the plain stand-alone set.
 */
export async function ensureSchemas(opts: { env?: NodeJS.ProcessEnv; log?: (l: string) => void } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const root = schemaRoot(env);
  if (existsSync(path.join(root, '.complete'))) return root;
  const target = `${SCHEMA_PIN.module}@${SCHEMA_PIN.version}`;
  log(`kubernetes schemas: go mod download ${target} (its OpenAPI spec, from the Go module proxy)`);
  await fs.mkdir(cacheRoot(env), { recursive: true });
  const mod = await goModDownload(target, env);
  if (mod.Error || !mod.Dir) throw new Error(`go mod download ${target}: ${mod.Error ?? 'no module directory reported'}`);
  if (mod.Sum !== SCHEMA_PIN.sum) throw new Error(`go mod download ${target}: module hash ${mod.Sum ?? '?'} is not the pinned ${SCHEMA_PIN.sum} (infra/src/versions.json)`);
  const swagger = JSON.parse(await fs.readFile(path.join(mod.Dir, SCHEMA_PIN.file), 'utf8')) as Swagger;
  await fs.mkdir(path.dirname(root), { recursive: true });
  const tmp = await fs.mkdtemp(`${root}.tmp-`);
  try {
    let count = 0;
    for (const strict of [true, false]) {
      const dir = path.join(tmp, `${SCHEMA_PIN.version}-standalone${strict ? '-strict' : ''}`);
      await fs.mkdir(dir, { recursive: true });
      const files = convertSwagger(swagger, { strict });
      for (const [name, schema] of files) await fs.writeFile(path.join(dir, name), JSON.stringify(schema));
      count = files.size;
    }
    await fs.writeFile(path.join(tmp, '.complete'), `${target} ${SCHEMA_PIN.sum} ${count} kinds\n`);
    await fs.rm(root, { recursive: true, force: true });
    await fs.rename(tmp, root); // atomic: a reader sees every schema or none
    log(`kubernetes schemas: ${count} kinds written to ${root}`);
    return root;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** The OpenAPI → kubeconform schema conversion, on a small hand-made spec. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertSwagger, schemaFileName, type Swagger } from './k8s-schemas';

const spec = (): Swagger => ({
  definitions: {
    'io.k8s.api.apps.v1.Deployment': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, spec: { $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec' } },
    },
    'io.k8s.api.apps.v1.DeploymentSpec': {
      type: 'object',
      required: ['selector'],
      properties: { replicas: { type: 'integer', format: 'int32' }, selector: { type: 'string' }, port: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' } },
    },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
    'io.k8s.api.networking.v1.Ingress': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'networking.k8s.io', kind: 'Ingress', version: 'v1' }],
      properties: { kind: { type: 'string' } },
    },
    // A schema whose own property is called `properties` (as JSONSchemaProps has), and recursive.
    'io.k8s.apiextensions.v1.Props': {
      type: 'object',
      properties: { properties: { type: 'object', additionalProperties: { $ref: '#/definitions/io.k8s.apiextensions.v1.Props' } } },
    },
    'io.k8s.apiextensions.v1.CustomResourceDefinition': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', version: 'v1' }],
      properties: { schema: { $ref: '#/definitions/io.k8s.apiextensions.v1.Props' } },
    },
    'io.k8s.api.core.v1.Service': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Service', version: 'v1' }],
      properties: { kind: { type: 'string' } },
    },
  },
});

test('file names follow kubeconform: <kind>[-<first part of group>]-<version>.json', () => {
  assert.equal(schemaFileName({ group: 'apps', kind: 'Deployment', version: 'v1' }), 'deployment-apps-v1.json');
  assert.equal(schemaFileName({ group: 'networking.k8s.io', kind: 'NetworkPolicy', version: 'v1' }), 'networkpolicy-networking-v1.json');
  assert.equal(schemaFileName({ group: '', kind: 'ConfigMap', version: 'v1' }), 'configmap-v1.json');
  const files = convertSwagger(spec(), { strict: true });
  assert.deepEqual([...files.keys()].sort(), ['customresourcedefinition-apiextensions-v1.json', 'deployment-apps-v1.json', 'ingress-networking-v1.json', 'service-v1.json']);
});

test('strict: closed objects, kind/apiVersion pinned, int-or-string, optional fields nullable, referenced definitions inside', () => {
  const d = convertSwagger(spec(), { strict: true }).get('deployment-apps-v1.json')!;
  assert.equal(d.additionalProperties, false);
  assert.deepEqual((d.properties as Record<string, { enum?: string[] }>).kind!.enum, ['Deployment']);
  assert.deepEqual((d.properties as Record<string, { enum?: string[] }>).apiVersion!.enum, ['apps/v1']);
  const defs = d.definitions as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(defs).sort(), ['io.k8s.api.apps.v1.DeploymentSpec', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString']);
  const ds = defs['io.k8s.api.apps.v1.DeploymentSpec']!;
  assert.equal(ds.additionalProperties, false);
  const props = ds.properties as Record<string, { type?: unknown }>;
  assert.deepEqual(props.replicas!.type, ['integer', 'null'], 'optional: may be null');
  assert.equal(props.selector!.type, 'string', 'required: not nullable');
  assert.deepEqual(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { oneOf: [{ type: 'string' }, { type: 'integer' }] });
  const plain = convertSwagger(spec(), { strict: false }).get('deployment-apps-v1.json')!;
  assert.equal(plain.additionalProperties, undefined, 'the non-strict set stays open');
});

test('a property named `properties` is a property, not a keyword; recursive definitions are included once', () => {
  const crd = convertSwagger(spec(), { strict: true }).get('customresourcedefinition-apiextensions-v1.json')!;
  const props = (crd.definitions as Record<string, Record<string, Record<string, Record<string, unknown>>>>)['io.k8s.apiextensions.v1.Props']!;
  assert.deepEqual(Object.keys(props.properties!), ['properties']);
  assert.deepEqual(props.properties!.properties!.additionalProperties, { $ref: '#/definitions/io.k8s.apiextensions.v1.Props' });
  assert.equal(props.additionalProperties, false);
});

test('a reference to an undefined definition is an error, not a silently open schema', () => {
  const s = spec();
  delete s.definitions['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.throws(() => convertSwagger(s, { strict: true }), /references #\/definitions\/io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
});

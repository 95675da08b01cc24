import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindHostFromArgv, exposureProblem, refuseRequest } from './exposure';

const loopback = { bindHost: '127.0.0.1', allowedHosts: [], port: '3000' };
const get = (host: string | null, origin: string | null = null, hasSessionCookie = false) => ({ method: 'GET', host, origin, hasSessionCookie });
const post = (host: string | null, origin: string | null, hasSessionCookie = true) => ({ method: 'POST', host, origin, hasSessionCookie });

test('bound to loopback: only loopback Host headers on our port pass (DNS rebinding)', () => {
  for (const h of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'LOCALHOST:3000']) assert.equal(refuseRequest(get(h), loopback), null, h);
  for (const h of ['evil.example:3000', 'evil.example', '127.0.0.1:4000', '127.0.0.1', '', null]) {
    const r = refuseRequest(get(h), loopback);
    assert.equal(r?.status, 403, String(h));
  }
  assert.match(refuseRequest(get('rebind.attacker.test:3000'), loopback)!.reason, /DNS rebinding/);
});

test('cross-origin requests are refused; a cookie-carrying POST needs our Origin (CSRF)', () => {
  assert.equal(refuseRequest(post('127.0.0.1:3000', 'http://127.0.0.1:3000'), loopback), null);
  assert.match(refuseRequest(post('127.0.0.1:3000', 'http://evil.example'), loopback)!.reason, /cross-origin/);
  assert.equal(refuseRequest(post('127.0.0.1:3000', 'null'), loopback)?.status, 403);
  assert.match(refuseRequest(post('127.0.0.1:3000', null), loopback)!.reason, /CSRF/);
  // A script with a bearer token (no cookie, no Origin) is not a CSRF risk.
  assert.equal(refuseRequest(post('127.0.0.1:3000', null, false), loopback), null);
  assert.equal(refuseRequest(get('127.0.0.1:3000', 'http://evil.example'), loopback)?.status, 403);
});

test('off loopback: only REPROLAB_ALLOWED_HOSTS pass, and starting needs that list and a token', () => {
  const shared = { bindHost: '0.0.0.0', allowedHosts: ['reprolab.internal:3000'], port: '3000' };
  assert.equal(refuseRequest(get('reprolab.internal:3000'), shared), null);
  assert.equal(refuseRequest(get('127.0.0.1:3000'), shared)?.status, 403);
  assert.equal(bindHostFromArgv(['node', 'next', 'start', 'apps/dashboard']), '0.0.0.0', 'next start without -H listens everywhere');
  assert.equal(bindHostFromArgv(['next', 'start', '-H', '127.0.0.1']), '127.0.0.1');
  assert.equal(exposureProblem({ bindHost: '127.0.0.1', allowedHosts: [], activeTokens: 0 }), null);
  assert.match(exposureProblem({ bindHost: '0.0.0.0', allowedHosts: [], activeTokens: 1 })!, /REPROLAB_ALLOWED_HOSTS/);
  assert.match(exposureProblem({ bindHost: '10.0.0.5', allowedHosts: ['x'], activeTokens: 0 })!, /reprolab token create --role admin/);
  assert.equal(exposureProblem({ bindHost: '0.0.0.0', allowedHosts: ['x'], activeTokens: 1 }), null);
});

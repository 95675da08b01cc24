import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requiredBackends, skipUnlessRequired } from './required.js';

test('REPROLAB_REQUIRE_BACKENDS: a list, or 1 for what install.sh provides; a required backend is never skipped', () => {
  assert.deepEqual([...requiredBackends('')], []);
  assert.deepEqual([...requiredBackends('0')], []);
  assert.deepEqual([...requiredBackends('1')], ['tensorflow', 'wasm']);
  assert.deepEqual([...requiredBackends('tensorflow, wasm')], ['tensorflow', 'wasm']);
  assert.equal(skipUnlessRequired('tensorflow', false, 'why', new Set()), 'why');
  assert.equal(skipUnlessRequired('tensorflow', false, 'why', new Set(['tensorflow'])), false);
  assert.equal(skipUnlessRequired('tensorflow', true, 'why', new Set()), false);
});

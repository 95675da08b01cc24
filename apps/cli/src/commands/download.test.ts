import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveArtifact } from './download';

const a = `sha256:ab12${'0'.repeat(60)}`;
const b = `sha256:ab34${'1'.repeat(60)}`;
const list = [
  { sha256: a, name: 'tiny-mlp-final' },
  { sha256: b, name: 'step-10' },
  { sha256: a, name: 'evaluate.model' }, // the same bytes, consumed by a later step
];

test('an artifact is named by its name, its full digest or a digest prefix (with or without sha256:)', () => {
  assert.equal(resolveArtifact('r', 'step-10', list), b);
  assert.equal(resolveArtifact('r', a, list), a);
  assert.equal(resolveArtifact('r', 'sha256:ab12', list), a);
  assert.equal(resolveArtifact('r', 'ab341111', list), b);
  assert.equal(resolveArtifact('r', 'ab12', list), a, 'two rows with the same bytes are one artifact');
});

test('an unknown or ambiguous name is refused, listing what the run has', () => {
  assert.throws(() => resolveArtifact('r', 'nope', list), /run r has no artifact or input "nope"; give a name or a digest \(prefix\) of:\n  tiny-mlp-final  sha256:ab1200000000/);
  assert.throws(() => resolveArtifact('r', 'ab', list), /no artifact or input "ab"/, 'too short a prefix');
  assert.throws(() => resolveArtifact('r', 'sha256:ab', list), /no artifact/);
  assert.throws(() => resolveArtifact('r', 'ab1', list), /no artifact/);
  assert.throws(() => resolveArtifact('r', 'ab12', [...list, { sha256: `sha256:ab12${'2'.repeat(60)}`, name: 'other' }]), /"ab12" names 2 different artifacts of run r; give more of the digest/);
});

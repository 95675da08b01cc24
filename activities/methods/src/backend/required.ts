/**
 * The backends a test run must find (REPROLAB_REQUIRE_BACKENDS, which CI sets): a comma list such
 * as `tensorflow,wasm`, or `1` for the ones infra/tensor/install.sh provides. A required backend
 * that is missing fails its tests with the reason instead of skipping them, so a run cannot pass
 * without testing the backend the README's figures rely on.
 */
export function requiredBackends(value = process.env.REPROLAB_REQUIRE_BACKENDS ?? ''): Set<string> {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s && s !== '0');
  if (names.length === 1 && (names[0] === '1' || names[0] === 'true')) return new Set(['tensorflow', 'wasm']);
  return new Set(names);
}

/** node:test's `skip` for a test that needs `backend`: the reason when it is missing, unless it is required (then the test runs and fails). */
export function skipUnlessRequired(backend: string, available: boolean, reason: string, required = requiredBackends()): false | string {
  return available || required.has(backend) ? false : reason;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eighHermitian, eighSymmetric, eigenvector, hermiticityError, zeroComplex } from './linalg';
import { bandsAt, blochHamiltonian, densityOfStates, hexagonalPoints, kMesh, solveAt, type TbModel } from './lattice';
import { DEFAULT_TB } from './params';
import { bilayer, monolayer, reduceToCluster, SOD_SITES, sodBonds, sitePosition } from './sod';

const P = { ...DEFAULT_TB };

test('eigensolver: H v = λ v for a random Hermitian matrix, eigenvalues real and summing to the trace', () => {
  const n = 9;
  const h = zeroComplex(n);
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (let i = 0; i < n; i++) {
    h.re[i * n + i] = rnd();
    for (let j = i + 1; j < n; j++) {
      const a = rnd();
      const b = rnd();
      h.re[i * n + j] = a;
      h.im[i * n + j] = b;
      h.re[j * n + i] = a;
      h.im[j * n + i] = -b;
    }
  }
  assert.equal(hermiticityError(h), 0);
  const e = eighHermitian(h);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += h.re[i * n + i]!;
  assert.ok(Math.abs(e.values.reduce((s, x) => s + x, 0) - trace) < 1e-12);
  for (let k = 0; k < n; k++) {
    const v = eigenvector(e, k);
    for (let i = 0; i < n; i++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        re += h.re[i * n + j]! * v.re[j]! - h.im[i * n + j]! * v.im[j]!;
        im += h.re[i * n + j]! * v.im[j]! + h.im[i * n + j]! * v.re[j]!;
      }
      assert.ok(Math.abs(re - e.values[k]! * v.re[i]!) < 1e-10 && Math.abs(im - e.values[k]! * v.im[i]!) < 1e-10);
    }
  }
});

test('SoD geometry: the 13 sites are a complete set of cosets of the √13×√13 lattice; 39 bonds; b–c contraction 3.2 %', () => {
  const seen = new Set<number>();
  for (let x = -6; x <= 6; x++) for (let y = -6; y <= 6; y++) seen.add(reduceToCluster([x, y]).site);
  assert.equal(seen.size, 13);
  const bonds = sodBonds(P);
  assert.equal(bonds.length, 39);
  const count = (t: string) => bonds.filter((b) => b.type === t).length;
  assert.deepEqual([count('ab'), count('bb'), count('bc'), count('inter')], [6, 6, 12, 15]);
  // The registry's third contraction (b–c, 3.2 %) follows from the other two by radial displacement.
  const bc = bonds.find((b) => b.type === 'bc')!;
  assert.ok(Math.abs(1 - bc.length - 0.032) < 5e-4, `b–c contraction ${1 - bc.length}`);
  assert.deepEqual(sitePosition(0, [0, 0], P), [0, 0]);
});

test('isolated SoD cluster: spectrum equals direct diagonalisation; C6 gives 5 singlets and 4 doublets', () => {
  const m = monolayer({ ...P, interScale: 0 });
  const e = solveAt(m, [0.3, -0.2]).values; // no inter-cluster hopping: no k dependence
  const dense = new Float64Array(169);
  for (let i = 0; i < 13; i++) dense[i * 13 + i] = m.onsite[i]!;
  for (const h of m.hoppings) {
    if (h.t === 0) continue;
    dense[h.i * 13 + h.j] = dense[h.i * 13 + h.j]! + h.t;
    dense[h.j * 13 + h.i] = dense[h.j * 13 + h.i]! + h.t;
  }
  const direct = eighSymmetric(dense, 13).values;
  for (let i = 0; i < 13; i++) assert.ok(Math.abs(direct[i]! - e[i]!) < 1e-12);
  const groups: number[] = [];
  for (let i = 0; i < 13; ) {
    let j = i + 1;
    while (j < 13 && Math.abs(e[j]! - e[i]!) < 1e-9) j++;
    groups.push(j - i);
    i = j;
  }
  assert.deepEqual([groups.filter((g) => g === 1).length, groups.filter((g) => g === 2).length], [5, 4], `groups ${groups}`);
});

test('two-site dimer: splitting exactly 2t⊥; AA bilayer narrow band splits by exactly 2t⊥', () => {
  const tp = 0.037;
  const dimer: TbModel = { a1: [1, 0], a2: [0, 1], onsite: [0.2, 0.2], hoppings: [{ i: 0, j: 1, cell: [0, 0], t: tp }], labels: ['1', '2'] };
  const e = solveAt(dimer, [0, 0]).values;
  assert.ok(Math.abs(e[1]! - e[0]! - 2 * tp) < 1e-14);
  const mono = solveAt(monolayer(P), [0, 0]).values;
  const bi = solveAt(bilayer(P, { stacking: 'AA', tPerp: tp, interlayer: 'stacked-sites' }), [0, 0]).values;
  // Every monolayer level ε appears as ε ± t⊥.
  const expected = Array.from(mono).flatMap((x) => [x - tp, x + tp]).sort((a, b) => a - b);
  expected.forEach((x, i) => assert.ok(Math.abs(x - bi[i]!) < 1e-12));
});

test('triangular lattice, one site per cell: bandwidth 9|t|, Hermitian H(k)', () => {
  const t = -0.3;
  const tri: TbModel = { a1: [1, 0], a2: [0.5, Math.sqrt(3) / 2], onsite: [0], hoppings: [[1, 0], [0, 1], [-1, 1]].map((c) => ({ i: 0, j: 0, cell: c as [number, number], t })), labels: ['x'] };
  const { K } = hexagonalPoints(tri.a1, tri.a2);
  const eG = solveAt(tri, [0, 0]).values[0]!;
  const eK = solveAt(tri, K).values[0]!;
  assert.ok(Math.abs(eG - 6 * t) < 1e-12 && Math.abs(eK + 3 * t) < 1e-12);
  const all = bandsAt(tri, kMesh(tri.a1, tri.a2, 60)).map((e) => e[0]!);
  assert.ok(Math.abs(Math.max(...all) - Math.min(...all) - 9 * Math.abs(t)) < 0.01);
  assert.ok(Math.abs(eK - eG - 9 * Math.abs(t)) < 1e-12);
});

test('SoD monolayer: H(k) Hermitian at generic k; degenerate pairs at K, none at a generic k', () => {
  const m = monolayer(P);
  assert.ok(hermiticityError(blochHamiltonian(m, [0.17, 0.41])) < 1e-15);
  const pairs = (v: Float64Array) => v.reduce((n, x, i) => n + (i > 0 && Math.abs(x - v[i - 1]!) < 1e-9 ? 1 : 0), 0);
  const { K } = hexagonalPoints(m.a1, m.a2);
  assert.ok(pairs(solveAt(m, K).values) >= 1);
  assert.equal(pairs(solveAt(m, [0.17, 0.41]).values), 0);
});

test('DOS integrates to the number of bands; narrow-band width converges in k-points', () => {
  const m = monolayer(P);
  const eigs = kMesh(m.a1, m.a2, 6).map((k) => solveAt(m, k));
  const grid = Array.from({ length: 2001 }, (_, i) => -1.5 + (3 * i) / 2000);
  for (const kind of ['gaussian', 'lorentzian'] as const) {
    const d = densityOfStates(eigs, grid, { kind, width: 0.01 });
    const integral = d.reduce((s, x) => s + x, 0) * (3 / 2000);
    // A Lorentzian's tails beyond a ±1.5 eV window hold ≈ 13·(2γ/π)/1 eV of the weight.
    assert.ok(Math.abs(integral - 13) < (kind === 'gaussian' ? 1e-6 : 0.1), `${kind}: ${integral}`);
  }
  const width = (n: number) => {
    const b = bandsAt(m, kMesh(m.a1, m.a2, n)).map((e) => e[6]!);
    return Math.max(...b) - Math.min(...b);
  };
  const [w6, w12, w18] = [width(6), width(12), width(18)];
  assert.ok(Math.abs(w18 - w12) < Math.abs(w12 - w6) + 1e-9 && Math.abs(w18 - w12) < 2e-3, `${w6} ${w12} ${w18}`);
  assert.equal(SOD_SITES.length, 13);
});

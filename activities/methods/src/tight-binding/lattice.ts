/**
 * Generic 2D tight-binding machinery: a model is a set of orbitals in a unit cell with real
 * on-site energies and hoppings t_ij(R) to cell R (integer coordinates in the lattice vectors).
 * The Bloch Hamiltonian is H_ij(k) = ε_i δ_ij + Σ_R t_ij(R) e^{i k·R} (+ h.c.), in the periodic
 * gauge that carries only the cell vector (eigenvalues do not depend on the gauge).
 */
import { eighHermitian, zeroComplex, type ComplexMatrix, type HermitianEigen } from './linalg';

export type Vec2 = readonly [number, number];

export interface Hopping {
  i: number;
  j: number;
  /** Cell of orbital j, in lattice-vector coordinates (orbital i sits in cell 0). */
  cell: readonly [number, number];
  /** Amplitude (eV); the model adds the Hermitian conjugate. */
  t: number;
}

export interface TbModel {
  /** Lattice vectors (same length unit as 1/k). */
  a1: Vec2;
  a2: Vec2;
  onsite: number[];
  hoppings: Hopping[];
  /** Orbital labels, e.g. "L1:a", "L1:b3", "1H:7". */
  labels: string[];
}

export function orbitalCount(m: TbModel): number {
  return m.onsite.length;
}

export function blochHamiltonian(m: TbModel, k: Vec2, extraOnsite?: readonly number[]): ComplexMatrix {
  const n = orbitalCount(m);
  const h = zeroComplex(n);
  for (let i = 0; i < n; i++) h.re[i * n + i] = m.onsite[i]! + (extraOnsite?.[i] ?? 0);
  for (const hop of m.hoppings) {
    const rx = hop.cell[0] * m.a1[0] + hop.cell[1] * m.a2[0];
    const ry = hop.cell[0] * m.a1[1] + hop.cell[1] * m.a2[1];
    const phase = k[0] * rx + k[1] * ry;
    const c = hop.t * Math.cos(phase);
    const s = hop.t * Math.sin(phase);
    h.re[hop.i * n + hop.j] = h.re[hop.i * n + hop.j]! + c;
    h.im[hop.i * n + hop.j] = h.im[hop.i * n + hop.j]! + s;
    h.re[hop.j * n + hop.i] = h.re[hop.j * n + hop.i]! + c;
    h.im[hop.j * n + hop.i] = h.im[hop.j * n + hop.i]! - s;
  }
  return h;
}

export function solveAt(m: TbModel, k: Vec2, extraOnsite?: readonly number[]): HermitianEigen {
  return eighHermitian(blochHamiltonian(m, k, extraOnsite));
}

/** Reciprocal vectors b_i with a_i·b_j = 2π δ_ij. */
export function reciprocal(a1: Vec2, a2: Vec2): [Vec2, Vec2] {
  const det = a1[0] * a2[1] - a1[1] * a2[0];
  const f = (2 * Math.PI) / det;
  return [
    [f * a2[1], -f * a2[0]],
    [-f * a1[1], f * a1[0]],
  ];
}

/** High-symmetry points of a hexagonal lattice (a1, a2 at 60° or 120°): Γ, M, K. */
export function hexagonalPoints(a1: Vec2, a2: Vec2): { G: Vec2; M: Vec2; K: Vec2 } {
  const [b1, b2] = reciprocal(a1, a2);
  const dot = b1[0] * b2[0] + b1[1] * b2[1];
  // b1, b2 at 120°: K = (2b1 + b2)/3; at 60°: K = (b1 + b2)/3.
  const K: Vec2 = dot < 0 ? [(2 * b1[0] + b2[0]) / 3, (2 * b1[1] + b2[1]) / 3] : [(b1[0] + b2[0]) / 3, (b1[1] + b2[1]) / 3];
  return { G: [0, 0], M: [b1[0] / 2, b1[1] / 2], K };
}

export interface PathPoint {
  k: Vec2;
  /** Cumulative |Δk| along the path (for plotting). */
  distance: number;
}

export interface KPath {
  points: PathPoint[];
  /** Index in `points` of each named corner. */
  ticks: { label: string; index: number }[];
}

/** Γ–M–K–Γ with `pointsPerSegment` points on each of its three segments. */
export function hexagonalPath(a1: Vec2, a2: Vec2, pointsPerSegment: number): KPath {
  const { G, M, K } = hexagonalPoints(a1, a2);
  const corners: [string, Vec2][] = [['Γ', G], ['M', M], ['K', K], ['Γ', G]];
  const points: PathPoint[] = [];
  const ticks: { label: string; index: number }[] = [{ label: 'Γ', index: 0 }];
  let dist = 0;
  points.push({ k: G, distance: 0 });
  for (let s = 0; s + 1 < corners.length; s++) {
    const [, from] = corners[s]!;
    const [label, to] = corners[s + 1]!;
    const len = Math.hypot(to[0] - from[0], to[1] - from[1]);
    for (let i = 1; i <= pointsPerSegment; i++) {
      const f = i / pointsPerSegment;
      points.push({ k: [from[0] + f * (to[0] - from[0]), from[1] + f * (to[1] - from[1])], distance: dist + f * len });
    }
    dist += len;
    ticks.push({ label, index: points.length - 1 });
  }
  return { points, ticks };
}

/** Uniform n×n Monkhorst–Pack mesh over the Brillouin zone (n ≥ 1), equal weights. */
export function kMesh(a1: Vec2, a2: Vec2, n: number): Vec2[] {
  const [b1, b2] = reciprocal(a1, a2);
  const out: Vec2[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const u = (i + 0.5) / n - 0.5;
      const v = (j + 0.5) / n - 0.5;
      out.push([u * b1[0] + v * b2[0], u * b1[1] + v * b2[1]]);
    }
  }
  return out;
}

/** Eigenvalues at every k (bands[k][band]). */
export function bandsAt(m: TbModel, ks: readonly Vec2[], extraOnsite?: readonly number[]): Float64Array[] {
  return ks.map((k) => solveAt(m, k, extraOnsite).values);
}

export type Broadening = { kind: 'gaussian' | 'lorentzian'; width: number };

/** Broadened line shape of unit area centred at 0. */
export function lineShape(b: Broadening, x: number): number {
  if (b.kind === 'gaussian') return Math.exp(-(x * x) / (2 * b.width * b.width)) / (b.width * Math.sqrt(2 * Math.PI));
  return b.width / Math.PI / (x * x + b.width * b.width);
}

/**
 * Density of states per cell and per spin on `energies` from eigenvalues on a uniform k-mesh:
 * D(E) = (1/N_k) Σ_{k,n} w·L(E − ε_nk), w = 1 or the eigenstate's weight on chosen orbitals.
 * ∫D dE = number of bands (Gaussian: up to the tails beyond the window).
 */
export function densityOfStates(eigs: readonly HermitianEigen[], energies: readonly number[], broadening: Broadening, orbitals?: readonly number[]): number[] {
  const out = new Array<number>(energies.length).fill(0);
  if (eigs.length === 0) return out;
  const n = eigs[0]!.values.length;
  for (const e of eigs) {
    for (let b = 0; b < n; b++) {
      let w = 1;
      if (orbitals) {
        w = 0;
        for (const j of orbitals) w += e.weights[b * n + j]!;
      }
      const eb = e.values[b]!;
      for (let i = 0; i < energies.length; i++) out[i] = out[i]! + (w * lineShape(broadening, energies[i]! - eb)) / eigs.length;
    }
  }
  return out;
}

/**
 * Chemical potential for `electrons` per cell (both spins) at temperature-like smearing `kT`
 * (Fermi–Dirac; kT = 0 → the midpoint between the highest filled and lowest empty level on the mesh).
 */
export function fermiLevel(eigs: readonly HermitianEigen[], electrons: number, kT: number): number {
  const all: number[] = [];
  for (const e of eigs) for (const v of e.values) all.push(v);
  all.sort((a, b) => a - b);
  const perSpinStates = electrons / 2;
  if (kT <= 0) {
    const filled = Math.round(perSpinStates * eigs.length);
    if (filled <= 0) return all[0]! - 1;
    if (filled >= all.length) return all[all.length - 1]! + 1;
    return (all[filled - 1]! + all[filled]!) / 2;
  }
  const count = (mu: number) => {
    let s = 0;
    for (const v of all) s += fermi(v - mu, kT);
    return (2 * s) / eigs.length;
  };
  let lo = all[0]! - 20 * kT - 1;
  let hi = all[all.length - 1]! + 20 * kT + 1;
  for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
    const mid = (lo + hi) / 2;
    if (count(mid) < electrons) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function fermi(x: number, kT: number): number {
  if (kT <= 0) return x < 0 ? 1 : x > 0 ? 0 : 0.5;
  const y = x / kT;
  if (y > 40) return 0;
  if (y < -40) return 1;
  return 1 / (1 + Math.exp(y));
}

/** Electrons per cell (both spins) on each orbital at chemical potential mu. */
export function orbitalDensities(eigs: readonly HermitianEigen[], mu: number, kT: number): number[] {
  const n = eigs[0]?.values.length ?? 0;
  const out = new Array<number>(n).fill(0);
  for (const e of eigs) {
    for (let b = 0; b < n; b++) {
      const occ = fermi(e.values[b]! - mu, kT);
      if (occ === 0) continue;
      for (let j = 0; j < n; j++) out[j] = out[j]! + (2 * occ * e.weights[b * n + j]!) / eigs.length;
    }
  }
  return out;
}

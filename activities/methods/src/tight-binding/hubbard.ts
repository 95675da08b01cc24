/**
 * On-site Hubbard U in self-consistent (Hartree–Fock, collinear) mean field:
 * H_σ(k) = H0(k) + diag(U_i ⟨n_{i,−σ}⟩). `paramagnetic` keeps n↑ = n↓ (Hartree shift U n_i/2);
 * `ferromagnetic` starts from a small uniform moment and lets it grow or die (Stoner-like).
 * Converged when the largest change of any ⟨n_iσ⟩ between iterations is below `tolerance`.
 */
import { fermiLevel, kMesh, orbitalDensities, solveAt, type TbModel } from './lattice';
import type { HermitianEigen } from './linalg';

export interface MeanFieldOptions {
  /** U per orbital (eV); 0 where the interaction is off (e.g. the 1H layer). */
  U: readonly number[];
  electrons: number;
  kPoints: number;
  /** Fermi–Dirac smearing kT (eV). */
  kT: number;
  mode: 'paramagnetic' | 'ferromagnetic';
  tolerance?: number;
  maxIterations?: number;
  /** Fraction of the new densities mixed in per iteration. */
  mixing?: number;
  /** Initial moment per interacting orbital (ferromagnetic). */
  seedMoment?: number;
}

export interface MeanFieldResult {
  converged: boolean;
  iterations: number;
  /** Largest density change in the last iteration. */
  residual: number;
  mu: number;
  nUp: number[];
  nDown: number[];
  /** Σ_i (n_i↑ − n_i↓) over the interacting orbitals (μ_B per cell). */
  moment: number;
  up: HermitianEigen[];
  down: HermitianEigen[];
}

export function meanField(m: TbModel, o: MeanFieldOptions): MeanFieldResult {
  const n = m.onsite.length;
  const tol = o.tolerance ?? 1e-6;
  const maxIt = o.maxIterations ?? 300;
  const mix = o.mixing ?? 0.5;
  const seed = o.mode === 'ferromagnetic' ? (o.seedMoment ?? 0.1) : 0;
  const ks = kMesh(m.a1, m.a2, o.kPoints);
  const avg = o.electrons / (2 * n);
  let nUp = o.U.map((u) => avg + (u > 0 ? seed / 2 : 0));
  let nDown = o.U.map((u) => avg - (u > 0 ? seed / 2 : 0));
  let residual = Infinity;
  let it = 0;
  let up: HermitianEigen[] = [];
  let down: HermitianEigen[] = [];
  let mu = 0;
  while (it < maxIt) {
    it++;
    const shiftUp = o.U.map((u, i) => u * nDown[i]!);
    const shiftDown = o.U.map((u, i) => u * nUp[i]!);
    up = ks.map((k) => solveAt(m, k, shiftUp));
    down = o.mode === 'paramagnetic' ? up : ks.map((k) => solveAt(m, k, shiftDown));
    // Both spin channels share μ: as one list of 2·N_k "k-points", fermiLevel counts Σf/N_k.
    mu = fermiLevel([...up, ...down], o.electrons, o.kT);
    let newUp = orbitalDensities(up, mu, o.kT).map((x) => x / 2);
    let newDown = orbitalDensities(down, mu, o.kT).map((x) => x / 2);
    if (o.mode === 'paramagnetic') {
      newUp = newUp.map((x, i) => (x + newDown[i]!) / 2);
      newDown = newUp;
    }
    residual = Math.max(...newUp.map((x, i) => Math.abs(x - nUp[i]!)), ...newDown.map((x, i) => Math.abs(x - nDown[i]!)));
    nUp = nUp.map((x, i) => (1 - mix) * x + mix * newUp[i]!);
    nDown = nDown.map((x, i) => (1 - mix) * x + mix * newDown[i]!);
    if (residual < tol) break;
  }
  const moment = o.U.reduce((s, u, i) => s + (u > 0 ? nUp[i]! - nDown[i]! : 0), 0);
  return { converged: residual < tol, iterations: it, residual, mu, nUp, nDown, moment, up, down };
}

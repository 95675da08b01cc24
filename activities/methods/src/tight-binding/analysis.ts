/**
 * Everything the `simulate` step's tight-binding model computes, as numbers and series: the
 * monolayer bands and DOS, the isolated narrow band, bilayer bonding/antibonding splitting per
 * stacking, the 1T/1H heterostructure (hybridisation shift, charge transfer) and the mean-field
 * Hubbard splitting with and without the 1H layer. The statements of arXiv 2103.06553 are
 * stated as inequalities the model checks (`checks`), with the parameters' sources beside them.
 */
import { meanField } from './hubbard';
import { eigenvector, projection, type ComplexVector, type HermitianEigen } from './linalg';
import { bandsAt, densityOfStates, fermiLevel, hexagonalPath, hexagonalPoints, kMesh, orbitalDensities, solveAt, type Broadening, type TbModel, type Vec2 } from './lattice';
import { checkParamOverrides, describeParams } from '../mpu/param-table';
import { DEFAULT_TB, TB_PARAMS, type TbParamName } from './params';
import { bilayer, heterostructure, monolayer, SOD_SITES, type MonolayerParams, type Stacking } from './sod';

export interface TightBindingOptions {
  /** Overrides of TB_PARAMS by name. */
  params?: Partial<Record<TbParamName, number>>;
  stackings?: Stacking[];
  broadeningKind?: Broadening['kind'];
  interlayer?: 'stacked-sites' | 'centre-only';
  /** Mean-field Hubbard mode for the U checks; `off` skips them. */
  hubbard?: 'ferromagnetic' | 'paramagnetic' | 'off';
  /** k-points per reciprocal vector in the mean-field loop (slower than one diagonalisation). */
  mfKMesh?: number;
}

export interface Check {
  id: string;
  statement: string;
  holds: boolean;
  values: Record<string, number>;
}

export interface Series {
  name: string;
  x: number[];
  /** One y-array per curve (e.g. per band). */
  y: number[][];
  xLabel: string;
  yLabel: string;
}

export interface TightBindingResult {
  params: Record<string, { value: number; unit: string; source: string }>;
  metrics: Record<string, number>;
  checks: Check[];
  series: Series[];
  notes: string[];
}

/** Index of the band that holds E_F in the monolayer at 13 electrons (the 7th of 13). */
export const NARROW_BAND = 6;

export function validateTbParams(p: Record<string, unknown>): string[] {
  return checkParamOverrides(TB_PARAMS, p);
}

function bandRange(bands: readonly Float64Array[], b: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of bands) {
    lo = Math.min(lo, e[b]!);
    hi = Math.max(hi, e[b]!);
  }
  return [lo, hi];
}

/** Narrow-band eigenvector of the monolayer at k, padded into a larger model's orbital space. */
function probe(mono: TbModel, k: Vec2, size: number, offset: number): ComplexVector {
  return pad(eigenvector(solveAt(mono, k), NARROW_BAND), size, offset);
}

function pad(v: ComplexVector, size: number, offset: number): ComplexVector {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(v.re, offset);
  im.set(v.im, offset);
  return { re, im };
}

/** Centroid and occupancy (both spins) of the spectral weight projected on the monolayer narrow band. */
function projectedNarrowBand(mono: TbModel, ks: readonly Vec2[], eigs: readonly HermitianEigen[], offset: number, mu: number, kT: number): { centre: number; occupancy: number; weight: number } {
  let wsum = 0;
  let esum = 0;
  let occ = 0;
  ks.forEach((k, i) => {
    const e = eigs[i]!;
    const w = projection(e, probe(mono, k, e.values.length, offset));
    for (let b = 0; b < w.length; b++) {
      wsum += w[b]!;
      esum += w[b]! * e.values[b]!;
      occ += 2 * w[b]! * fermiOcc(e.values[b]! - mu, kT);
    }
  });
  return { centre: esum / wsum, occupancy: occ / ks.length, weight: wsum / ks.length };
}

const fermiOcc = (x: number, kT: number) => (kT <= 0 ? (x < 0 ? 1 : x > 0 ? 0 : 0.5) : 1 / (1 + Math.exp(Math.max(-40, Math.min(40, x / kT)))));

export function runTightBinding(opts: TightBindingOptions = {}): TightBindingResult {
  const bad = validateTbParams(opts.params ?? {});
  if (bad.length) throw new Error(`tight-binding parameters: ${bad.join('; ')}`);
  const p = { ...DEFAULT_TB, ...opts.params } as Record<TbParamName, number>;
  const mp: MonolayerParams = { t0: p.t0, eta: p.eta, contractionAB: p.contractionAB, contractionAC: p.contractionAC, interScale: p.interScale, onsiteA: p.onsiteA, onsiteB: p.onsiteB, onsiteC: p.onsiteC };
  const broadening: Broadening = { kind: opts.broadeningKind ?? 'gaussian', width: p.broadening };
  const metrics: Record<string, number> = {};
  const checks: Check[] = [];
  const series: Series[] = [];
  const notes: string[] = [];

  // --- Monolayer: bands, DOS, the isolated narrow band and its real-space weight.
  const mono = monolayer(mp);
  const mesh = kMesh(mono.a1, mono.a2, p.kMesh);
  const eigs = mesh.map((k) => solveAt(mono, k));
  const ef = fermiLevel(eigs, p.electrons, 0);
  const bands = eigs.map((e) => e.values);
  const [lo, hi] = bandRange(bands, NARROW_BAND);
  const below = bandRange(bands, NARROW_BAND - 1)[1];
  const above = bandRange(bands, NARROW_BAND + 1)[0];
  const width = hi - lo;
  const gap = Math.min(lo - below, above - hi);
  Object.assign(metrics, { fermi_level_ev: ef, narrow_band_width_ev: width, narrow_band_gap_below_ev: lo - below, narrow_band_gap_above_ev: above - hi, narrow_band_gap_ev: gap, narrow_band_isolation_ev: gap - width, narrow_band_centre_minus_ef_ev: (lo + hi) / 2 - ef });
  checks.push({
    id: 'narrow-band-isolated',
    statement: 'the band holding E_F in the 1T monolayer is isolated and narrow: its width is below the gaps to the bands on either side (gap > 0, width < gap)',
    holds: gap > 0 && width < gap && ef >= lo && ef <= hi,
    values: { width, gap, ef, bandBottom: lo, bandTop: hi },
  });
  // Real-space weight of the narrow band on the 13 sites, averaged over the Brillouin zone.
  const siteWeight = SOD_SITES.map((_, j) => eigs.reduce((s, e) => s + e.weights[NARROW_BAND * 13 + j]!, 0) / eigs.length);
  const wa = siteWeight[0]!;
  const wb = siteWeight.slice(1, 7).reduce((s, x) => s + x, 0);
  const wc = siteWeight.slice(7).reduce((s, x) => s + x, 0);
  Object.assign(metrics, { narrow_weight_a: wa, narrow_weight_b_ring: wb, narrow_weight_c_ring: wc });
  series.push({ name: 'narrow_band_site_weight', x: siteWeight.map((_, i) => i), y: [siteWeight], xLabel: 'site (0 = a, 1–6 = b ring, 7–12 = c ring)', yLabel: '|ψ|² (BZ average)' });
  // Bands along Γ–M–K–Γ, relative to E_F.
  const path = hexagonalPath(mono.a1, mono.a2, p.pathPoints);
  const pathBands = bandsAt(mono, path.points.map((q) => q.k));
  series.push({ name: 'bands_monolayer', x: path.points.map((q) => q.distance), y: Array.from({ length: 13 }, (_, b) => pathBands.map((e) => e[b]! - ef)), xLabel: `k along Γ–M–K–Γ (1/a0); ticks at ${path.ticks.map((t) => `${t.label}:${t.index}`).join(' ')}`, yLabel: 'E − E_F (eV)' });
  // K-point degeneracies (C3 at K).
  const { K } = hexagonalPoints(mono.a1, mono.a2);
  const eK = solveAt(mono, K).values;
  let pairsAtK = 0;
  for (let b = 0; b + 1 < eK.length; b++) if (Math.abs(eK[b + 1]! - eK[b]!) < 1e-9) pairsAtK++;
  metrics.degenerate_pairs_at_k = pairsAtK;
  // DOS.
  const eMin = Math.min(...bands.map((e) => e[0]!)) - 5 * broadening.width;
  const eMax = Math.max(...bands.map((e) => e[12]!)) + 5 * broadening.width;
  const grid = Array.from({ length: 601 }, (_, i) => eMin + ((eMax - eMin) * i) / 600);
  const dos = densityOfStates(eigs, grid, broadening);
  const dosA = densityOfStates(eigs, grid, broadening, [0]);
  const dE = (eMax - eMin) / 600;
  metrics.dos_integral = dos.reduce((s, x) => s + x, 0) * dE;
  series.push({ name: 'dos_monolayer', x: grid.map((e) => e - ef), y: [dos, dosA], xLabel: 'E − E_F (eV)', yLabel: `DOS per SoD per spin (1/eV), ${broadening.kind} ${broadening.width} eV; second curve: weight on the centre site` });

  // --- Bilayers: bonding/antibonding splitting of the narrow band.
  for (const stacking of opts.stackings ?? ['AA', 'AC']) {
    const bi = bilayer(mp, { stacking, tPerp: p.tPerp, interlayer: opts.interlayer ?? 'stacked-sites' });
    const be = mesh.map((k) => solveAt(bi, k));
    // Weight of each bilayer state on the two layers' narrow-band states at k.
    const narrowPairWeight = (e: HermitianEigen, k: Vec2) => {
      const v = eigenvector(solveAt(mono, k), NARROW_BAND);
      const w1 = projection(e, pad(v, 26, 0));
      const w2 = projection(e, pad(v, 26, 13));
      return w1.map((x, b) => x + w2[b]!);
    };
    // The two bilayer states with most weight on the two layers' narrow bands, per k.
    let splitSum = 0;
    let splitG = 0;
    let bondTop = -Infinity;
    let antiBottom = Infinity;
    mesh.forEach((k, i) => {
      const e = be[i]!;
      const w = narrowPairWeight(e, k);
      const order = Array.from(w.keys()).sort((x, y) => w[y]! - w[x]!).slice(0, 2).sort((x, y) => e.values[x]! - e.values[y]!);
      const eb = e.values[order[0]!]!;
      const ea = e.values[order[1]!]!;
      splitSum += ea - eb;
      bondTop = Math.max(bondTop, eb);
      antiBottom = Math.min(antiBottom, ea);
    });
    splitG = (() => {
      const e = solveAt(bi, [0, 0]);
      const w = narrowPairWeight(e, [0, 0]);
      const order = Array.from(w.keys()).sort((x, y) => w[y]! - w[x]!).slice(0, 2).sort((x, y) => e.values[x]! - e.values[y]!);
      return e.values[order[1]!]! - e.values[order[0]!]!;
    })();
    const split = splitSum / mesh.length;
    const efBi = fermiLevel(be, 2 * p.electrons, 0);
    const bandsBi = be.map((e) => e.values);
    const gapAtEf = bandRange(bandsBi, 13)[0] - bandRange(bandsBi, 12)[1];
    const s = stacking.toLowerCase();
    Object.assign(metrics, { [`${s}_splitting_ev`]: split, [`${s}_splitting_gamma_ev`]: splitG, [`${s}_splitting_over_2tperp`]: split / (2 * p.tPerp), [`${s}_gap_at_ef_ev`]: gapAtEf, [`${s}_bond_antibond_gap_ev`]: antiBottom - bondTop });
    if (stacking === 'AA') {
      checks.push({
        id: 'aa-dimer-splitting',
        statement: 'AA-dimerised bilayer: the narrow band splits into bonding/antibonding bands ≈ 2t⊥ apart (|split/2t⊥ − 1| < 0.1), and when 2t⊥ exceeds the narrow-band width the half-filled bilayer has a gap at E_F',
        holds: Math.abs(split / (2 * p.tPerp) - 1) < 0.1 && (2 * Math.abs(p.tPerp) <= width || gapAtEf > 0),
        values: { split, twoTPerp: 2 * p.tPerp, gapAtEf, width, efBi },
      });
    }
    const bp = bandsAt(bi, path.points.map((q) => q.k));
    series.push({ name: `bands_bilayer_${s}`, x: path.points.map((q) => q.distance), y: [10, 11, 12, 13, 14, 15].map((b) => bp.map((e) => e[b]! - efBi)), xLabel: 'k along Γ–M–K–Γ (1/a0)', yLabel: 'E − E_F (eV), the 6 bands around E_F' });
  }

  // --- 1T on a metallic 1H layer: hybridisation shift and charge transfer.
  const hetero = (V: number) => {
    // Place the 1H band so that, alone, its chemical potential sits muOffsetH from the 1T one.
    const h0 = heterostructure(mp, { tH: p.tH, onsiteH: 0, V: 0 });
    const hEigs0 = mesh.map((k) => solveAt(h0, k));
    const muH0 = fermiLevel(hEigs0.map((e) => ({ ...e, values: e.values.filter((_, b) => e.weights.slice(b * 26 + 13, b * 26 + 26).reduce((s, x) => s + x, 0) > 0.5) })), p.electrons, 0);
    const onsiteH = ef + p.muOffsetH - muH0;
    const model = heterostructure(mp, { tH: p.tH, onsiteH, V });
    const he = mesh.map((k) => solveAt(model, k));
    const mu = fermiLevel(he, 2 * p.electrons, p.smearing);
    const dens = orbitalDensities(he, mu, p.smearing);
    const n1T = dens.slice(0, 13).reduce((s, x) => s + x, 0);
    const nb = projectedNarrowBand(mono, mesh, he, 0, mu, p.smearing);
    return { model, onsiteH, mu, n1T, nb };
  };
  const hyb = hetero(p.V);
  const noHyb = hetero(0);
  Object.assign(metrics, {
    hetero_narrow_centre_minus_ef_ev: hyb.nb.centre - hyb.mu,
    hetero_narrow_centre_minus_ef_v0_ev: noHyb.nb.centre - noHyb.mu,
    hetero_narrow_occupancy: hyb.nb.occupancy,
    hetero_narrow_occupancy_v0: noHyb.nb.occupancy,
    hetero_charge_transfer_e: p.electrons - hyb.n1T,
    hetero_charge_transfer_v0_e: p.electrons - noHyb.n1T,
    hetero_onsite_1h_ev: hyb.onsiteH,
  });
  checks.push({
    id: 'hybridisation-shift',
    statement: '1T on a metallic 1H layer: with hybridisation V the narrow band lies above E_F (spectral centroid − E_F > 0, less than half-filled) and charge has moved from 1T to 1H',
    holds: hyb.nb.centre - hyb.mu > 0 && hyb.nb.occupancy < 1 && p.electrons - hyb.n1T > 0,
    values: { centreMinusEf: hyb.nb.centre - hyb.mu, centreMinusEfV0: noHyb.nb.centre - noHyb.mu, occupancy: hyb.nb.occupancy, chargeTransfer: p.electrons - hyb.n1T },
  });
  notes.push(`1H band: on-site ${hyb.onsiteH.toFixed(4)} eV puts the isolated 1H chemical potential ${p.muOffsetH} eV from the isolated 1T one (muOffsetH, user-chosen); V = 0 separates charge transfer by the offset alone from hybridisation.`);

  // --- Hubbard U (mean field): correlation splitting of the narrow band, with and without 1H.
  if ((opts.hubbard ?? 'ferromagnetic') !== 'off' && p.U > 0) {
    const mode = opts.hubbard === 'paramagnetic' ? 'paramagnetic' : 'ferromagnetic';
    const mfK = opts.mfKMesh ?? 6;
    const mfMesh = kMesh(mono.a1, mono.a2, mfK);
    const split = (model: TbModel, U: number[], electrons: number) => {
      const r = meanField(model, { U, electrons, kPoints: mfK, kT: p.smearing, mode });
      const up = projectedNarrowBand(mono, mfMesh, r.up, 0, r.mu, p.smearing);
      const dn = projectedNarrowBand(mono, mfMesh, r.down, 0, r.mu, p.smearing);
      return { r, splitting: dn.centre - up.centre };
    };
    const alone = split(mono, mono.onsite.map(() => p.U), p.electrons);
    const withH = split(hyb.model, hyb.model.onsite.map((_, i) => (i < 13 ? p.U : 0)), 2 * p.electrons);
    Object.assign(metrics, {
      mf_moment_1t: alone.r.moment,
      mf_splitting_1t_ev: alone.splitting,
      mf_moment_hetero: withH.r.moment,
      mf_splitting_hetero_ev: withH.splitting,
      mf_splitting_reduction_ev: Math.abs(alone.splitting) - Math.abs(withH.splitting),
      mf_converged: alone.r.converged && withH.r.converged ? 1 : 0,
      mf_iterations: alone.r.iterations + withH.r.iterations,
    });
    checks.push({
      id: 'hybridisation-suppresses-splitting',
      statement: `mean-field U (${mode}): the correlation splitting of the narrow band is smaller on the 1H layer (less than half-filled) than in the isolated 1T layer`,
      holds: alone.r.converged && withH.r.converged && Math.abs(withH.splitting) < Math.abs(alone.splitting),
      values: { splitting1T: alone.splitting, splittingHetero: withH.splitting, moment1T: alone.r.moment, momentHetero: withH.r.moment },
    });
  }

  for (const c of checks) metrics[`check_${c.id.replace(/-/g, '_')}`] = c.holds ? 1 : 0;
  return { params: describeParams(TB_PARAMS, p, opts.params ?? {}), metrics, checks, series, notes };
}

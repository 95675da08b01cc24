/**
 * The 1T-TaS2 √13×√13 Star-of-David (SoD) superlattice as a single-orbital tight-binding model.
 * Ta sites of the undistorted triangular lattice (a1 = (1, 0), a2 = (½, √3/2), unit: the Ta–Ta
 * distance a0) are grouped in 13-site clusters: the centre `a`, the inner ring `b1…b6` (nearest
 * neighbours) and the outer ring `c1…c6` (second neighbours, at √3). The superlattice vectors are
 * A1 = 3a1 + a2 and A2 = −a1 + 4a2 (|A| = √13 a0). The CDW contracts the cluster radially; every
 * nearest-neighbour bond of the undistorted lattice keeps a hopping t(d) = t0 (a0/d)^η of its
 * distorted length d, or an explicit value per bond type (ab, bb, bc, inter-cluster).
 */
import type { Hopping, TbModel, Vec2 } from './lattice';

export type SiteKind = 'a' | 'b' | 'c';

/** Ta-lattice integer coordinates of the 13 sites, in the order a, b1…b6, c1…c6 (by angle). */
export const SOD_SITES: readonly { kind: SiteKind; n: readonly [number, number] }[] = [
  { kind: 'a', n: [0, 0] },
  ...([[1, 0], [0, 1], [-1, 1], [-1, 0], [0, -1], [1, -1]] as const).map((n) => ({ kind: 'b' as const, n })),
  ...([[1, 1], [-1, 2], [-2, 1], [-1, -1], [1, -2], [2, -1]] as const).map((n) => ({ kind: 'c' as const, n })),
];
export const SOD_LABELS = SOD_SITES.map((s, i) => (s.kind === 'a' ? 'a' : `${s.kind}${((i - 1) % 6) + 1}`));

/** Superlattice vectors in Ta-lattice coordinates. */
export const A1_TA: readonly [number, number] = [3, 1];
export const A2_TA: readonly [number, number] = [-1, 4];

export function cartesian(n: readonly [number, number]): Vec2 {
  return [n[0] + n[1] / 2, (n[1] * Math.sqrt(3)) / 2];
}

export const SUPER_A1 = cartesian(A1_TA);
export const SUPER_A2 = cartesian(A2_TA);

/** The SoD site and supercell of a Ta-lattice point: n = site + m1·A1 + m2·A2. */
export function reduceToCluster(n: readonly [number, number]): { site: number; cell: [number, number] } {
  for (let s = 0; s < SOD_SITES.length; s++) {
    const d0 = n[0] - SOD_SITES[s]!.n[0];
    const d1 = n[1] - SOD_SITES[s]!.n[1];
    // Inverse of [[3, −1], [1, 4]] (columns A1, A2), determinant 13.
    const m1 = 4 * d0 + d1;
    const m2 = -d0 + 3 * d1;
    if (m1 % 13 === 0 && m2 % 13 === 0) return { site: s, cell: [m1 / 13, m2 / 13] };
  }
  throw new Error(`Ta site (${n.join(', ')}) is in no cluster: the SoD sites are not a complete set of cosets`);
}

export interface SodGeometry {
  /** Fractional radial contraction of the centre–inner-ring distance (a–b). */
  contractionAB: number;
  /** Fractional radial contraction of the centre–outer-ring distance (a–c, nominally √3 a0). */
  contractionAC: number;
}

/** Cartesian position (units of a0) of SoD site s in supercell `cell`, with the CDW contraction. */
export function sitePosition(s: number, cell: readonly [number, number], g: SodGeometry): Vec2 {
  const site = SOD_SITES[s]!;
  const f = site.kind === 'a' ? 1 : site.kind === 'b' ? 1 - g.contractionAB : 1 - g.contractionAC;
  const p = cartesian(site.n);
  return [f * p[0] + cell[0] * SUPER_A1[0] + cell[1] * SUPER_A2[0], f * p[1] + cell[0] * SUPER_A1[1] + cell[1] * SUPER_A2[1]];
}

export type BondType = 'ab' | 'bb' | 'bc' | 'inter';

export interface Bond {
  i: number;
  j: number;
  cell: [number, number];
  type: BondType;
  /** Distorted length in units of a0. */
  length: number;
}

/** Every nearest-neighbour bond of the undistorted Ta lattice, once, as SoD site pairs (39 per cell). */
export function sodBonds(g: SodGeometry): Bond[] {
  const out: Bond[] = [];
  for (let i = 0; i < SOD_SITES.length; i++) {
    const p = SOD_SITES[i]!.n;
    // Three of the six directions: every bond is found exactly once.
    for (const d of [[1, 0], [0, 1], [-1, 1]] as const) {
      const { site: j, cell } = reduceToCluster([p[0] + d[0], p[1] + d[1]]);
      const pi = sitePosition(i, [0, 0], g);
      const pj = sitePosition(j, cell, g);
      const length = Math.hypot(pj[0] - pi[0], pj[1] - pi[1]);
      const intra = cell[0] === 0 && cell[1] === 0;
      const kinds = [SOD_SITES[i]!.kind, SOD_SITES[j]!.kind].sort().join('');
      const type: BondType = !intra ? 'inter' : kinds === 'ab' ? 'ab' : kinds === 'bb' ? 'bb' : kinds === 'bc' ? 'bc' : 'inter';
      if (intra && type === 'inter') throw new Error(`unexpected intra-cluster bond ${kinds}`);
      out.push({ i, j, cell, type, length });
    }
  }
  return out;
}

export interface MonolayerParams extends SodGeometry {
  /** Nearest-neighbour hopping of the undistorted lattice (eV). */
  t0: number;
  /** Exponent of t(d) = t0 (a0/d)^η. */
  eta: number;
  /** Factor on t(d) of inter-cluster bonds (1: bond-length scaling alone). */
  interScale: number;
  /** Explicit hoppings per bond type (eV), overriding t(d). */
  hop?: Partial<Record<BondType, number>>;
  /** On-site energies of a, b, c sites (eV). */
  onsiteA: number;
  onsiteB: number;
  onsiteC: number;
}

export function bondHopping(p: MonolayerParams, b: Bond): number {
  return p.hop?.[b.type] ?? p.t0 * Math.pow(1 / b.length, p.eta) * (b.type === 'inter' ? p.interScale : 1);
}

/** One 1T layer: 13 orbitals per supercell, labels prefixed by `prefix`. */
export function monolayer(p: MonolayerParams, prefix = ''): TbModel {
  const hoppings: Hopping[] = sodBonds(p).map((b) => ({ i: b.i, j: b.j, cell: b.cell, t: bondHopping(p, b) }));
  const onsite = SOD_SITES.map((s) => (s.kind === 'a' ? p.onsiteA : s.kind === 'b' ? p.onsiteB : p.onsiteC));
  return { a1: SUPER_A1, a2: SUPER_A2, onsite, hoppings, labels: SOD_LABELS.map((l) => prefix + l) };
}

/** A model with its orbitals renumbered from `offset` (for stacking layers). */
function shifted(m: TbModel, offset: number): Hopping[] {
  return m.hoppings.map((h) => ({ ...h, i: h.i + offset, j: h.j + offset }));
}

/**
 * Stackings of a second layer, as the in-plane shift (Ta-lattice coordinates) of its SoD centre
 * over the first layer: AA (centre over centre, the "dimerised" pair), AB (centre over an
 * inner-ring b site), AC (centre over an outer-ring c site). The shifted stackings are those of
 * T_A / T_B / T_C in the stacking literature (e.g. Ritschel et al., Nat. Phys. 11, 328 (2015));
 * the "L" stacking of Lee et al., PRL 122, 106404 (2019) is a shifted one of this kind.
 */
export const STACKINGS = { AA: [0, 0], AB: [1, 0], AC: [1, 1] } as const satisfies Record<string, readonly [number, number]>;
export type Stacking = keyof typeof STACKINGS;

/**
 * Vertical bonds between layer 1 (orbitals 0…12) and a layer 2 shifted by `shift`: every layer-2
 * site over the layer-1 site directly beneath it (`stacked-sites`) or only the layer-2 centre
 * (`centre-only`).
 */
export function verticalBonds(shift: readonly [number, number], t: number, which: 'stacked-sites' | 'centre-only', offsetTop: number): Hopping[] {
  const out: Hopping[] = [];
  for (let s = 0; s < SOD_SITES.length; s++) {
    if (which === 'centre-only' && SOD_SITES[s]!.kind !== 'a') continue;
    const n = SOD_SITES[s]!.n;
    const below = reduceToCluster([n[0] + shift[0], n[1] + shift[1]]);
    out.push({ i: s + offsetTop, j: below.site, cell: below.cell, t });
  }
  return out;
}

export interface BilayerParams {
  stacking: Stacking;
  /** Interlayer hopping between vertically stacked Ta sites (eV). */
  tPerp: number;
  interlayer: 'stacked-sites' | 'centre-only';
}

/** Two identical 1T layers (orbitals 0…12: layer 1, 13…25: layer 2). */
export function bilayer(p: MonolayerParams, b: BilayerParams): TbModel {
  const one = monolayer(p);
  const n = one.onsite.length;
  return {
    a1: one.a1,
    a2: one.a2,
    onsite: [...one.onsite, ...one.onsite],
    hoppings: [...one.hoppings, ...shifted(one, n), ...verticalBonds(STACKINGS[b.stacking], b.tPerp, b.interlayer, n)],
    labels: [...one.labels.map((l) => `L1:${l}`), ...one.labels.map((l) => `L2:${l}`)],
  };
}

export interface MetallicLayerParams {
  /** Nearest-neighbour hopping of the 1H layer's simple band, on the undistorted Ta lattice (eV). */
  tH: number;
  /** On-site energy of the 1H band (eV), relative to the 1T on-site energies. */
  onsiteH: number;
  /** Hybridisation V between each 1T site and the 1H site directly above it (eV). */
  V: number;
}

/**
 * A 1T layer (orbitals 0…12) on a metallic 1H layer modelled as one simple band: one orbital per
 * Ta site of an undistorted triangular lattice (13 per supercell, orbitals 13…25), each coupled
 * by V to the 1T site beneath it.
 */
export function heterostructure(p: MonolayerParams, h: MetallicLayerParams): TbModel {
  const one = monolayer(p);
  const n = one.onsite.length;
  const metal: Hopping[] = sodBonds({ contractionAB: 0, contractionAC: 0 }).map((b) => ({ i: b.i + n, j: b.j + n, cell: b.cell, t: h.tH }));
  return {
    a1: one.a1,
    a2: one.a2,
    onsite: [...one.onsite, ...SOD_SITES.map(() => h.onsiteH)],
    hoppings: [...one.hoppings, ...metal, ...verticalBonds([0, 0], h.V, 'stacked-sites', n)],
    labels: [...one.labels.map((l) => `1T:${l}`), ...one.labels.map((l) => `1H:${l}`)],
  };
}

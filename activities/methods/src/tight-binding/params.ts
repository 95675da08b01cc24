/**
 * Default parameters of the Star-of-David tight-binding model, each with its source. None comes
 * from Wen et al. (arXiv 2103.06553), which published no tight-binding parameters readable here
 * (shared/papers/NOTES.md §9); the paper's statements are checked qualitatively with these.
 */
import { defaultsOf, type ParamTable } from '../mpu/param-table';

const SKD = 'github.com/wangshiphys/TaS2 ThreeOrbitTB.py (third-party code; its docstring cites N. V. Smith, S. D. Kevan, F. J. DiSalvo, J. Phys. C 18, 3175 (1985) and K. Rossnagel, N. V. Smith, PRB 73, 073106 (2006)); registry entries related-tas2-3orbital-tb-dd-sigma/-dd-delta';
const SOD = 'github.com/wangshiphys/TaS2 StarOfDavid/ShowStarOfDavidModel.py docstring (third-party code, primary source not named there); registry entry';
const USER = 'user-chosen (reprolab), not from any paper';

export const TB_PARAMS = {
  t0: {
    value: (-0.746 + 3 * 0.10912) / 4,
    min: -2,
    max: 2,
    unit: 'eV',
    source: `in-plane d_z2–d_z2 Slater–Koster combination (ddσ + 3ddδ)/4 with ddσ = −0.746 eV, ddδ = 0.10912 eV from ${SKD}; the single-orbital reduction is reprolab's`,
  },
  eta: { value: 5, min: 0, max: 12, unit: 'exponent of t ∝ d^−η', source: 'W. A. Harrison, Electronic Structure and the Properties of Solids (1980): d–d matrix elements scale as d^−5' },
  contractionAB: { value: 0.064, min: 0, max: 0.3, unit: 'fraction', source: `${SOD} related-tas2-sod-shrink-ab (6.4 %)` },
  contractionAC: { value: 0.0428, min: 0, max: 0.3, unit: 'fraction', source: `${SOD} related-tas2-sod-shrink-ac (4.28 %); the b–c contraction 3.2 % (related-tas2-sod-shrink-bc) then follows from radial displacements` },
  interScale: { value: 0.3, min: 0, max: 2, unit: 'factor on t(d) of inter-cluster bonds', source: `${USER}: with 1 (bond-length scaling alone) and zero on-site potentials the middle band is not isolated (width ≈ 0.18 eV, overlapping its neighbours)` },
  onsiteA: { value: 0, min: -5, max: 5, unit: 'eV', source: `${USER}: reference on-site energy` },
  onsiteB: { value: 0, min: -5, max: 5, unit: 'eV', source: `${USER}: reference on-site energy` },
  onsiteC: { value: -0.4, min: -5, max: 5, unit: 'eV', source: `${USER}: chosen (with interScale) so that the single-orbital model has an isolated narrow band with weight on the centre; not a CDW potential from any source (a uniform shift of all three on-site energies changes nothing)` },
  electrons: { value: 13, min: 0, max: 26, unit: 'electrons per SoD (both spins)', source: 'one 5d electron per Ta4+ (13 Ta per cluster): standard valence count of 1T-TaS2' },
  tPerp: { value: 0.05, min: -1, max: 1, unit: 'eV', source: `${USER}: interlayer hopping between stacked Ta sites` },
  U: { value: 0.4, min: 0, max: 10, unit: 'eV', source: `${USER}: on-site Hubbard U per Ta site (mean field)` },
  tH: { value: -0.1, min: -2, max: 2, unit: 'eV', source: `${USER}: nearest-neighbour hopping of the 1H layer's simple band (bandwidth 9|tH|)` },
  muOffsetH: { value: -0.05, min: -2, max: 2, unit: 'eV', source: `${USER}: chemical potential of the isolated 1H layer minus that of the isolated 1T layer (drives 1T→1H charge transfer when negative)` },
  V: { value: 0.05, min: 0, max: 1, unit: 'eV', source: `${USER}: 1T–1H hybridisation between vertically stacked Ta sites` },
  broadening: { value: 0.005, min: 1e-5, max: 1, unit: 'eV (Gaussian σ)', source: `${USER}: DOS line width` },
  kMesh: { value: 24, min: 1, max: 200, integer: true, unit: 'k-points per reciprocal vector', source: `${USER}: converged to < 1 meV (tested)` },
  pathPoints: { value: 24, min: 2, max: 400, integer: true, unit: 'points per Γ–M–K–Γ segment', source: USER },
  smearing: { value: 0.002, min: 0, max: 0.1, unit: 'eV (Fermi–Dirac kT)', source: `${USER}: occupation smearing in the mean-field loop` },
} satisfies ParamTable<string>;

export type TbParamName = keyof typeof TB_PARAMS;
export const DEFAULT_TB = defaultsOf(TB_PARAMS);

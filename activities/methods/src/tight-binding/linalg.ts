/**
 * Dense Hermitian eigensolver, no dependencies. A complex Hermitian n×n matrix H = A + iB is
 * diagonalised through its real symmetric 2n×2n embedding [[A, −B], [B, A]], whose spectrum is
 * that of H with every eigenvalue doubled: eigenvector u + iv of H gives (u, v) and (−v, u).
 * The symmetric solver is Householder tridiagonalisation followed by the implicit QL algorithm
 * (tred2 / tql2 of EISPACK, as ported in the public-domain JAMA library).
 */

/** Row-major complex matrix: element (i, j) is re[i·n + j] + i·im[i·n + j]. */
export interface ComplexMatrix {
  n: number;
  re: Float64Array;
  im: Float64Array;
}

export function zeroComplex(n: number): ComplexMatrix {
  return { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
}

/** Largest |H − H†| element (0 for a Hermitian matrix). */
export function hermiticityError(h: ComplexMatrix): number {
  let worst = 0;
  for (let i = 0; i < h.n; i++) {
    for (let j = 0; j < h.n; j++) {
      const a = i * h.n + j;
      const b = j * h.n + i;
      worst = Math.max(worst, Math.abs(h.re[a]! - h.re[b]!), Math.abs(h.im[a]! + h.im[b]!));
    }
  }
  return worst;
}

export interface SymmetricEigen {
  /** Ascending eigenvalues. */
  values: Float64Array;
  /** Column k of this row-major n×n matrix is the eigenvector of values[k]. */
  vectors: Float64Array;
}

/** Eigenvalues (ascending) and orthonormal eigenvectors of a real symmetric n×n row-major matrix. */
export function eighSymmetric(matrix: Float64Array, n: number): SymmetricEigen {
  const V = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(V, d, e, n);
  tql2(V, d, e, n);
  return { values: d, vectors: V };
}

export interface HermitianEigen {
  /** Ascending eigenvalues (real). */
  values: Float64Array;
  /**
   * weights[k·n + j]: |ψ_k(j)|² of band k on orbital j (Σ_j = 1). Inside a degenerate set the
   * split between its members is basis-dependent; their sum over the set is not.
   */
  weights: Float64Array;
  /** The real 2n×2n embedding's eigenpairs, for projections (see `projection`). */
  embedding: SymmetricEigen;
}

/** Eigenvalues and orbital weights of a Hermitian matrix (via the real 2n×2n embedding). */
export function eighHermitian(h: ComplexMatrix): HermitianEigen {
  const n = h.n;
  const m = 2 * n;
  const big = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = h.re[i * n + j]!;
      const b = h.im[i * n + j]!;
      big[i * m + j] = a;
      big[(i + n) * m + j + n] = a;
      big[i * m + j + n] = -b;
      big[(i + n) * m + j] = b;
    }
  }
  const { values, vectors } = eighSymmetric(big, m);
  const out = new Float64Array(n);
  const weights = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    // The embedding's eigenvalues come in equal pairs; average each pair against round-off.
    out[k] = (values[2 * k]! + values[2 * k + 1]!) / 2;
    for (const col of [2 * k, 2 * k + 1]) {
      for (let j = 0; j < n; j++) {
        const u = vectors[j * m + col]!;
        const v = vectors[(j + n) * m + col]!;
        weights[k * n + j] = weights[k * n + j]! + (u * u + v * v) / 2;
      }
    }
  }
  return { values: out, weights, embedding: { values, vectors } };
}

/** A complex vector (length n). */
export interface ComplexVector {
  re: Float64Array;
  im: Float64Array;
}

/** The (normalised) eigenvector of band k; meaningful when that eigenvalue is non-degenerate. */
export function eigenvector(eig: HermitianEigen, k: number): ComplexVector {
  const n = eig.values.length;
  const m = 2 * n;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    re[j] = eig.embedding.vectors[j * m + 2 * k]!;
    im[j] = eig.embedding.vectors[(j + n) * m + 2 * k]!;
  }
  return { re, im };
}

/**
 * |⟨probe|ψ_k⟩|² for every band k, computed in the embedding, so that the sum over a degenerate
 * set does not depend on the basis the solver picked inside it.
 */
export function projection(eig: HermitianEigen, probe: ComplexVector): Float64Array {
  const n = eig.values.length;
  const m = 2 * n;
  const out = new Float64Array(n);
  for (let col = 0; col < m; col++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < n; j++) {
      const u = eig.embedding.vectors[j * m + col]!;
      const v = eig.embedding.vectors[(j + n) * m + col]!;
      a += probe.re[j]! * u + probe.im[j]! * v;
      b += probe.re[j]! * v - probe.im[j]! * u;
    }
    out[col >> 1] = out[col >> 1]! + (a * a + b * b) / 2;
  }
  return out;
}

/** Householder reduction of a symmetric matrix to tridiagonal form (JAMA tred2). */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => V[i * n + j]!;
  const set = (i: number, j: number, x: number) => {
    V[i * n + j] = x;
  };
  for (let j = 0; j < n; j++) d[j] = at(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = at(i - 1, j);
        set(i, j, 0);
        set(j, i, 0);
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        set(j, i, f);
        g = e[j]! + at(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += at(k, j) * d[k]!;
          e[k] = e[k]! + at(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) set(k, j, at(k, j) - (f * e[k]! + g * d[k]!));
        d[j] = at(i - 1, j);
        set(i, j, 0);
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    set(n - 1, i, at(i, i));
    set(i, i, 1);
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = at(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += at(k, i + 1) * at(k, j);
        for (let k = 0; k <= i; k++) set(k, j, at(k, j) - g * d[k]!);
      }
    }
    for (let k = 0; k <= i; k++) set(k, i + 1, 0);
  }
  for (let j = 0; j < n; j++) {
    d[j] = at(n - 1, j);
    set(n - 1, j, 0);
  }
  set(n - 1, n - 1, 1);
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal form, accumulating eigenvectors (JAMA tql2). */
function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => V[i * n + j]!;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('tql2: no convergence after 60 iterations');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            h = at(k, i + 1);
            V[k * n + i + 1] = s * at(k, i) + c * h;
            V[k * n + i] = c * at(k, i) - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Sort eigenvalues and vectors ascending.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      for (let j = 0; j < n; j++) {
        const t = at(j, i);
        V[j * n + i] = at(j, k);
        V[j * n + k] = t;
      }
    }
  }
}

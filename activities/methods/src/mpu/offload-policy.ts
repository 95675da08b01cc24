/** Offload policies: where each ALU instruction runs (far-bank subcore or near-bank PG). */
import type { OffloadPolicy } from './kernel-lang';

export type OffloadPolicyName = 'compiler' | 'far-only' | 'near-all';
export const OFFLOAD_POLICIES: readonly OffloadPolicyName[] = ['compiler', 'far-only', 'near-all'];

const FAR = 0;

function firstNear(bits: number): number {
  for (let pg = 0; pg < 4; pg++) if (bits & (2 << pg)) return 1 + pg;
  return -1;
}

/** Conventional processor on the logic die: loads bring data up, every ALU op runs far-bank. */
export const FAR_ONLY: OffloadPolicy = {
  name: 'far-only',
  memNear: false,
  aluLocation: () => FAR,
};

/** Every ALU op runs near-bank (in the PG of its first near operand, else the warp's home PG). */
export const NEAR_ALL: OffloadPolicy = {
  name: 'near-all',
  memNear: true,
  aluLocation(a, b, c, home) {
    const n = firstNear(a & b & c) ;
    if (n > 0) return n;
    const m = firstNear(a) > 0 && (a & 1) === 0 ? firstNear(a) : firstNear(b) > 0 && (b & 1) === 0 ? firstNear(b) : firstNear(c) > 0 && (c & 1) === 0 ? firstNear(c) : -1;
    return m > 0 ? m : 1 + home;
  },
};

/**
 * MPU-Sim's offload (backend/annotate_location.py + simulator/instr_offload_engine.py @db5cc64, read
 * for the rule only): register locations are fixed by their uses (global addresses and branch
 * predicates far-bank; loaded data, store values and shared-memory operands near-bank, shared memory
 * being near-bank by default) and propagate backwards to the instructions computing them; the rest
 * runs near-bank only when all operands are there. Done demand-driven per warp in kernel-lang
 * (`deferred`); MPU-Sim does it statically per kernel, so a register needed in both places is
 * computed once here and moved, where MPU-Sim marks it "B" and moves it with its register-move engine.
 */
export const COMPILER: OffloadPolicy = {
  name: 'compiler',
  memNear: true,
  deferred: true,
  aluLocation(a, b, c, home) {
    // only used if a caller bypasses deferral: operands' majority location, ties far-bank
    let bestLoc = FAR;
    let bestCost = cost(a, FAR) + cost(b, FAR) + cost(c, FAR);
    for (let pg = 0; pg < 4; pg++) {
      const loc = 1 + pg;
      const k = cost(a, loc) + cost(b, loc) + cost(c, loc);
      if (k < bestCost || (k === bestCost && k > 0 && pg === home && bestLoc !== FAR)) { bestCost = k; bestLoc = loc; }
    }
    return bestLoc;
  },
};

function cost(bits: number, loc: number): number {
  return bits & (1 << loc) ? 0 : 1;
}

export function policyByName(name: OffloadPolicyName): OffloadPolicy {
  return name === 'far-only' ? FAR_ONLY : name === 'near-all' ? NEAR_ALL : COMPILER;
}

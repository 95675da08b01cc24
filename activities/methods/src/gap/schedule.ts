/**
 * Training plans as pure data: a list of phases, each turning input checkpoint(s) into one output
 * checkpoint. A workflow runs them in order (phases whose inputs are ready may run concurrently:
 * see phaseWaves) with executePhase, storing each output under the phase id.
 *
 *   GaP serial (C-GaP / S-GaP):  init(sparse) → [round r: step g = grow group g, train T epochs,
 *                                prune group g] × κ × rounds → fine-tune with fixed masks
 *   GaP parallel (P-GaP):        init(sparse) → [round r: κ branches (branch b grows group b, T epochs)
 *                                → merge (group b from branch b, re-pruned)] × rounds → fine-tune
 *   dense:                       init(dense) → train E
 *   gradual magnitude (GMP):     init(dense) → dense train → cubic prune (Zhu & Gupta 2017) → fine-tune
 *   one-shot (the GaP authors'   init(dense) → dense train, then prune once to the target →
 *   prune-from-dense baseline):  fine-tune with fixed masks
 *   static random sparse:        init(random masks) → train E with fixed masks
 */
import { validateSparsity } from './masks';
import { validateKappa, partitionLayers, validatePartition } from './partition';
import type { PrunableLayer } from './prunable';
import { validateRunConfig, type SparseRunConfig } from './config';

export type PlanMethod = 'dense' | 'gap-serial' | 'gap-parallel' | 'gmp' | 'oneshot' | 'static-random';

interface PhaseBase {
  /** Unique within the plan; use it (with the run id) as the activity / storage key. */
  id: string;
  /** Position in plan.phases; also salts the phase's batch-order seed. */
  index: number;
  /** Ids of the phases whose output checkpoints this phase consumes, in order. */
  inputs: string[];
  label: string;
}

export interface InitPhase extends PhaseBase {
  kind: 'init';
  /** dense: no masks; magnitude: prune the random init to the target; random: random masks at the target. */
  masks: 'dense' | 'magnitude' | 'random';
  /** Pruning units for 'magnitude' (each unit gets one threshold under 'global'). */
  units: string[][];
}

/** Cubic sparsity ramp s(t) = s_f + (s_i − s_f)(1 − (t − t0)/(t1 − t0))³, re-pruning every `everySteps`. */
export interface GradualPrune {
  initialSparsity: number;
  finalSparsity: number;
  /** Phase-relative epochs; the ramp runs from startEpoch to endEpoch. */
  startEpoch: number;
  endEpoch: number;
  everySteps: number;
}

export interface TrainPhase extends PhaseBase {
  kind: 'train';
  epochs: number;
  /** Run epoch at which this phase starts (for the lr schedule). */
  epochOffset: number;
  /** Length of the run in (sequential) epochs: the lr schedule's horizon. */
  horizonEpochs: number;
  /** Layers made dense (mask removed) before training: the grown partition. */
  grow: string[];
  /** Pruned to the target after training; each inner list is one pruning unit. */
  pruneAfter: string[][];
  gradual?: GradualPrune;
  round?: number;
  group?: number;
  branch?: number;
  /** Set on the phase that completes GaP round r (serial: its last step): the model is evaluated there. */
  endsRound?: number;
}

export interface MergePhase extends PhaseBase {
  kind: 'merge';
  /** contributions[i]: layers taken from input i (its grown partition); other arrays are averaged. */
  contributions: string[][];
  /** Pruning units re-pruned to the target after merging. */
  pruneAfter: string[][];
  round: number;
  /** A merge completes its round (P-GaP): the model is evaluated there. */
  endsRound?: number;
}

export type Phase = InitPhase | TrainPhase | MergePhase;

export interface TrainingBudget {
  /** Epochs on the critical path (what one machine runs one after another). */
  sequentialEpochs: number;
  /** Epochs summed over all copies (P-GaP trains κ copies at once). */
  computeEpochs: number;
  /** Optimizer steps on the critical path, given `stepsPerEpoch`. */
  sequentialSteps?: number;
}

export interface SparsePlan {
  method: PlanMethod;
  config: SparseRunConfig;
  /** The κ partitions (GaP); [all prunable layers] otherwise. */
  groups: string[][];
  phases: Phase[];
  budget: TrainingBudget;
}

export interface GapOptions {
  variant: 'serial' | 'parallel';
  /** κ: number of partitions. */
  kappa: number;
  rounds: number;
  /** T: epochs each grown partition trains per step. */
  epochsPerStep: number;
  fineTuneEpochs: number;
  /** Explicit partition (layer names); default: κ contiguous groups of similar parameter count. */
  partition?: string[][];
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${String(v)}`);
}
function nonNegativeInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer, got ${String(v)}`);
}

function initPhase(masks: InitPhase['masks'], units: string[][]): InitPhase {
  return { kind: 'init', id: 'init', index: 0, inputs: [], label: `init (${masks})`, masks, units };
}

/** Fills in index/epochOffset/horizon and the budget once all phases are listed. */
function finish(method: PlanMethod, config: SparseRunConfig, groups: string[][], phases: Phase[]): SparsePlan {
  phases.forEach((p, i) => (p.index = i));
  const byId = new Map(phases.map((p) => [p.id, p]));
  if (byId.size !== phases.length) throw new Error('internal: duplicate phase id');
  // Sequential epochs = longest path; a phase starts when its last input is done.
  const doneAt = new Map<string, number>();
  let compute = 0;
  for (const p of phases) {
    const start = Math.max(0, ...p.inputs.map((id) => doneAt.get(id) ?? 0));
    const epochs = p.kind === 'train' ? p.epochs : 0;
    if (p.kind === 'train') p.epochOffset = start;
    doneAt.set(p.id, start + epochs);
    compute += epochs;
  }
  const sequential = Math.max(...doneAt.values());
  for (const p of phases) if (p.kind === 'train') p.horizonEpochs = sequential;
  return { method, config, groups, phases, budget: { sequentialEpochs: sequential, computeEpochs: compute } };
}

function trainPhase(id: string, inputs: string[], epochs: number, label: string, extra: Partial<TrainPhase> = {}): TrainPhase {
  return { kind: 'train', id, index: -1, inputs, label, epochs, epochOffset: 0, horizonEpochs: 0, grow: [], pruneAfter: [], ...extra };
}

/** Per-layer units under 'uniform' (identical result), one unit per group under 'global'. */
function unitsOf(groups: string[][]): string[][] {
  return groups.map((g) => g.slice());
}

export function planGap(config: SparseRunConfig, layers: readonly PrunableLayer[], o: GapOptions): SparsePlan {
  validateRunConfig(config);
  if (o.variant !== 'serial' && o.variant !== 'parallel') throw new Error(`variant must be 'serial' or 'parallel', got ${String(o.variant)}`);
  validateKappa(o.kappa, layers.length);
  positiveInt('rounds', o.rounds);
  if (!Number.isInteger(o.epochsPerStep) || o.epochsPerStep <= 0) throw new Error(`epochsPerStep (T) must be a positive integer, got ${String(o.epochsPerStep)}`);
  nonNegativeInt('fineTuneEpochs', o.fineTuneEpochs);
  const groups = o.partition ? o.partition.map((g) => g.slice()) : partitionLayers(layers, o.kappa);
  if (o.partition && o.partition.length !== o.kappa) throw new Error(`partition has ${o.partition.length} groups but kappa is ${o.kappa}`);
  validatePartition(groups, layers);
  const phases: Phase[] = [initPhase('magnitude', unitsOf(groups))];
  let last = 'init';
  for (let r = 1; r <= o.rounds; r++) {
    if (o.variant === 'serial') {
      groups.forEach((g, gi) => {
        const id = `r${r}-g${gi + 1}`;
        phases.push(trainPhase(id, [last], o.epochsPerStep, `round ${r}, step ${gi + 1}: grow group ${gi + 1}, train, prune`, { grow: g.slice(), pruneAfter: [g.slice()], round: r, group: gi, ...(gi === groups.length - 1 ? { endsRound: r } : {}) }));
        last = id;
      });
    } else {
      const branches = groups.map((g, gi) => {
        const id = `r${r}-b${gi + 1}`;
        phases.push(trainPhase(id, [last], o.epochsPerStep, `round ${r}, branch ${gi + 1}: group ${gi + 1} dense`, { grow: g.slice(), round: r, group: gi, branch: gi }));
        return id;
      });
      const id = `r${r}-merge`;
      phases.push({ kind: 'merge', id, index: -1, inputs: branches, label: `round ${r}: merge ${groups.length} branches, prune`, contributions: groups.map((g) => g.slice()), pruneAfter: unitsOf(groups), round: r, endsRound: r });
      last = id;
    }
  }
  if (o.fineTuneEpochs > 0) phases.push(trainPhase('finetune', [last], o.fineTuneEpochs, 'fine-tune with fixed masks'));
  return finish(o.variant === 'serial' ? 'gap-serial' : 'gap-parallel', config, groups, phases);
}

/** Dense baseline; `chunkEpochs` splits training into several phases (shorter activities). */
export function planDense(config: SparseRunConfig, layers: readonly PrunableLayer[], o: { epochs: number; chunkEpochs?: number }): SparsePlan {
  validateRunConfig(config);
  positiveInt('epochs', o.epochs);
  const phases: Phase[] = [initPhase('dense', [])];
  chain(phases, o.epochs, o.chunkEpochs, 'dense training');
  return finish('dense', config, [layers.map((l) => l.name)], phases);
}

export function planStaticRandom(config: SparseRunConfig, layers: readonly PrunableLayer[], o: { epochs: number; chunkEpochs?: number }): SparsePlan {
  validateRunConfig(config);
  positiveInt('epochs', o.epochs);
  const all = layers.map((l) => l.name);
  const phases: Phase[] = [initPhase('random', [all])];
  chain(phases, o.epochs, o.chunkEpochs, 'training with fixed random masks');
  return finish('static-random', config, [all], phases);
}

export interface GmpOptions {
  denseEpochs: number;
  pruneEpochs: number;
  fineTuneEpochs: number;
  /** Re-prune every this many steps during the ramp (Zhu & Gupta's Δt). */
  pruneEverySteps: number;
  initialSparsity?: number;
}

/** Prune-from-dense baseline: dense training, then the cubic ramp to the target, then fine-tuning. */
export function planGradualMagnitude(config: SparseRunConfig, layers: readonly PrunableLayer[], o: GmpOptions): SparsePlan {
  validateRunConfig(config);
  positiveInt('denseEpochs', o.denseEpochs);
  positiveInt('pruneEpochs', o.pruneEpochs);
  nonNegativeInt('fineTuneEpochs', o.fineTuneEpochs);
  positiveInt('pruneEverySteps', o.pruneEverySteps);
  const s0 = o.initialSparsity ?? 0;
  validateSparsity(s0, 'initialSparsity');
  if (s0 > config.sparsity) throw new Error(`initialSparsity (${s0}) must not exceed sparsity (${config.sparsity})`);
  const all = layers.map((l) => l.name);
  const phases: Phase[] = [initPhase('dense', [])];
  phases.push(trainPhase('dense', ['init'], o.denseEpochs, 'dense pre-training'));
  phases.push(
    trainPhase('prune', ['dense'], o.pruneEpochs, `cubic magnitude pruning ${s0} → ${config.sparsity}`, {
      gradual: { initialSparsity: s0, finalSparsity: config.sparsity, startEpoch: 0, endEpoch: o.pruneEpochs, everySteps: o.pruneEverySteps },
      pruneAfter: [all],
    }),
  );
  if (o.fineTuneEpochs > 0) phases.push(trainPhase('finetune', ['prune'], o.fineTuneEpochs, 'fine-tune with fixed masks'));
  return finish('gmp', config, [all], phases);
}

/** Prune-from-dense in one shot: dense training, one magnitude prune to the target, fine-tuning. */
export function planOneShot(config: SparseRunConfig, layers: readonly PrunableLayer[], o: { denseEpochs: number; fineTuneEpochs: number }): SparsePlan {
  validateRunConfig(config);
  positiveInt('denseEpochs', o.denseEpochs);
  positiveInt('fineTuneEpochs', o.fineTuneEpochs);
  const all = layers.map((l) => l.name);
  const phases: Phase[] = [initPhase('dense', [])];
  phases.push(trainPhase('dense', ['init'], o.denseEpochs, `dense pre-training, then one-shot magnitude pruning to ${config.sparsity}`, { pruneAfter: [all] }));
  phases.push(trainPhase('finetune', ['dense'], o.fineTuneEpochs, 'fine-tune with fixed masks'));
  return finish('oneshot', config, [all], phases);
}

function chain(phases: Phase[], epochs: number, chunkEpochs: number | undefined, label: string): void {
  const chunk = chunkEpochs ?? epochs;
  positiveInt('chunkEpochs', chunk);
  let last = phases[phases.length - 1]!.id;
  for (let done = 0, k = 1; done < epochs; k++) {
    const e = Math.min(chunk, epochs - done);
    const id = `train${k}`;
    phases.push(trainPhase(id, [last], e, `${label} (epochs ${done + 1}–${done + e})`));
    last = id;
    done += e;
  }
}

export interface ComparisonOptions extends Omit<GapOptions, 'variant'> {
  /** Fractions of the budget for GMP's dense / prune stages (rest: fine-tune). Default 0.5 / 0.3. */
  gmpDenseFraction?: number;
  /** Fraction of the budget one-shot pruning trains densely before pruning (rest: fine-tune). Default 0.5. */
  oneshotDenseFraction?: number;
  gmpPruneFraction?: number;
  pruneEverySteps?: number;
}

/**
 * GaP (serial and parallel) and the three baselines with one budget B = rounds·κ·T + fineTune
 * epochs (serial GaP's). Dense, GMP and static-random train B epochs in total. P-GaP grows each
 * partition `rounds` times like S-GaP, so its compute is also B but its critical path is only
 * rounds·T + fineTune (plan.budget has both).
 */
export function planComparison(config: SparseRunConfig, layers: readonly PrunableLayer[], o: ComparisonOptions): Record<PlanMethod, SparsePlan> {
  const serial = planGap(config, layers, { ...o, variant: 'serial' });
  const parallel = planGap(config, layers, { ...o, variant: 'parallel' });
  const budget = serial.budget.sequentialEpochs;
  const denseE = Math.max(1, Math.round(budget * (o.gmpDenseFraction ?? 0.5)));
  const pruneE = Math.max(1, Math.round(budget * (o.gmpPruneFraction ?? 0.3)));
  const ftE = budget - denseE - pruneE;
  if (ftE < 0) throw new Error(`budget of ${budget} epochs is too small for the GMP split ${denseE}+${pruneE}`);
  // One-shot needs a dense stage and a fine-tune of at least one epoch each.
  const oneshotDense = Math.min(budget - 1, Math.max(1, Math.round(budget * (o.oneshotDenseFraction ?? 0.5))));
  return {
    'gap-serial': serial,
    'gap-parallel': parallel,
    dense: planDense({ ...config, sparsity: 0 }, layers, { epochs: budget }),
    gmp: planGradualMagnitude(config, layers, { denseEpochs: denseE, pruneEpochs: pruneE, fineTuneEpochs: ftE, pruneEverySteps: o.pruneEverySteps ?? 1 }),
    // A budget of one epoch leaves no room to fine-tune after a one-shot prune: that plan is refused
    // only when a recipe asks for it (see planFor).
    ...(budget >= 2 ? { oneshot: planOneShot(config, layers, { denseEpochs: oneshotDense, fineTuneEpochs: budget - oneshotDense }) } : {}),
    'static-random': planStaticRandom(config, layers, { epochs: budget }),
  } as Record<PlanMethod, SparsePlan>;
}

/** Groups phases into waves: every phase of a wave has all inputs in earlier waves (run a wave concurrently). */
export function phaseWaves(plan: Pick<SparsePlan, 'phases'>): Phase[][] {
  const level = new Map<string, number>();
  const waves: Phase[][] = [];
  for (const p of plan.phases) {
    const l = p.inputs.length ? Math.max(...p.inputs.map((id) => level.get(id)!)) + 1 : 0;
    level.set(p.id, l);
    (waves[l] ??= []).push(p);
  }
  return waves;
}

/** Attaches step counts to a budget for a given dataset size. */
export function budgetInSteps(plan: SparsePlan, trainCount: number): TrainingBudget {
  const n = Math.min(trainCount, plan.config.trainLimit ?? Infinity);
  const perEpoch = Math.ceil(n / plan.config.batchSize);
  return { ...plan.budget, sequentialSteps: plan.budget.sequentialEpochs * perEpoch };
}

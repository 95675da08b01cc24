/**
 * The sparse-training state carried in TrainCheckpoint.meta.gap: the masks in force, which phase
 * wrote the checkpoint and whether it finished, and the phase's running loss (so a resumed phase
 * reports the same metrics as an uninterrupted one).
 */
import type { TrainCheckpoint } from '../train/checkpoint';
import { decodeMaskSet, encodeMaskSet, type EncodedMaskSet, type MaskSet } from './masks';

export interface GapState {
  version: 1;
  phaseId: string;
  /** false for checkpoints taken inside a phase (resume points), true for a phase's output. */
  completed: boolean;
  masks: EncodedMaskSet;
  lossSum: number;
  lossSteps: number;
}

export function readGapState(ck: TrainCheckpoint): GapState | undefined {
  const g = ck.meta['gap'] as GapState | undefined;
  if (g === undefined) return undefined;
  if (g.version !== 1 || typeof g.phaseId !== 'string' || typeof g.masks !== 'object') throw new Error('checkpoint meta.gap is malformed or from an unknown version');
  return g;
}

/** The masks in force in a checkpoint ({} = dense, e.g. a checkpoint from plain trainClassifier). */
export function checkpointMasks(ck: TrainCheckpoint): MaskSet {
  const g = readGapState(ck);
  return g ? decodeMaskSet(g.masks) : {};
}

export function withGapState(ck: TrainCheckpoint, state: Omit<GapState, 'version' | 'masks'> & { masks: MaskSet }): TrainCheckpoint {
  return { ...ck, meta: { ...ck.meta, gap: { version: 1, ...state, masks: encodeMaskSet(state.masks) } satisfies GapState } };
}

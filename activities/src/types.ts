/** Small, JSON-only values that cross the workflow ↔ activity boundary (never metrics or tensors). */
export interface PlannedStep {
  id: string;
  kind: string;
  queue: 'cpu' | 'gpu' | 'sim';
  needs: string[];
  /** slot → dataset name or "<step>.<output>" */
  inputs: Record<string, string>;
}

export interface RunPlan {
  runId: string;
  seed: number;
  force: boolean;
  steps: PlannedStep[];
  /** dataset name → sha256 digest */
  datasets: Record<string, string>;
}

export interface StepRef {
  runId: string;
  stepKey: string;
}

export interface BeginStepInput extends StepRef {
  /** slot → artifact digest, resolved by the workflow */
  inputs: Record<string, string>;
}

export type BeginStepResult =
  | { cached: true; outputs: Record<string, string>; fromRun: string }
  | { cached: false; fingerprint: string };

export interface ComputeStepInput extends StepRef {
  inputs: Record<string, string>;
}

export interface StepResult {
  outputs: Record<string, string>;
}

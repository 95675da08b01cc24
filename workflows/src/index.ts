// The single entry the worker bundles: every workflow the platform runs.
export { reproduce } from './reproduce.workflow';
export { growPrune } from './grow-prune.workflow';
export { scheduledReproduction } from './scheduled.workflow';

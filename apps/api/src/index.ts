export { appRouter, type AppRouter } from './routers/index';
export { createCallerFactory } from './trpc';
export type { ApiContext } from './context';
export { launchRun, type LaunchInput, type Launched } from './launch';
export { createApiContext } from './create-context';
export { compareRun, estimateFor, type RunComparison, type ComparisonRow, type IntervalSummary, type MetricSummary } from './compare';
export { claimStandings, outOfReachReason, STANDINGS, type ClaimStanding, type Standing } from './standing';
export { compareRuns, runsComparisonCsv, flattenParams, MAX_COMPARED_RUNS, type RunsComparison, type ComparedRun, type ComparedKey } from './compare-runs';

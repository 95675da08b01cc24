/**
 * Run ↔ paper comparison. The judging lives in @reprolab/activities/compare so a worker can judge a
 * run as it completes (claim judgements); re-exported here for the API's callers.
 */
export * from '@reprolab/activities/compare';

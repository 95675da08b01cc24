import type { Db } from '@reprolab/db';
import type { ObjectStore } from './storage/object-store';

/** What the activities need from the outside world, built once by the worker. */
export interface ActivityDeps {
  db: Db;
  store: ObjectStore;
  /** git commit (plus "-dirty") of the code the worker runs; part of every step fingerprint. */
  codeVersion: string;
  lockfileHash: string;
  /** The tensor backend this worker trains on, e.g. "tensorflow (native cpu, TF 2.18)". */
  tensorBackend: string;
  host: string;
  log?: (msg: string) => void;
}

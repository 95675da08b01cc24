/** What every API procedure gets: the metadata database, a Temporal client and the caller's token. */
import type { Client } from '@temporalio/client';
import type { Db } from '@reprolab/db';
import type { ArtifactReader } from './sr-view';

export interface ApiContext {
  db: Db;
  temporal: Client;
  /** Where `recipes.list` finds the recipe files shipped with the repo. */
  recipesDir: string;
  /** Reads stored artifacts (the object store); null where the caller gave no store settings. */
  store: ArtifactReader | null;
  /**
   * The caller's API token as presented (Authorization: Bearer, the dashboard's session cookie, or
   * the CLI's token file); checked against the database by every procedure. Null: none given.
   */
  token: string | null;
}

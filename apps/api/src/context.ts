/** What every API procedure gets: the metadata database and a Temporal client. */
import type { Client } from '@temporalio/client';
import type { Db } from '@reprolab/db';

export interface ApiContext {
  db: Db;
  temporal: Client;
  /** Where `recipes.list` finds the recipe files shipped with the repo. */
  recipesDir: string;
}

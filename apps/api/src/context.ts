/** What every API procedure gets: the metadata database, a Temporal client and the caller's token. */
import type { Client } from '@temporalio/client';
import type { Db } from '@reprolab/db';
import type { ArtifactReader } from './sr-view';

/** What the API needs of the object store (ObjectStore implements it over any S3-compatible store). */
export interface ArtifactStore extends ArtifactReader {
  /** A time-limited GET URL; rejects with ArtifactNotFound when the bytes are not in the store. */
  presignedUrl(sha256: string, expirySeconds?: number, opts?: { filename?: string }): Promise<string>;
}

export interface ApiContext {
  db: Db;
  temporal: Client;
  /** Where `recipes.list` finds the recipe files shipped with the repo. */
  recipesDir: string;
  /** Reads stored artifacts and signs download links (the object store); null where the caller gave no store settings. */
  store: ArtifactStore | null;
  /**
   * The caller's API token as presented (Authorization: Bearer, the dashboard's session cookie, or
   * the CLI's token file); checked against the database by every procedure. Null: none given.
   */
  token: string | null;
}

/** `reprolab data import --format <mnist-idx|cifar10-binary> <dir | s3://bucket/prefix> [--name N]` and `data list`. */
import { checkDatasetName, importDataset, ObjectStore, type ImportFormat } from '@reprolab/activities';
import { createDb, listDatasets } from '@reprolab/db';
import { stackEnv } from '../connect';
import { num, table } from '../format';

const FORMATS: ImportFormat[] = ['mnist-idx', 'cifar10-binary'];

export async function dataCommand(stateDir: string, args: string[], opts: { format?: string; name?: string; json?: boolean }): Promise<number> {
  const [sub, from] = args;
  // Bad arguments are refused before connecting to anything (the import checks the name again).
  if (sub === 'import' && opts.name !== undefined) checkDatasetName(opts.name);
  const env = await stackEnv(stateDir);
  const dbh = createDb(env.DATABASE_URL!);
  try {
    if (sub === 'list') {
      const rows = await listDatasets(dbh.db);
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else console.log(table(['name', 'digest', 'format', 'train', 'test', 'shape', 'classes'], rows.map((d) => [d.name, d.sha256, d.format, num(d.trainCount), num(d.testCount), (d.shape as number[]).join('×'), d.classes])));
      return 0;
    }
    if (sub !== 'import') throw new Error('usage: reprolab data import --format <mnist-idx|cifar10-binary> <dir | s3://bucket/prefix> [--name N] | reprolab data list');
    if (!opts.format || !FORMATS.includes(opts.format as ImportFormat)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
    if (!from) throw new Error('give the directory (or s3://bucket/prefix) holding the files to import');
    const store = new ObjectStore({ endpoint: env.S3_ENDPOINT!, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, bucket: env.S3_BUCKET ?? 'reprolab', region: env.S3_REGION });
    const stored = await importDataset(dbh.db, store, { format: opts.format as ImportFormat, from, name: opts.name });
    if (opts.json) console.log(JSON.stringify(stored));
    else {
      console.log(`${stored.uploaded ? 'imported' : 'already stored'} ${stored.name}: ${num(stored.trainCount)} train + ${num(stored.testCount)} test examples, ${num(stored.size)} bytes`);
      console.log(`digest ${stored.sha256}\nuse it in a recipe as:\n  datasets:\n    ${stored.name}:\n      digest: ${stored.sha256}`);
    }
    return 0;
  } finally {
    await dbh.close();
  }
}

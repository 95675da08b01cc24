/**
 * `reprolab data import --format <mnist-idx|cifar10-binary|div2k|sr-benchmark|reside-its|reside-sots|dense-haze|nh-haze> <dir | s3://bucket/prefix> [--name N] [--scale N]`
 * and `data list` (train/test counts are examples, images (SR) or hazy/clear pairs (dehazing)).
 */
import { checkDatasetName, importDataset, IMPORT_FORMATS, ObjectStore, type ImportFormat } from '@reprolab/activities';
import { DEHAZE_IMPORT_FORMATS } from '@reprolab/activities/datasets/dehaze-import';
import { createDb, listDatasets } from '@reprolab/db';
import { stackEnv } from '../connect';
import { num, table } from '../format';

const FORMATS: readonly ImportFormat[] = IMPORT_FORMATS;
const DEHAZE_FORMATS: readonly string[] = DEHAZE_IMPORT_FORMATS;

export async function dataCommand(stateDir: string, args: string[], opts: { format?: string; name?: string; scale?: string; json?: boolean }): Promise<number> {
  const [sub, from] = args;
  // Bad arguments are refused before connecting to anything (the import checks the name again).
  if (sub === 'import' && opts.name !== undefined) checkDatasetName(opts.name);
  const scale = opts.scale === undefined ? undefined : Number(opts.scale);
  if (sub === 'import' && scale !== undefined && ![2, 3, 4].includes(scale)) throw new Error(`--scale ${opts.scale}: the SR formats take scale 2, 3 or 4, e.g. --scale 4`);
  const env = await stackEnv(stateDir);
  const dbh = createDb(env.DATABASE_URL!);
  try {
    if (sub === 'list') {
      const rows = await listDatasets(dbh.db);
      if (opts.json) console.log(JSON.stringify(rows, null, 2));
      else console.log(table(['name', 'digest', 'format', 'train', 'test', 'shape', 'classes'], rows.map((d) => [d.name, d.sha256, d.format, num(d.trainCount), num(d.testCount), (d.shape as number[])[0] ? (d.shape as number[]).join('×') : DEHAZE_FORMATS.includes(d.format) ? 'hazy/clear pairs' : 'whole images', d.classes])));
      return 0;
    }
    if (sub !== 'import') throw new Error(`usage: reprolab data import --format <${FORMATS.join('|')}> <dir | s3://bucket/prefix> [--name N] [--scale 2|3|4 (div2k, sr-benchmark only)] | reprolab data list (dehazing formats: reside-its = hazy/ + clear/, reside-sots = [indoor/]hazy/ + gt/, dense-haze | nh-haze = <nn>_hazy.png + <nn>_GT.png, flat or in hazy/ + GT/; see README "data import")`);
    if (!opts.format || !FORMATS.includes(opts.format as ImportFormat)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
    if (!from) throw new Error('give the directory (or s3://bucket/prefix) holding the files to import');
    const store = new ObjectStore({ endpoint: env.S3_ENDPOINT!, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, bucket: env.S3_BUCKET ?? 'reprolab', region: env.S3_REGION });
    const stored = await importDataset(dbh.db, store, { format: opts.format as ImportFormat, from, name: opts.name, scale });
    if (opts.json) console.log(JSON.stringify(stored));
    else {
      const sr = opts.format === 'div2k' || opts.format === 'sr-benchmark';
      const dehaze = DEHAZE_FORMATS.includes(opts.format);
      console.log(
        `${stored.uploaded ? 'imported' : 'already stored'} ${stored.name}: ${num(stored.trainCount)} train + ${num(stored.testCount)} test ${sr ? `images at ×${scale}` : dehaze ? 'hazy/clear pairs' : 'examples'}, ${num(stored.size)} bytes${sr || dehaze ? ' (manifest; each image is its own object)' : ''}`,
      );
      console.log(`digest ${stored.sha256}\nuse it in a recipe as:\n  datasets:\n    ${stored.name}:\n      digest: ${stored.sha256}`);
    }
    return 0;
  } finally {
    await dbh.close();
  }
}

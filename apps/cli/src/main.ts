#!/usr/bin/env node
/**
 * reprolab CLI.
 *   reprolab up [--foreground] [--no-dashboard] | down | doctor
 *   reprolab run <recipe.yaml> [--seed N] [--force] [--detach] [--json]
 *   reprolab runs [--status S] [--recipe R] [--paper P] [--tag T] [--search X] [--sort K[:asc]] [--limit N] [--offset N] [--json]
 *   reprolab status <run> | compare <run> | cancel <run>
 *   reprolab download <run> <artifact name | digest prefix> [--out FILE]
 *   reprolab claims [--paper P]
 *   reprolab schedule create <recipe.yaml> --every 1d | list | show | trigger | pause | resume | delete
 *   reprolab data import --format <mnist-idx|cifar10-binary|div2k|sr-benchmark|reside-its|reside-sots|dense-haze|nh-haze> <dir|s3://…> [--scale N] | data list
 *   reprolab simulate mpu [...]
 *   reprolab token create --role viewer|operator|admin [--name N] | token list | token revoke <id>
 *   reprolab db migrate | db wait [--token] [--timeout S] | db status
 *   reprolab worker [--queues Q,Q] [--temporal HOST:PORT] [--database URL] [--s3 URL] [--bucket B]
 *   reprolab demo
 */
import { parseArgs } from 'node:util';
import { DEFAULT_STATE_DIR, tokenFile } from '@reprolab/infra/stack';
import { claimsCommand } from './commands/claims';
import { compareRunsCommand } from './commands/compare-runs';
import { dataCommand } from './commands/data';
import { downloadCommand } from './commands/download';
import { runCommand } from './commands/run';
import { scheduleCommand } from './commands/schedule';
import { cancelCommand, compareCommand, runsCommand, statusCommand } from './commands/runs';
import { doctorCommand, downCommand, upCommand } from './commands/stack';
import { tokenCommand } from './commands/token';
import { workerCommand } from './commands/worker';
import { describeBackend } from './backend';

const USAGE = `usage: reprolab <command>
  up [--foreground] [--no-dashboard] [--port-offset N]   start the embedded stack (Temporal, MinIO, PGlite, worker, dashboard)
  down                                                   stop it (no process left behind)
  doctor                                                 binaries, ports, tensor backend, and fixes for what is missing
  run <recipe.yaml> [--seed N] [--force] [--detach] [--tag T]…  run a recipe with live progress, then compare with the paper
  runs [--status S[,S]] [--recipe R] [--paper P] [--tag T] [--search TEXT] [--sort created|started|ended|status|recipe[:asc]]
       [--limit N] [--offset N] [--json]                 the runs list, filtered and paged by the API
  status <run> | compare <run> | cancel <run>
  download <run> <name | digest prefix> [--out FILE]     one of the run's artifacts (or an input it consumed), sha256-checked
  compare <run> <run> [...] [--diff] [--csv]            runs side by side: parameters and final metrics (--diff: only what differs)
  claims [--paper P] [--json]                            every claim with its standing (run, evidence) or why it has none
  schedule create <recipe.yaml> (--every 1d | --cron "0 3 * * *") [--id ID] [--seed N]
  schedule list | show <id> | trigger <id> | pause <id> | resume <id> | delete <id>
  data import --format <mnist-idx|cifar10-binary> <dir | s3://bucket/prefix> [--name N] | data list
  data import --format <div2k|sr-benchmark> <dir | s3://…> --scale 2|3|4 [--name N]   whole-image SR data (HR + LR pairs)
  data import --format <reside-its|reside-sots|dense-haze|nh-haze> <dir | s3://…> [--name N]   paired dehazing data (hazy + clear PNGs)
  metrics sr --hr HR.png --sr SR.png --scale N [--json]  Y-channel PSNR/SSIM as SR papers report them
  token create --role viewer|operator|admin [--name N]   print a new API token once (only its hash is stored)
  token list | revoke <id>
  db migrate | wait [--token] [--timeout S] | status     migrate + seed (+ REPROLAB_ADMIN_TOKEN as first admin); wait for that (deployments)
  simulate mpu [--workload W] [--size N] [--config F] [--json] [--validate]
  worker [--queues control,cpu,gpu,sim] [--temporal HOST:PORT] [--database URL] [--s3 URL] [--bucket B] [--namespace N]
                                                         one more worker on this host, joining that reprolab (default: the stack in the state dir);
                                                         S3 keys from S3_ACCESS_KEY / S3_SECRET_KEY
  demo                                                   up + run workflows/recipes/smoke.yaml + compare
common: --state-dir DIR (default ./.reprolab, or REPROLAB_STATE_DIR), --json
auth: commands send REPROLAB_TOKEN, else the admin token \`up\` wrote to <state dir>/token`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'metrics') {
    const { metricsCommand } = await import('./commands/metrics');
    return metricsCommand(rest);
  }
  if (command === 'db') {
    const { dbCommand } = await import('./commands/db');
    return dbCommand(rest);
  }
  if (command === 'simulate') {
    const { simulateCommand } = await import('./commands/simulate');
    return simulateCommand(rest);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'state-dir': { type: 'string', default: process.env.REPROLAB_STATE_DIR ?? DEFAULT_STATE_DIR },
      'port-offset': { type: 'string', default: '0' },
      foreground: { type: 'boolean', default: false },
      'no-dashboard': { type: 'boolean', default: false },
      seed: { type: 'string' },
      force: { type: 'boolean', default: false },
      detach: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      format: { type: 'string' },
      name: { type: 'string' },
      scale: { type: 'string' },
      every: { type: 'string' },
      cron: { type: 'string' },
      id: { type: 'string' },
      paper: { type: 'string' },
      diff: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      role: { type: 'string' },
      tag: { type: 'string', multiple: true },
      status: { type: 'string' },
      recipe: { type: 'string' },
      search: { type: 'string' },
      sort: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
      queues: { type: 'string' },
      temporal: { type: 'string' },
      namespace: { type: 'string' },
      database: { type: 'string' },
      s3: { type: 'string' },
      bucket: { type: 'string' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const stateDir = values['state-dir'];
  const portOffset = Number(values['port-offset']);
  if (!Number.isInteger(portOffset) || portOffset < 0) throw new Error(`--port-offset must be a non-negative integer, got ${values['port-offset']}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
  const needRun = (what: string) => {
    if (!positionals[0]) throw new Error(`usage: reprolab ${what} <run id> (list them with \`reprolab runs\`)`);
    return positionals[0];
  };
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'up':
      return upCommand({ stateDir, portOffset, foreground: values.foreground, dashboard: !values['no-dashboard'] });
    case 'down':
      return downCommand(stateDir);
    case 'doctor':
      return doctorCommand(stateDir, portOffset, describeBackend);
    case 'run':
      if (!positionals[0]) throw new Error('usage: reprolab run <recipe.yaml> (try workflows/recipes/smoke.yaml)');
      return runCommand(positionals[0], { stateDir, seed, force: values.force, detach: values.detach, json: values.json, tags: values.tag });
    case 'runs':
      if ((values.tag?.length ?? 0) > 1) throw new Error('reprolab runs takes one --tag');
      return runsCommand(stateDir, values.json, {
        status: values.status,
        recipe: values.recipe,
        paper: values.paper,
        tag: values.tag?.[0],
        search: values.search,
        sort: values.sort,
        limit: values.limit,
        offset: values.offset,
      });
    case 'status':
      return statusCommand(stateDir, needRun('status'), values.json);
    case 'compare':
      if (positionals.length > 1) return compareRunsCommand(stateDir, positionals, { json: values.json, csv: values.csv, diffOnly: values.diff });
      return compareCommand(stateDir, needRun('compare'), values.json);
    case 'cancel':
      return cancelCommand(stateDir, needRun('cancel'));
    case 'download':
      if (!positionals[1]) throw new Error('usage: reprolab download <run> <artifact name or digest prefix> [--out FILE] (see `reprolab status <run>`)');
      return downloadCommand(stateDir, positionals[0]!, positionals[1], { out: values.out, json: values.json });
    case 'schedule':
      return scheduleCommand(positionals, { stateDir, every: values.every, cron: values.cron, id: values.id, seed, force: values.force, json: values.json });
    case 'claims':
      return claimsCommand(stateDir, { paper: values.paper, json: values.json });
    case 'data':
      return dataCommand(stateDir, positionals, { format: values.format, name: values.name, scale: values.scale, json: values.json });
    case 'token':
      return tokenCommand(positionals, { stateDir, role: values.role, name: values.name, json: values.json });
    case 'worker':
      return workerCommand({ stateDir, queues: values.queues, temporal: values.temporal, namespace: values.namespace, database: values.database, s3: values.s3, bucket: values.bucket });
    case 'demo': {
      const up = await upCommand({ stateDir, portOffset, foreground: false, dashboard: !values['no-dashboard'] });
      if (up !== 0) return up;
      const code = await runCommand('workflows/recipes/smoke.yaml', { stateDir, seed, force: values.force });
      console.log(`\nthe stack keeps running: dashboard http://127.0.0.1:3000 (sign in with the token in ${tokenFile(stateDir)}) · \`reprolab runs\` · \`reprolab down\` to stop`);
      return code;
    }
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`reprolab: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

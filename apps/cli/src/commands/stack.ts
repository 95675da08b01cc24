/** `reprolab up | down | doctor`: the embedded stack on this machine. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureDashboardBuilt } from '@reprolab/infra/dashboard-build';
import { describeTools, resolveTool } from '@reprolab/infra/tools';
import { createDb, ensureAdminToken } from '@reprolab/db';
import { embeddedStack, BASE_PORTS, tokenFile } from '@reprolab/infra/stack';
import { loadOrCreateSecrets, readSecrets, secretsFile } from '@reprolab/infra/secrets';
import { runStackForeground, startStack, stackStatus, stopStack } from '@reprolab/infra/supervisor';
import { isPortFree } from '@reprolab/infra/ports';
import { duration, table } from '../format';

export interface UpFlags {
  stateDir: string;
  portOffset: number;
  foreground: boolean;
  dashboard: boolean;
}

export async function upCommand(flags: UpFlags): Promise<number> {
  const log = (s: string) => console.log(s);
  const t0 = Date.now();
  const status = await stackStatus(resolve(flags.stateDir));
  if (status.running) {
    console.log(`reprolab is already running from ${resolve(flags.stateDir)}:`);
    printServices(status.services.map((s) => ({ name: s.name, where: s.port ? `${s.host ?? '127.0.0.1'}:${s.port}` : '', pid: s.pid, alive: s.alive })));
    return 0;
  }
  const [temporal, minio] = [await resolveTool('temporal', { log }), await resolveTool('minio', { log })];
  log(`temporal ${temporal.version} (${temporal.source}: ${temporal.path})`);
  log(`minio    ${minio.version} (${minio.source}: ${minio.path})`);
  const { secrets, created, addedDbPassword } = await loadOrCreateSecrets(flags.stateDir);
  if (created) log(`generated this install's ${secrets.legacy ? '' : 'MinIO credentials and '}database password in ${secretsFile(flags.stateDir)} (mode 600)`);
  if (addedDbPassword) log(`generated this install's database password into ${secretsFile(flags.stateDir)} (the embedded database now requires it; clients get it through ${resolve(flags.stateDir)}/env.json)`);
  if (secrets.legacy) log(`MinIO keeps the fixed credentials its data in ${resolve(flags.stateDir)} was created with (an install from before per-install secrets); a fresh state dir gets generated ones`);
  const stack = embeddedStack({ stateDir: flags.stateDir, portOffset: flags.portOffset, tools: { temporal, minio }, secrets });
  let services = stack.services;
  if (flags.dashboard) await ensureDashboardBuilt(log);
  else services = services.filter((s) => s.name !== 'dashboard');
  const opts = {
    stateDir: stack.stateDir,
    services,
    stackEnv: stack.env,
    log,
    portHint: 'stop whatever holds it, or shift every port with `reprolab up --port-offset 100`',
    // Once the database is up (and migrated), make sure someone can sign in: the first admin token.
    afterService: async (name: string) => {
      if (name !== 'db') return;
      const dbh = createDb(stack.env.DATABASE_URL, { maxConnections: 1 });
      try {
        const file = tokenFile(stack.stateDir);
        if (await ensureAdminToken(dbh.db, file)) log(`  created the first admin API token in ${file} (mode 600); the CLI uses it, the dashboard asks for it at /login`);
      } finally {
        await dbh.close();
      }
    },
  };
  if (flags.foreground) {
    const r = await runStackForeground({ ...opts, onReady: () => log(`stack up in ${duration(Date.now() - t0)}; state in ${stack.stateDir}`) });
    if (r.reason === 'exited') {
      console.error(`service ${r.service} exited (code ${r.code}); stopped the rest. Last log lines:\n${r.logTail.join('\n')}`);
      return 1;
    }
    return 0;
  }
  await startStack({ ...opts, detach: true });
  log(`\nreprolab is up in ${duration(Date.now() - t0)} (state in ${stack.stateDir}); stop it with \`reprolab down\``);
  return 0;
}

export async function downCommand(stateDir: string): Promise<number> {
  const r = await stopStack(resolve(stateDir), { log: (s) => console.log(s) });
  console.log(r.wasRunning ? `stopped ${r.stopped.join(', ')}` : `no reprolab running from ${resolve(stateDir)}`);
  return 0;
}

function printServices(rows: { name: string; where: string; pid?: number; alive?: boolean }[]): void {
  console.log(table(['service', 'listens on', 'pid', 'state'], rows.map((r) => [r.name, r.where, r.pid ?? '', r.alive === undefined ? '' : r.alive ? 'running' : 'dead'])));
}

export async function doctorCommand(stateDir: string, portOffset: number, describeBackend: () => Promise<string>): Promise<number> {
  let problems = 0;
  console.log(`node ${process.version} (${process.platform}-${process.arch})`);
  console.log('\nbinaries');
  for (const t of await describeTools()) {
    if (t.ok) console.log(`  ${t.name.padEnd(9)} ${t.version} · ${t.source} · ${t.path}`);
    else {
      problems++;
      console.log(`  ${t.name.padEnd(9)} MISSING (wanted ${t.version}; tried ${t.tried.join(', ')})\n            fix: ${t.fix}`);
    }
  }
  const status = await stackStatus(resolve(stateDir));
  console.log(`\nstack (${resolve(stateDir)}): ${status.running ? 'running' : status.stale ? 'stale state file (run `reprolab down`)' : 'not running'}`);
  const ports = Object.entries(BASE_PORTS).map(([name, p]) => ({ name, port: p + portOffset }));
  for (const p of ports) {
    const owner = status.services.find((s) => s.port === p.port || status.state?.services.find((x) => x.name === s.name)?.extraPorts?.some((e) => e.port === p.port));
    const free = await isPortFree('127.0.0.1', p.port);
    const state = owner ? `used by reprolab ${owner.name}` : free ? 'free' : 'TAKEN by another process';
    if (!owner && !free) problems++;
    console.log(`  ${p.name.padEnd(13)} 127.0.0.1:${p.port}  ${state}${!owner && !free ? '  → fix: free it or use --port-offset N' : ''}`);
  }
  const secrets = await readSecrets(stateDir).catch((e: unknown) => {
    problems++;
    return (e as Error).message;
  });
  const dbAuth = typeof secrets === 'string' ? `UNREADABLE: ${secrets}` : secrets?.dbPassword ? `SCRAM-SHA-256, password in ${secretsFile(stateDir)} (not shown)` : 'no password yet (the next `reprolab up` generates one)';
  console.log(`  db auth       ${dbAuth}`);
  console.log(`\ntensor backend: ${await describeBackend()}`);
  if (!existsSync('/usr/bin/chromium')) console.log('browser tests: /usr/bin/chromium missing → fix: apt-get install -y chromium');
  console.log(problems ? `\n${problems} problem(s) found` : '\nall good');
  return problems ? 1 : 0;
}

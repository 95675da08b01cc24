/** `reprolab schedule create|list|show|trigger|pause|resume|delete`: reproductions on a timetable. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { connectApi } from '../connect';
import { table } from '../format';

export const SCHEDULE_USAGE = `usage: reprolab schedule <action>
  create <recipe.yaml> (--every 1d | --cron "0 3 * * *") [--id ID] [--seed N] [--force]
  list | show <id> | trigger <id> | pause <id> | resume <id> | delete <id>     (all take --json)`;

export interface ScheduleFlags {
  stateDir: string;
  every?: string;
  cron?: string;
  id?: string;
  seed?: number;
  force?: boolean;
  json?: boolean;
}

type View = Awaited<ReturnType<Awaited<ReturnType<typeof connectApi>>['api']['schedules']['get']>>;

function printSchedule(s: View): void {
  console.log(`schedule ${s.id} · ${s.recipe}@v${s.version ?? '?'} · seed ${s.seed ?? '—'} · ${s.timetable}${s.paused ? ` · PAUSED${s.note ? ` (${s.note})` : ''}` : ''}`);
  if (!s.paused && s.nextRuns.length) console.log(`next: ${s.nextRuns.map((t) => t.replace('T', ' ').slice(0, 19)).join(', ')} UTC`);
  if (s.recent.length) console.log(table(['scheduled at (UTC)', 'run', 'status'], s.recent.map((r) => [r.scheduledAt.replace('T', ' ').slice(0, 19), r.runId, r.status])));
  else console.log('no runs yet');
}

export async function scheduleCommand(positionals: string[], flags: ScheduleFlags): Promise<number> {
  const [action, arg] = positionals;
  const needId = () => {
    if (!arg) throw new Error(`usage: reprolab schedule ${action} <id> (list them with \`reprolab schedule list\`)`);
    return arg;
  };
  if (!action) {
    console.error(SCHEDULE_USAGE);
    return 2;
  }
  let recipe: string | undefined;
  if (action === 'create') {
    if (!arg) throw new Error(`usage: reprolab schedule create <recipe.yaml> --every 1d (try workflows/recipes/smoke.yaml)`);
    recipe = await readFile(arg, 'utf8').catch((e: unknown) => {
      throw new Error(`cannot read recipe ${arg}: ${(e as Error).message}`);
    });
  }
  const conn = await connectApi(flags.stateDir);
  const out = (v: unknown, text: () => void) => (flags.json ? console.log(JSON.stringify(v, null, 2)) : text());
  try {
    switch (action) {
      case 'create': {
        const s = await conn.api.schedules.create({ recipe, id: flags.id, every: flags.every, cron: flags.cron, seed: flags.seed, force: flags.force }).catch((e: unknown) => {
          throw new Error((e as Error).message.replace(/^invalid recipe <recipe>/, `invalid recipe ${basename(arg!)}`));
        });
        out(s, () => {
          printSchedule(s);
          console.log(`start one now with \`reprolab schedule trigger ${s.id}\`; stop it with \`reprolab schedule delete ${s.id}\``);
        });
        return 0;
      }
      case 'list': {
        const all = await conn.api.schedules.list();
        out(all, () => {
          if (!all.length) console.log('no schedules; create one with `reprolab schedule create workflows/recipes/smoke.yaml --every 1d`');
          else
            console.log(
              table(
                ['schedule', 'recipe', 'timetable', 'state', 'next (UTC)', 'last run', 'last status'],
                all.map((s) => [s.id, `${s.recipe}@v${s.version ?? '?'}`, s.timetable, s.paused ? 'paused' : 'active', s.paused ? '' : (s.nextRuns[0]?.replace('T', ' ').slice(0, 16) ?? ''), s.recent[0]?.runId, s.recent[0]?.status]),
              ),
            );
        });
        return 0;
      }
      case 'show': {
        const s = await conn.api.schedules.get({ id: needId() });
        out(s, () => printSchedule(s));
        return 0;
      }
      case 'trigger': {
        const t = await conn.api.schedules.trigger({ id: needId() });
        out(t, () =>
          console.log(
            t.started
              ? `started run ${t.runId}; follow it with \`reprolab status ${t.runId}\``
              : `no run started: the previous run of ${t.schedule.id} is still going (overlapping runs are skipped)`,
          ),
        );
        return t.started ? 0 : 1;
      }
      case 'pause':
      case 'resume': {
        const s = action === 'pause' ? await conn.api.schedules.pause({ id: needId() }) : await conn.api.schedules.resume({ id: needId() });
        out(s, () => printSchedule(s));
        return 0;
      }
      case 'delete': {
        const d = await conn.api.schedules.delete({ id: needId() });
        out(d, () => console.log(`deleted schedule ${d.id} (its runs stay)`));
        return 0;
      }
      default:
        console.error(`unknown schedule action "${action}"\n${SCHEDULE_USAGE}`);
        return 2;
    }
  } finally {
    await conn.close();
  }
}

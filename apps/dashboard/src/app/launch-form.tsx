'use client';
/** Launch a shipped recipe now, or put it on a timetable (a Temporal Schedule). */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { mutate } from './trpc-client';

export interface ShippedRecipe {
  file: string;
  name: string;
  description: string;
  steps: number;
}

export function LaunchForm({ recipes }: { recipes: ShippedRecipe[] }) {
  const router = useRouter();
  const [file, setFile] = useState(recipes.find((r) => r.file === 'smoke.yaml')?.file ?? recipes[0]?.file ?? '');
  const [seed, setSeed] = useState('');
  const [force, setForce] = useState(false);
  const [every, setEvery] = useState('1d');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  if (!recipes.length) return null;
  const seedValue = seed.trim() === '' ? undefined : Number(seed);
  const seedError = seedValue !== undefined && !(Number.isInteger(seedValue) && seedValue >= 0) ? 'seed: a whole number ≥ 0, or empty for the recipe’s own' : null;
  const chosen = recipes.find((r) => r.file === file);
  const submit = (what: 'launch' | 'schedule') => {
    if (seedError) return setMessage({ error: true, text: seedError });
    setBusy(true);
    setMessage(null);
    const call =
      what === 'launch'
        ? mutate<{ runId: string }>('runs.launch', { file, seed: seedValue, force }).then((r) => router.push(`/runs/${r.runId}`))
        : mutate<{ id: string; nextRuns: string[] }>('schedules.create', { file, seed: seedValue, force, every }).then((s) => {
            setMessage({ error: false, text: `schedule ${s.id} created; next run ${s.nextRuns[0]?.replace('T', ' ').slice(0, 16) ?? '—'} UTC` });
            router.refresh();
          });
    call.catch((e: unknown) => setMessage({ error: true, text: (e as Error).message })).finally(() => setBusy(false));
  };
  return (
    <form data-testid="launch-form" onSubmit={(e) => e.preventDefault()} style={{ border: '1px solid #ddd', padding: '0.75rem', marginBottom: '1rem', display: 'grid', gap: 8 }}>
      <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
        <label>
          recipe{' '}
          <select name="recipe" value={file} onChange={(e) => setFile(e.target.value)}>
            {recipes.map((r) => (
              <option key={r.file} value={r.file}>
                {r.name} ({r.file})
              </option>
            ))}
          </select>
        </label>
        <label>
          seed <input name="seed" value={seed} onChange={(e) => setSeed(e.target.value)} placeholder="recipe's" size={8} />
        </label>
        <label title="recompute steps even when an identical computation is cached">
          <input type="checkbox" name="force" checked={force} onChange={(e) => setForce(e.target.checked)} /> recompute cached steps
        </label>
        <button type="button" disabled={busy} onClick={() => submit('launch')}>
          Launch
        </button>
        <span style={{ color: '#999' }}>or</span>
        <label>
          every <input name="every" value={every} onChange={(e) => setEvery(e.target.value)} size={5} />
        </label>
        <button type="button" disabled={busy} onClick={() => submit('schedule')}>
          Schedule
        </button>
      </div>
      {chosen && (
        <small style={{ color: '#555' }}>
          {chosen.description} · {chosen.steps} step{chosen.steps === 1 ? '' : 's'}
        </small>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} style={{ margin: 0, color: message.error ? '#cf222e' : '#1a7f37' }}>
          {message.text}
        </p>
      )}
    </form>
  );
}

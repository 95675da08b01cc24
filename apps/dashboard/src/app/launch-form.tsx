'use client';
/** Launch a shipped recipe now, or put it on a timetable (a Temporal Schedule). */
import { useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';
import { RecipeParams, type EditedRecipe } from './recipe-params';
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
  const [showParams, setShowParams] = useState(false);
  const [edited, setEdited] = useState<EditedRecipe>({ text: null, valid: true });
  const onEdited = useCallback((r: EditedRecipe) => setEdited(r), []);
  if (!recipes.length) return null;
  const seedValue = seed.trim() === '' ? undefined : Number(seed);
  const seedError = seedValue !== undefined && !(Number.isInteger(seedValue) && seedValue >= 0) ? 'seed: a whole number ≥ 0, or empty for the recipe’s own' : null;
  const chosen = recipes.find((r) => r.file === file);
  const submit = (what: 'launch' | 'schedule') => {
    if (seedError) return setMessage({ error: true, text: seedError });
    if (!edited.valid) return setMessage({ error: true, text: 'the parameters do not validate yet: fix the fields marked in red' });
    setBusy(true);
    setMessage(null);
    // Edited parameters launch the recipe the preview showed (stored as a new version of it).
    const source = edited.text ? { recipe: edited.text } : { file };
    const call =
      what === 'launch'
        ? mutate<{ runId: string }>('runs.launch', { ...source, seed: seedValue, force }).then((r) => router.push(`/runs/${r.runId}`))
        : mutate<{ id: string; nextRuns: string[] }>('schedules.create', { ...source, seed: seedValue, force, every }).then((s) => {
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
          <select
            name="recipe"
            value={file}
            onChange={(e) => {
              setFile(e.target.value);
              setEdited({ text: null, valid: true });
            }}
          >
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
          {chosen.description} · {chosen.steps} step{chosen.steps === 1 ? '' : 's'}{' '}
          <button type="button" data-testid="edit-params" onClick={() => setShowParams((v) => !v)} style={{ marginLeft: 8 }}>
            {showParams ? 'hide parameters' : 'edit parameters'}
          </button>
          {edited.text && <span style={{ marginLeft: 8, color: '#9a6700' }}>edited: launches as a new version of {chosen.name}</span>}
        </small>
      )}
      {showParams && <RecipeParams key={file} file={file} onChange={onEdited} />}
      {message && (
        <p role={message.error ? 'alert' : 'status'} style={{ margin: 0, color: message.error ? '#cf222e' : '#1a7f37' }}>
          {message.text}
        </p>
      )}
    </form>
  );
}

'use client';
/**
 * A shipped recipe's parameters as a form generated from its steps' schemas (`recipes.form`): edit
 * values and matrix axes, see each issue beside its field as you type (`recipes.preview`, debounced;
 * the server validates exactly as a launch does), and the recipe that would run.
 */
import { useEffect, useMemo, useState } from 'react';
import type { FormField, FormIssue, RecipeForm } from '@reprolab/api';
import { query } from './trpc-client';

interface Preview {
  text: string;
  issues: FormIssue[];
  steps: number | null;
}

/** What the user typed, per step: field name → raw text (matrix axes under `matrix:<axis>`). */
type Edits = Record<string, Record<string, string>>;

export interface EditedRecipe {
  /** The recipe text to launch, or null while nothing is changed. */
  text: string | null;
  /** Whether the edits validate (false while a preview is pending or has issues). */
  valid: boolean;
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/** The typed value of a field's text, or an error for the form to show before asking the server. */
function typed(f: FormField, raw: string): { value: unknown } | { error: string } {
  const t = raw.trim();
  if (t === '') return { value: null }; // back to the default
  if (f.type === 'integer' || f.type === 'number') {
    const n = Number(t);
    if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n))) return { error: `a ${f.type === 'integer' ? 'whole number' : 'number'}` };
    return { value: n };
  }
  if (f.type === 'boolean') return { value: t === 'true' };
  if (f.type === 'enum') {
    const opt = f.options?.find((o) => String(o) === t);
    return opt === undefined ? { error: `one of ${f.options?.join(', ')}` } : { value: opt };
  }
  if (f.type === 'json') {
    try {
      return { value: JSON.parse(t) };
    } catch {
      return { error: 'JSON (e.g. {"kind": "cosine"})' };
    }
  }
  return { value: t };
}

function axisValues(raw: string): (string | number | boolean)[] {
  return raw
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map((x) => (x === 'true' ? true : x === 'false' ? false : Number.isFinite(Number(x)) ? Number(x) : x));
}

export function RecipeParams({ file, onChange }: { file: string; onChange: (r: EditedRecipe) => void }) {
  const [form, setForm] = useState<RecipeForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edits, setEdits] = useState<Edits>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  useEffect(() => {
    setForm(null);
    setEdits({});
    setPreview(null);
    setLoadError(null);
    query<RecipeForm>('recipes.form', { file })
      .then(setForm)
      .catch((e: unknown) => setLoadError((e as Error).message));
  }, [file]);

  // Overrides from the edits; field errors found here never reach the server.
  const { overrides, localErrors, changed } = useMemo(() => {
    const steps: Record<string, { params?: Record<string, unknown>; matrix?: Record<string, unknown[]> }> = {};
    const localErrors: Record<string, string> = {};
    for (const step of form?.steps ?? []) {
      for (const [key, raw] of Object.entries(edits[step.id] ?? {})) {
        const entry = (steps[step.id] ??= {});
        if (key.startsWith('matrix:')) {
          (entry.matrix ??= {})[key.slice(7)] = axisValues(raw);
          continue;
        }
        const f = step.fields.find((x) => x.name === key)!;
        const r = typed(f, raw);
        if ('error' in r) localErrors[`${step.id}.${key}`] = r.error;
        else (entry.params ??= {})[key] = r.value;
      }
    }
    return { overrides: { steps }, localErrors, changed: Object.keys(steps).length > 0 };
  }, [edits, form]);

  useEffect(() => {
    if (!form || !changed || Object.keys(localErrors).length) {
      setPreview(null);
      onChange({ text: null, valid: !changed });
      return;
    }
    onChange({ text: null, valid: false });
    const timer = setTimeout(() => {
      query<Preview>('recipes.preview', { file, overrides })
        .then((p) => {
          setPreview(p);
          setPreviewError(null);
          onChange({ text: p.text, valid: p.issues.length === 0 });
        })
        .catch((e: unknown) => {
          setPreviewError((e as Error).message);
          onChange({ text: null, valid: false });
        });
    }, 300);
    return () => clearTimeout(timer);
    // onChange is the parent's setter; re-running on it would loop.
  }, [overrides, form, file, changed, localErrors]);

  if (loadError) return <p role="alert" style={{ color: '#cf222e', margin: 0 }}>{loadError}</p>;
  if (!form) return <small style={{ color: '#999' }}>loading parameters…</small>;
  const issuesFor = (step: string, field?: string) => preview?.issues.filter((i) => i.step === step && (field === undefined ? i.field === undefined : i.field === field)) ?? [];
  const other = preview?.issues.filter((i) => !i.step) ?? [];
  const edit = (step: string, key: string, raw: string) => setEdits((e) => ({ ...e, [step]: { ...e[step], [key]: raw } }));

  return (
    <div data-testid="recipe-params" style={{ display: 'grid', gap: 8 }}>
      {form.steps.map((step) => (
        <fieldset key={step.id} data-step={step.id} style={{ border: '1px solid #eee', padding: '0.4rem 0.6rem' }}>
          <legend>
            <code>{step.id}</code> <span style={{ color: '#777' }}>({step.kind}{step.matrix ? ', matrix' : ''})</span>
          </legend>
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: '6px 14px' }}>
            {step.matrix &&
              Object.entries(step.matrix).map(([axis, values]) => {
                const key = `matrix:${axis}`;
                return (
                  <label key={key} title="matrix axis: one step per value, comma-separated">
                    {axis} ∈ <input data-field={key} value={edits[step.id]?.[key] ?? values.map(show).join(', ')} onChange={(e) => edit(step.id, key, e.target.value)} size={Math.max(8, values.map(show).join(', ').length)} />
                  </label>
                );
              })}
            {step.fields.map((f) => {
              const raw = edits[step.id]?.[f.name];
              const error = localErrors[`${step.id}.${f.name}`] ?? issuesFor(step.id, f.name)[0]?.message;
              const common = { 'data-field': f.name, 'aria-invalid': error ? true : undefined, title: f.description };
              const value = raw ?? show(f.value);
              return (
                <label key={f.name} style={{ color: f.set || raw !== undefined ? undefined : '#777' }}>
                  {f.name}{' '}
                  {f.type === 'enum' || f.type === 'boolean' ? (
                    <select {...common} value={value} onChange={(e) => edit(step.id, f.name, e.target.value)}>
                      {!f.required && value === '' && <option value="">(default)</option>}
                      {(f.type === 'boolean' ? ['true', 'false'] : (f.options ?? []).map(String)).map((o) => (
                        <option key={o} value={o}>
                          {o}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      {...common}
                      value={value}
                      onChange={(e) => edit(step.id, f.name, e.target.value)}
                      inputMode={f.type === 'integer' || f.type === 'number' ? 'decimal' : undefined}
                      size={f.type === 'json' ? Math.min(40, Math.max(12, value.length)) : Math.max(6, value.length + 1)}
                      placeholder={f.min !== undefined || f.max !== undefined ? `${f.min ?? ''}…${f.max ?? ''}` : undefined}
                    />
                  )}
                  {error && (
                    <span role="alert" data-error-for={`${step.id}.${f.name}`} style={{ color: '#cf222e', marginLeft: 4 }}>
                      {error}
                    </span>
                  )}
                </label>
              );
            })}
          </div>
          {issuesFor(step.id).map((i) => (
            <p key={i.path + i.message} role="alert" style={{ color: '#cf222e', margin: '4px 0 0' }}>
              {i.path}: {i.message}
            </p>
          ))}
        </fieldset>
      ))}
      {other.map((i) => (
        <p key={i.path + i.message} role="alert" style={{ color: '#cf222e', margin: 0 }}>
          {i.path || '(recipe)'}: {i.message}
        </p>
      ))}
      {previewError && <p role="alert" style={{ color: '#cf222e', margin: 0 }}>{previewError}</p>}
      {preview && (
        <details data-testid="recipe-preview">
          <summary>
            the recipe that will run ({preview.steps === null ? 'does not validate' : `${preview.steps} step${preview.steps === 1 ? '' : 's'}`})
          </summary>
          <pre style={{ maxHeight: 320, overflow: 'auto', background: '#f6f8fa', padding: 8 }}>{preview.text}</pre>
        </details>
      )}
    </div>
  );
}

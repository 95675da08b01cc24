/**
 * What the run page shows for super-resolution (`distill`) runs: PSNR against parameters per arm
 * (mean and 95 % interval over seeds) beside the paper's points for the same model family, and the
 * stored crops (HR, bicubic, each arm's student, the teacher) of one seed as PNG data URLs.
 * Crops are read from the object store only through the run's own artifact rows: a caller never
 * names a digest.
 */
import { getClaims, getRecipe, getRun, listClaims, listSteps, runArtifacts, runMetrics, type Db } from '@reprolab/db';
import { carnPaper, countParams, edsrPaper, rcanPaper, srConvLayers, type SrArch, type SrScale } from '@reprolab/methods/sr/arch';
import { distillArm, type Recipe } from '@reprolab/recipes';
import { meanInterval } from '@reprolab/recipes/evidence';
import { parseSrCrops, SR_CROPS_KIND, type SrCropRole } from '@reprolab/activities/sr-crops';

/** Reads stored bytes by digest (the object store, in the API context). */
export interface ArtifactReader {
  getBytes(sha256: string): Promise<Uint8Array>;
}

/** The joint arms, then students distilled from a stored, frozen teacher (recipes' distillArm). */
export const SR_ARMS = ['student-alone', 'split-no-contrastive', 'csd', 'teacher-alone', 'split-no-contrastive-from-stored-teacher', 'csd-from-stored-teacher'] as const;
export type SrArm = (typeof SR_ARMS)[number];
const ARM_LABEL: Record<SrArm, string> = {
  'student-alone': 'baseline student (trained alone)',
  'split-no-contrastive': 'joint, no contrast (J-T1) student',
  csd: 'CSD student',
  'teacher-alone': 'teacher alone',
  'split-no-contrastive-from-stored-teacher': 'split student fine-tuned, stored teacher (no contrast)',
  'csd-from-stored-teacher': 'CSD student from a stored, frozen teacher',
};
const isStoredArm = (a: SrArm) => a.endsWith('-from-stored-teacher');

interface DistillStep {
  step: string;
  method: SrArm;
  seed: number;
}

/** The recipe's `distill` steps with their arm and seed (a step's own seed, else the run's). */
function distillSteps(doc: Partial<Recipe>, runSeed: number): DistillStep[] {
  return (doc.steps ?? []).flatMap((s) => {
    const p = s.params as { method?: string; seed?: number } | undefined;
    const arm = p?.method && distillArm(p.method, s.inputs ?? {});
    return s.kind === 'distill' && arm && (SR_ARMS as readonly string[]).includes(arm) ? [{ step: s.id, method: arm as SrArm, seed: p.seed ?? runSeed }] : [];
  });
}

export interface SrMeasuredPoint {
  arm: SrArm;
  role: 'student' | 'teacher';
  label: string;
  params: number;
  mean: number;
  /** 95 % interval over seeds (t); null with one seed. */
  lower: number | null;
  upper: number | null;
  perSeed: { seed: number; step: string; value: number }[];
}

export interface SrPaperPoint {
  claimId: string;
  label: string;
  role: 'student' | 'teacher';
  width: number;
  params: number;
  value: number;
}

export interface SrView {
  scale: string;
  seeds: number[];
  arms: SrArm[];
  measured: SrMeasuredPoint[];
  /** Mean bicubic Y-PSNR over the distill steps (no parameters: a reference line). */
  bicubic: number | null;
  paper: { label: string; points: SrPaperPoint[]; paramsNote: string } | null;
  note: string | null;
}

const PAPER_FAMILIES: Record<string, { name: string; arch: (s: SrScale) => SrArch }> = {
  edsrplus: { name: 'EDSR+', arch: edsrPaper },
  rcanplus: { name: 'RCAN+', arch: rcanPaper },
  carnplus: { name: 'CARN+', arch: carnPaper },
};
/** Table 1 PSNR claims: csd-<family>-w<width>-<baseline|j-t1|csd>-x<scale>-<dataset>-psnr. */
const TABLE_CLAIM = /^csd-([a-z]+)-w([0-9.]+)-(baseline|j-t1|csd)-x([234])-([a-z0-9]+)-psnr$/;
const PAPER_ARM: Record<string, string> = { baseline: 'Baseline', 'j-t1': 'J-T1', csd: 'CSD' };

/**
 * The paper's points for the model family, scale and test set of the Table 1 PSNR claims the recipe
 * targets: every width and training (Baseline, J-T1, CSD) the registry holds for them, at the
 * parameter count of the paper's configuration at that width (counted from its layer list).
 */
async function paperPoints(db: Db, targets: readonly { claim: string }[]): Promise<SrView['paper']> {
  const target = targets.map((t) => TABLE_CLAIM.exec(t.claim)).find((m) => m && PAPER_FAMILIES[m[1]!]);
  if (!target) return null;
  const [, family, , , scale, set] = target;
  const fam = PAPER_FAMILIES[family!]!;
  const [first] = await getClaims(db, [target[0]]);
  if (!first) return null;
  const points: SrPaperPoint[] = [];
  for (const c of await listClaims(db, first.paperId)) {
    const m = TABLE_CLAIM.exec(c.id);
    if (!m || m[1] !== family || m[4] !== scale || m[5] !== set || c.value === null) continue;
    const width = Number(m[2]);
    points.push({
      claimId: c.id,
      label: `${PAPER_ARM[m[3]!]} ${width === 1 ? 'teacher' : `student ×${width}`}`,
      role: width === 1 ? 'teacher' : 'student',
      width,
      params: countParams(srConvLayers(fam.arch(Number(scale) as SrScale), width)),
      value: c.value,
    });
  }
  const setName = /^(\S+)/.exec(first.dataset ?? '')?.[1] ?? set!;
  const trainedOn = /trained on (\w+)/i.exec(first.setting ?? '')?.[1] ?? 'DIV2K';
  return {
    label: `paper (${fam.name}, ${trainedOn}→${setName})`,
    points,
    paramsNote: `parameters counted from the paper's ${fam.name} layer list at ×${scale}`,
  };
}

export async function srView(db: Db, runId: string): Promise<SrView | null> {
  const run = await getRun(db, runId);
  if (!run) throw new Error(`no run "${runId}"`);
  const doc = ((await getRecipe(db, run.recipeId))?.document ?? {}) as Partial<Recipe>;
  const steps = distillSteps(doc, run.seed);
  if (!steps.length) return null;
  const metrics = new Map<string, number>();
  for (const m of await runMetrics(db, runId)) if (m.stepKey && m.index === null) metrics.set(`${m.stepKey}.${m.name}`, m.value);
  const get = (step: string, name: string) => metrics.get(`${step}.${name}`);
  const measured: SrMeasuredPoint[] = [];
  const arms = SR_ARMS.filter((a) => steps.some((s) => s.method === a));
  for (const arm of arms) {
    const roles: { role: 'student' | 'teacher'; psnr: string; params: string; label: string }[] = [];
    if (arm !== 'teacher-alone') roles.push({ role: 'student', psnr: 'psnr_y', params: 'params_student', label: ARM_LABEL[arm] });
    if (arm === 'teacher-alone') roles.push({ role: 'teacher', psnr: 'psnr_y', params: 'params_teacher', label: 'teacher (trained alone)' });
    // A stored teacher is plotted by the step that trained it, not once per student.
    else if (arm !== 'student-alone' && !isStoredArm(arm)) roles.push({ role: 'teacher', psnr: 'teacher_psnr_y', params: 'params_teacher', label: arm === 'csd' ? 'CSD teacher' : 'J-T1 teacher' });
    for (const r of roles) {
      const perSeed = steps.filter((s) => s.method === arm && get(s.step, r.psnr) !== undefined).map((s) => ({ seed: s.seed, step: s.step, value: get(s.step, r.psnr)! }));
      const params = steps.map((s) => (s.method === arm ? get(s.step, r.params) : undefined)).find((v) => v !== undefined);
      if (!perSeed.length || params === undefined) continue;
      const iv = meanInterval(perSeed.map((p) => p.value));
      const finite = Number.isFinite(iv.lower) && Number.isFinite(iv.upper);
      measured.push({ arm, role: r.role, label: r.label, params, mean: iv.mean, lower: finite ? iv.lower : null, upper: finite ? iv.upper : null, perSeed });
    }
  }
  const bic = steps.map((s) => get(s.step, 'bicubic_psnr_y')).filter((v): v is number => v !== undefined);
  const scale = doc.scale ?? run.scale;
  return {
    scale,
    seeds: [...new Set(steps.map((s) => s.seed))].sort((a, b) => a - b),
    arms,
    measured,
    bicubic: bic.length ? bic.reduce((a, b) => a + b, 0) / bic.length : null,
    paper: await paperPoints(db, doc.targets ?? []),
    note:
      scale === 'proxy'
        ? "proxy run: a smaller network, other images and far fewer steps than the paper; its absolute PSNRs are not comparable with the paper's points — only the orderings between arms are judged"
        : null,
  };
}

export const CROP_COLUMNS = [
  { key: 'bicubic', label: 'bicubic' },
  { key: 'student-alone', label: 'baseline student' },
  { key: 'split-no-contrastive', label: 'joint, no contrast' },
  { key: 'csd', label: 'CSD student' },
  { key: 'split-no-contrastive-from-stored-teacher', label: 'split, fine-tuned (stored teacher)' },
  { key: 'csd-from-stored-teacher', label: 'CSD (stored teacher)' },
  { key: 'teacher', label: 'teacher' },
  { key: 'hr', label: 'HR' },
] as const;
export type CropColumn = (typeof CROP_COLUMNS)[number]['key'];

export interface SrCropCell {
  /** data:image/png;base64,… */
  src: string;
  psnrY: number | null;
  /** The step whose artifact holds it. */
  step: string;
}

export interface SrCropsView {
  seed: number | null;
  seeds: number[];
  columns: { key: CropColumn; label: string }[];
  rows: { tile: number; y: number; x: number; size: number; scale: number; cells: Partial<Record<CropColumn, SrCropCell>> }[];
  /** Distill steps of this seed with no crops artifact (not finished, or run before crops were stored). */
  missing: string[];
}

/** The teacher column: the CSD arm's jointly trained teacher, else a teacher trained alone, else J-T1's. */
const TEACHER_FROM: SrArm[] = ['csd', 'teacher-alone', 'split-no-contrastive'];

/** One seed's crops of every arm, lined up by test tile and region. */
export async function srCropsView(db: Db, store: ArtifactReader, runId: string, seed?: number): Promise<SrCropsView> {
  const run = await getRun(db, runId);
  if (!run) throw new Error(`no run "${runId}"`);
  const doc = ((await getRecipe(db, run.recipeId))?.document ?? {}) as Partial<Recipe>;
  const all = distillSteps(doc, run.seed);
  const seeds = [...new Set(all.map((s) => s.seed))].sort((a, b) => a - b);
  if (seed !== undefined && !seeds.includes(seed)) throw new RangeError(`run ${runId} has no distill step with seed ${seed}; its seeds: ${seeds.join(', ') || 'none'}`);
  const chosen = seed ?? seeds[0] ?? null;
  const steps = all.filter((s) => s.seed === chosen);
  const artifacts = await runArtifacts(db, runId);
  const stepIds = new Map((await listSteps(db, runId)).map((s) => [s.stepKey, s.id]));
  const rows = new Map<string, SrCropsView['rows'][number]>();
  const missing: string[] = [];
  const teacherArm = TEACHER_FROM.find((a) => steps.some((s) => s.method === a));
  for (const s of steps) {
    const art = artifacts.filter((a) => a.kind === SR_CROPS_KIND && a.stepId === stepIds.get(s.step)).at(-1);
    if (!art) {
      missing.push(s.step);
      continue;
    }
    const crops = parseSrCrops(await store.getBytes(art.sha256));
    for (const c of crops.crops) {
      const key = `${c.tile}/${c.y}/${c.x}/${c.size}`;
      const row = rows.get(key) ?? { tile: c.tile, y: c.y, x: c.x, size: c.size, scale: crops.scale, cells: {} };
      rows.set(key, row);
      const put = (col: CropColumn, role: SrCropRole) => {
        const img = c.images.find((i) => i.role === role);
        if (img && !row.cells[col]) row.cells[col] = { src: `data:image/png;base64,${img.png}`, psnrY: img.psnrY, step: s.step };
      };
      put('hr', 'hr');
      put('bicubic', 'bicubic');
      if (s.method !== 'teacher-alone') put(s.method, 'student');
      if (s.method === teacherArm) put('teacher', 'teacher');
    }
  }
  const present = new Set([...rows.values()].flatMap((r) => Object.keys(r.cells)));
  return {
    seed: chosen,
    seeds,
    columns: CROP_COLUMNS.filter((c) => present.has(c.key)).map((c) => ({ key: c.key, label: c.key === 'teacher' && teacherArm ? `teacher (${teacherArm === 'csd' ? 'CSD' : teacherArm === 'teacher-alone' ? 'alone' : 'J-T1'})` : c.label })),
    rows: [...rows.values()].sort((a, b) => a.tile - b.tile || a.y - b.y || a.x - b.x),
    missing,
  };
}

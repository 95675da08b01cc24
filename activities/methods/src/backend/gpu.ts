/** GPU presence probe used by backend selection. Cheap, never throws. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export interface GpuProbe {
  present: boolean;
  detail: string;
}

export function detectGpu(env: NodeJS.ProcessEnv = process.env): GpuProbe {
  const cvd = env.CUDA_VISIBLE_DEVICES;
  if (cvd !== undefined && (cvd.trim() === '' || cvd.trim() === '-1')) {
    return { present: false, detail: `CUDA_VISIBLE_DEVICES=${JSON.stringify(cvd)} hides all GPUs` };
  }
  let devices = 0;
  try {
    devices = readdirSync('/proc/driver/nvidia/gpus').length;
  } catch {
    devices = existsSync('/dev/nvidia0') ? 1 : 0;
  }
  if (devices === 0) return { present: false, detail: 'no NVIDIA driver/device found' };
  const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000 });
  const names = smi.status === 0 ? smi.stdout.trim().split('\n').join('; ') : `${devices} device(s), nvidia-smi unavailable`;
  return { present: true, detail: names };
}

/** Reduced machines for fast tests (same per-unit parameters, fewer units). */
import type { SimConfigInput } from './sim-config';

export const SMALL_MACHINE: SimConfigInput = {
  mpu: { processorsX: 1, processorsY: 2, coresX: 2, coresY: 2 },
  v100: { sms: 8, hbmChannels: 4, l2Bytes: 393216, l2Slices: 8, l2BandwidthGBs: 215.5 },
};

/** The reference images and values of reference/metrics_ref.py, shared by the metric tests (not public API). */
import type { RgbImage } from './metrics';

export const H = 40;
export const W = 48;

/** The images of reference/metrics_ref.py, built with the same integer arithmetic. */
export function referenceImages(): { hr: RgbImage; sr: RgbImage } {
  let s = 7;
  const hr = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        hr[(y * W + x) * 3 + c] = (5 * x + 3 * y + 50 * c + (s >>> 28)) % 256;
      }
  const sr = new Uint8Array(H * W * 3);
  const at = (y: number, x: number, c: number) => hr[(Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))) * 3 + c]!;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(y + dy, x + dx, c);
        sr[(y * W + x) * 3 + c] = Math.floor((sum + 4) / 9);
      }
  return { hr: { height: H, width: W, data: hr }, sr: { height: H, width: W, data: sr } };
}

/**
 * Printed by reference/metrics_ref.py (numpy 2.4.6, scipy 1.17.1, scikit-image 0.26.0):
 * PSNR by numpy and by skimage.metrics.peak_signal_noise_ratio (identical); SSIM by
 * skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255) and by a scipy 'valid' convolution with the
 * MATLAB-style window of CSD's utils/ssim.py (equal to 5e-15).
 */
export const REFERENCE = {
  sums: { hr: 737088, sr: 737063 },
  yHr00: 55.282588235294114,
  ySr35: 87.4223411764706,
  byScale: [
    { scale: 2, psnr: 24.49698559408337, ssim: 0.7453909044605436 },
    { scale: 3, psnr: 24.277993909938655, ssim: 0.7363336215106978 },
    { scale: 4, psnr: 24.17120003467716, ssim: 0.7273204814375503 },
  ],
};


"""Reference PSNR/SSIM values for sr/metrics.test.ts, from independent implementations.

Run: python3 metrics_ref.py   (needs numpy, scipy, scikit-image; printed with numpy 2.4.6, scipy 1.17.1, scikit-image 0.26.0)
The test images are rebuilt here exactly as sr/metrics.test.ts builds them (integer arithmetic only):
  hr: H×W×3 uint8, hr[y,x,c] = (5x + 3y + 50c + (lcg() >> 28)) mod 256, lcg = x -> (1103515245·x + 12345) mod 2^32,
      seed 7, drawn in y, x, c order;
  sr: 3×3 box blur of hr with clamped borders, (sum + 4) // 9.
Y is ITU-R BT.601 on 0-255 values: 16 + (65.481 R + 128.553 G + 24.966 B) / 255, not rounded.
"""
import numpy as np
from scipy import signal
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

H, W = 40, 48


def images():
    s = 7
    hr = np.zeros((H, W, 3), dtype=np.uint8)
    for y in range(H):
        for x in range(W):
            for c in range(3):
                s = (s * 1103515245 + 12345) & 0xFFFFFFFF
                hr[y, x, c] = (5 * x + 3 * y + 50 * c + (s >> 28)) % 256
    p = np.pad(hr.astype(np.int64), ((1, 1), (1, 1), (0, 0)), mode="edge")
    box = sum(p[dy:dy + H, dx:dx + W] for dy in range(3) for dx in range(3))
    sr = ((box + 4) // 9).astype(np.uint8)
    return hr, sr


def y_channel(img):
    f = img.astype(np.float64)
    return 16.0 + (65.481 * f[..., 0] + 128.553 * f[..., 1] + 24.966 * f[..., 2]) / 255.0


def matlab_gauss(size=11, sigma=1.5):
    # The authors' utils/ssim.py window (MATLAB fspecial), used for a second, scipy-based SSIM.
    m = (size - 1) / 2.0
    yy, xx = np.ogrid[-m:m + 1, -m:m + 1]
    h = np.exp(-(xx * xx + yy * yy) / (2.0 * sigma * sigma))
    h[h < np.finfo(h.dtype).eps * h.max()] = 0
    return h / h.sum()


def ssim_valid(x, y):
    w = matlab_gauss()
    f = lambda a: signal.convolve2d(a, w, mode="valid")
    ux, uy = f(x), f(y)
    vx, vy, vxy = f(x * x) - ux * ux, f(y * y) - uy * uy, f(x * y) - ux * uy
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    return (((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))).mean()


def main():
    hr, sr = images()
    print("checksums hr sum", int(hr.astype(np.int64).sum()), "sr sum", int(sr.astype(np.int64).sum()))
    yh, ys = y_channel(hr), y_channel(sr)
    print("Y(hr)[0,0] =", repr(float(yh[0, 0])), " Y(sr)[3,5] =", repr(float(ys[3, 5])))
    for scale in (2, 3, 4):
        a, b = ys[scale:-scale, scale:-scale], yh[scale:-scale, scale:-scale]
        mse = np.mean((a - b) ** 2)
        psnr = 10 * np.log10(255.0 ** 2 / mse)
        psnr_sk = peak_signal_noise_ratio(b, a, data_range=255)
        ssim_sk = structural_similarity(b, a, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
        print(f"scale {scale}: psnr {float(psnr)!r} (skimage {float(psnr_sk)!r})  ssim skimage {float(ssim_sk)!r}  ssim scipy-valid {float(ssim_valid(a, b))!r}")


if __name__ == "__main__":
    main()

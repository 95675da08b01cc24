"""Reference bicubic ×2/×3 upsampling for sr/loss.test.ts.

OpenCV's INTER_CUBIC is an independent implementation of the same interpolation as PyTorch's
nn.Upsample(mode='bicubic', align_corners=False) for upscaling: cubic convolution with a = -0.75,
half-pixel centres, border taps clamped (replicated). Run: python3 bicubic_ref.py
(printed with opencv-python-headless 5.1.0, numpy 2.4.6). Input: 3×4 float32, v[y, x] = ((28y + 3x²) mod 11)·10.
"""
import cv2
import numpy as np

img = np.array([[((28 * y + 3 * x * x) % 11) * 10 for x in range(4)] for y in range(3)], dtype=np.float32)
print("input", img.ravel().tolist())
for s in (2, 3):
    up = cv2.resize(img, (4 * s, 3 * s), interpolation=cv2.INTER_CUBIC)
    print(f"x{s}", [round(float(v), 4) for v in up.ravel()])

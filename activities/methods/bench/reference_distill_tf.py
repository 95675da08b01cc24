"""Python TensorFlow reference for `npm run bench:distill`.

One CSD training step as activities/methods/src/sr (edsr.ts edsrForward, loss.ts csdLoss,
features.ts randomConvFeatures, train.ts trainSr) computes it, written with plain TF ops:
  - teacher: EDSR (nResblocks x nFeats, res scale 1, x2/x4 sub-pixel upsampler, mean shift);
  - student: the same network computed on the teacher's variables sliced to their leading
    [:, :, :int(cin*w), :int(cout*w)] channels (the upsampler keeps 4*int(nf*w) outputs);
  - loss: L1(HR, S) + lambda_CL * CL + lambda_T * L1(HR, T), CL over the five stages of a
    random conv extractor (channels 16/32/64/64/64, conv3x3+ReLU, 2x2 max-pool between stages,
    no biases), layer weights 1/32..1; negatives = the first K LR images bicubic-upsampled by the
    same separable matrix product as loss.ts bicubicUpsample; teacher and negatives detached in CL;
  - Adam (0.9, 0.999, 1e-8) on the teacher-sized variables.
`--method student-alone` times the paper's Baseline instead: a separate width-w EDSR with its own
variables and L1(HR, S) only.
Pixel shuffle is tf.nn.depth_to_space (`--shuffle torch` uses the reshape/transpose of PyTorch's
channel order, as layers.ts does): the order changes which channels a student keeps, not the cost.
The step is a tf.function (graph mode, no XLA), like reference_tf.py. Each step gets a fresh
batch converted from numpy (as trainSr builds one per step) and is synchronised by reading the loss.

Usage: python reference_distill_tf.py [--method csd|student-alone] [--batch 16] [--patch 48]
  [--scale 4] [--width 0.25] [--blocks 16] [--feats 64] [--steps 3] [--warmup 1]
  [--intra N] [--inter N] [--serve]
Prints one JSON line: {"framework","version","method","batch","patch","threads":{...},"stepTimesMs":[...]}.
With --serve: after the warm-up prints {"ready": true, ...}, then runs one timed step per "next" line
read from stdin and prints {"ms": ...} for it (any other line or EOF ends it).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

DIV2K_RGB_MEAN = np.array([0.4488, 0.4371, 0.404], np.float32)
LAYER_WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0]
EPS = 1e-7


def conv_layers(blocks, feats, scale, width):
    """(name, cin, cout) of every conv at width `width`, as arch.ts srConvLayers for EDSR."""
    f = int(feats * width)
    out = [("head", 3, f)]
    for b in range(1, blocks + 1):
        out += [(f"rb{b}_conv1", f, f), (f"rb{b}_conv2", f, f)]
    out.append(("body_conv", f, f))
    ups = [("up1", f, 9 * f)] if scale == 3 else [(f"up{k + 1}", f, 4 * f) for k in range(2 if scale == 4 else 1)]
    return out + ups + [("tail", f, 3)]


def make_weights(layers, rng):
    """PyTorch default conv init (kaiming-uniform a=sqrt 5, bias U(+-1/sqrt fan_in)); values only matter for scale."""
    w = {}
    for name, cin, cout in layers:
        bound = 1 / np.sqrt(9 * cin)
        w[name] = (tf.Variable(rng.uniform(-bound, bound, (3, 3, cin, cout)).astype(np.float32), name=f"{name}_k"),
                   tf.Variable(rng.uniform(-bound, bound, (cout,)).astype(np.float32), name=f"{name}_b"))
    return w


def pixel_shuffle(x, r, order):
    if order == "d2s":
        return tf.nn.depth_to_space(x, r)
    n, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    return tf.reshape(tf.transpose(tf.reshape(x, [-1, h, w, c, r, r]), [0, 1, 4, 2, 5, 3]), [-1, h * r, w * r, c])


def edsr_forward(weights, blocks, feats, scale, width, lr, shuffle, rgb_range=255.0):
    """edsr.ts edsrForward: the width-w network on the leading slices of `weights`."""
    sliced = {name: (weights[name][0][:, :, :cin, :cout], weights[name][1][:cout])
              for name, cin, cout in conv_layers(blocks, feats, scale, width)}

    def conv(name, x):
        k, b = sliced[name]
        return tf.nn.conv2d(x, k, 1, "SAME") + b

    head = conv("head", lr - DIV2K_RGB_MEAN * rgb_range)
    x = head
    for b in range(1, blocks + 1):
        x = x + conv(f"rb{b}_conv2", tf.nn.relu(conv(f"rb{b}_conv1", x)))
    x = head + conv("body_conv", x)
    stages = [("up1", 3)] if scale == 3 else [(f"up{k + 1}", 2) for k in range(2 if scale == 4 else 1)]
    for name, r in stages:
        x = pixel_shuffle(conv(name, x), r, shuffle)
    return conv("tail", x) + DIV2K_RGB_MEAN * rgb_range


def bicubic_matrix(in_size, scale):
    """loss.ts bicubicMatrix: PyTorch bicubic (a=-0.75, half-pixel centres, clamped borders)."""
    a = -0.75

    def cubic(t):
        x = abs(t)
        if x <= 1:
            return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1
        if x < 2:
            return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a
        return 0.0

    m = np.zeros((in_size * scale, in_size), np.float32)
    for o in range(in_size * scale):
        src = (o + 0.5) / scale - 0.5
        i0 = int(np.floor(src))
        t = src - i0
        for k in range(-1, 3):
            m[o, min(in_size - 1, max(0, i0 + k))] += cubic(k - t)
    return tf.constant(m)


def bicubic_upsample(x, scale):
    """loss.ts bicubicUpsample: rows then columns by matrix products, same transposes."""
    b, h, w, c = x.shape
    mh, mw = bicubic_matrix(h, scale), bicubic_matrix(w, scale)
    planes = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c * h, w])
    along_w = tf.reshape(tf.matmul(planes, mw, transpose_b=True), [b * c, h, w * scale])
    cols = tf.reshape(tf.transpose(along_w, [0, 2, 1]), [b * c * w * scale, h])
    along_h = tf.reshape(tf.matmul(cols, mh, transpose_b=True), [b, c, w * scale, h * scale])
    return tf.transpose(along_h, [0, 3, 2, 1])


def random_conv_features(seed, channels=(16, 32, 64, 64, 64)):
    """features.ts randomConvFeatures: conv3x3+ReLU per stage, 2x2 max-pool between, no biases."""
    rng = np.random.default_rng(seed)
    kernels = []
    cin = 3
    for cout in channels:
        kernels.append(tf.constant(rng.normal(0, np.sqrt(2 / (9 * cin)), (3, 3, cin, cout)).astype(np.float32)))
        cin = cout

    def features(x):
        out = []
        h = x
        for i, k in enumerate(kernels):
            if i > 0:
                h = tf.nn.max_pool2d(h, 2, 2, "VALID")
            h = tf.nn.relu(tf.nn.conv2d(h, k, 1, "SAME"))
            out.append(h)
        return out

    return features


def l1(a, b):
    return tf.reduce_mean(tf.abs(a - b))


def contrastive(features, anchor, positive, negatives):
    """loss.ts contrastiveLoss: sum over negatives (each broadcast against the whole batch)."""
    fa = features(anchor)
    fp = features(tf.stop_gradient(positive))
    fn = features(tf.stop_gradient(negatives))
    loss = 0.0
    for i, a in enumerate(fa):
        d_neg = tf.add_n([l1(a, fn[i][k:k + 1]) for k in range(negatives.shape[0])])
        loss += LAYER_WEIGHTS[i] * l1(fp[i], a) / (d_neg + EPS)
    return loss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", default="csd", choices=["csd", "student-alone"])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--patch", type=int, default=48)
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--blocks", type=int, default=16)
    p.add_argument("--feats", type=int, default=64)
    p.add_argument("--negatives", type=int, default=10)
    p.add_argument("--lambda-cl", type=float, default=200.0)
    p.add_argument("--lambda-t", type=float, default=1.0)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--shuffle", default="d2s", choices=["d2s", "torch"])
    p.add_argument("--intra", type=int, default=0, help="intra-op threads (0: TF's default)")
    p.add_argument("--inter", type=int, default=0, help="inter-op threads (0: TF's default)")
    p.add_argument("--serve", action="store_true", help="after warm-up, time one step per 'next' line on stdin")
    p.add_argument("--eager", action="store_true", help="run the step eagerly (no tf.function), for diagnosis")
    a = p.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(a.intra)
    tf.config.threading.set_inter_op_parallelism_threads(a.inter)

    rng = np.random.default_rng(0)
    teacher_width = a.width if a.method == "student-alone" else 1.0
    weights = make_weights(conv_layers(a.blocks, a.feats, a.scale, teacher_width), rng)
    variables = [v for kb in weights.values() for v in kb]
    features = random_conv_features(1)
    opt = keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    k = min(a.negatives, a.batch)

    def step(lr, hr):
        with tf.GradientTape() as tape:
            if a.method == "student-alone":
                small = int(a.feats * a.width)  # its own width-w weights, computed unsliced
                loss = l1(hr, edsr_forward(weights, a.blocks, small, a.scale, 1.0, lr, a.shuffle))
            else:
                student = edsr_forward(weights, a.blocks, a.feats, a.scale, a.width, lr, a.shuffle)
                teacher = edsr_forward(weights, a.blocks, a.feats, a.scale, 1.0, lr, a.shuffle)
                negatives = bicubic_upsample(lr[:k], a.scale)
                loss = (l1(hr, student) + a.lambda_cl * contrastive(features, student, teacher, negatives)
                        + a.lambda_t * l1(hr, teacher))
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss

    if not a.eager:
        step = tf.function(step)

    hp = a.patch * a.scale
    batches = [(rng.uniform(0, 255, (a.batch, a.patch, a.patch, 3)).astype(np.float32),
                rng.uniform(0, 255, (a.batch, hp, hp, 3)).astype(np.float32)) for _ in range(2)]
    def timed(i):
        t0 = time.perf_counter()
        step(*map(tf.constant, batches[i % 2])).numpy()
        return (time.perf_counter() - t0) * 1000.0

    info = {"framework": "tensorflow-python", "version": tf.__version__, "method": a.method,
            "batch": a.batch, "patch": a.patch, "shuffle": a.shuffle, "mode": "eager" if a.eager else "tf.function",
            "threads": {"intra": tf.config.threading.get_intra_op_parallelism_threads(),
                        "inter": tf.config.threading.get_inter_op_parallelism_threads()}}
    for i in range(a.warmup):
        timed(i)
    if a.serve:
        # Driven by bench/distill.ts: one timed step per "next" line, so its steps interleave with tfjs's.
        print(json.dumps({"ready": True, **info}), flush=True)
        i = 0
        for line in sys.stdin:
            if line.strip() != "next":
                break
            print(json.dumps({"ms": timed(i)}), flush=True)
            i += 1
        return
    print(json.dumps({**info, "stepTimesMs": [timed(i) for i in range(a.steps)]}))


if __name__ == "__main__":
    main()

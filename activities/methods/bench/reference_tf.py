"""Python TensorFlow reference for `npm run bench:train`.

Same two models, same batch, same optimizer (SGD momentum 0.9, lr 0.01) and
softmax cross-entropy as activities/methods/src/backend/bench-models.ts.
The step is a tf.function (graph mode, no XLA), which is what a Keras
`model.fit` user gets by default on CPU.

Usage: python reference_tf.py --model cnn3|resnet20 --batch N --steps K --repeats R
Prints one JSON line: {"framework","version","model","batch","stepTimesMs":[...]}.
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def cnn3():
    inp = keras.Input((32, 32, 3))
    x = inp
    for f in (16, 32, 64):
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    out = layers.Dense(10)(x)
    return keras.Model(inp, out)


def resnet20():
    def bn():
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-3)

    inp = keras.Input((32, 32, 3))
    x = layers.Conv2D(16, 3, padding="same", use_bias=False)(inp)
    x = layers.ReLU()(bn()(x))
    for stage, f in enumerate((16, 32, 64)):
        for block in range(3):
            stride = 2 if stage > 0 and block == 0 else 1
            y = layers.Conv2D(f, 3, strides=stride, padding="same", use_bias=False)(x)
            y = layers.ReLU()(bn()(y))
            y = layers.Conv2D(f, 3, padding="same", use_bias=False)(y)
            y = bn()(y)
            if stride != 1 or x.shape[-1] != f:
                x = bn()(layers.Conv2D(f, 1, strides=stride, use_bias=False)(x))
            x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(10)(x)
    return keras.Model(inp, out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="cnn3")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    a = p.parse_args()
    model = {"cnn3": cnn3, "resnet20": resnet20}[a.model]()
    opt = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((a.batch, 32, 32, 3), dtype=np.float32))
    y = tf.constant(rng.integers(0, 10, a.batch).astype(np.int32))

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    for _ in range(a.warmup):
        step(x, y).numpy()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            loss = step(x, y)
        loss.numpy()
        times.append((time.perf_counter() - t0) * 1000.0 / a.steps)
    print(json.dumps({"framework": "tensorflow-python", "version": tf.__version__,
                      "model": a.model, "batch": a.batch, "stepTimesMs": times}))


if __name__ == "__main__":
    main()

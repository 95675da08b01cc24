"""Optional PyTorch reference for `npm run bench:train` (eager mode, CPU).

Same models/batch/optimizer as reference_tf.py and bench-models.ts. Used when
a torch venv exists at <cache>/tensor/torch-venv (bash infra/tensor/install.sh
--with-torch). Prints the same JSON line as reference_tf.py.
"""
import argparse
import json
import time

import torch
from torch import nn


def cnn3():
    layers, c = [], 3
    for f in (16, 32, 64):
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c = f
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(4 * 4 * 64, 10))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.short is None else self.short(x)))


def resnet20():
    blocks, c = [], 16
    for stage, f in enumerate((16, 32, 64)):
        for b in range(3):
            blocks.append(Block(c, f, 2 if stage > 0 and b == 0 else 1))
            c = f
    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3), nn.ReLU(),
                         *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="cnn3")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    a = p.parse_args()
    torch.manual_seed(0)
    model = {"cnn3": cnn3, "resnet20": resnet20}[a.model]().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.randint(0, 10, (a.batch,))
    lossf = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(a.warmup):
        step().item()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            loss = step()
        loss.item()
        times.append((time.perf_counter() - t0) * 1000.0 / a.steps)
    print(json.dumps({"framework": "pytorch", "version": torch.__version__.split("+")[0],
                      "model": a.model, "batch": a.batch, "stepTimesMs": times}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The peer of `distillery-cli new --recipe hinton-2015`: the same recipe in PyTorch.

It reads everything from the project file the recipe made (the data set's
embedded IDX files, the teacher's and every experiment's settings and
seeds), so that both sides train exactly what the project says, then
trains every experiment of the project for each of its seeds as
Distillery's engine would:

- seed by seed: the first seed of every experiment, then the second...,
  with the results written out after each run;
- a multi-layer perceptron with ReLU, He-normal weights and zero biases;
- inverted dropout on inputs and hidden units; inputs shifted by whole
  pixels (dx, dy uniform in [-s, s], 0 shifted in) before input dropout;
- SGD with momentum (PyTorch's rule, as the engine's), a learning rate set
  per step by the cosine schedule, and the max-norm constraint on every
  hidden unit's incoming weights after each step;
- the distillation loss alpha * T^2 * KL(q_T || p_T) + (1 - alpha) *
  CE(y, p), batch means, with q the teacher's softmax at T;
- the training samples of left-out classes dropped after the teacher
  answered, and the test set evaluated with and without the bias.

A project's teacher is trained once, with its own seed, and every
experiment that names it learns from that one, as in Distillery. Random
numbers come from torch.manual_seed(seed), so the runs are not the same
runs as ours: what should agree is the numbers, within seed noise.

  /usr/bin/python3 bench/hinton-2015.py PROJECT --threads 2 --out torch.json

Writes one JSON object per run: experiment, seed, test errors, accuracy,
agreement with the teacher, recall of the left-out classes (plain and
with the bias) and training seconds. Install: apt-get install python3-torch.
"""
import argparse
import gzip
import json
import math
import os
import sqlite3
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("project", help="a project made by distillery-cli new --recipe hinton-2015")
ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
ap.add_argument("--out", help="write the runs as JSON to this file (default: standard output)")
ap.add_argument("--only", help="run only experiments whose name contains this text")
args = ap.parse_args()
torch.set_num_threads(args.threads)

db = sqlite3.connect("file:%s?mode=ro" % args.project, uri=True)


def idx_array(blob, compression):
    data = zlib.decompress(blob) if compression == "zlib" else blob
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_dataset(dataset_id):
    files = {role: idx_array(data, comp) for role, comp, data in db.execute(
        "SELECT role, compression, data FROM dataset_files WHERE dataset_id = ?", (dataset_id,))}
    if "test-images" not in files:
        sys.exit("hinton-2015.py: the data set has no test files; this peer does not split one off")
    w, h, c = db.execute("SELECT image_width, image_height, n_classes FROM datasets WHERE id = ?",
                         (dataset_id,)).fetchone()

    def tensors(images, labels):
        x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0))
        return x, torch.from_numpy(labels.astype(np.int64))

    return tensors(files["train-images"], files["train-labels"]) + \
        tensors(files["test-images"], files["test-labels"]) + (w, h, c)


# Settings as distillery-experiment.c reads them; what the recipe leaves
# out keeps the demo experiment's default there, and here.
def model_settings(s):
    opt, sched, dist = s.get("optimizer", {}), s.get("schedule", {}), s.get("distillation", {})
    if s.get("activation", "relu") != "relu" or s.get("init", "he") != "he" or opt.get("kind", "sgd") != "sgd":
        sys.exit("hinton-2015.py: this peer knows ReLU, He init and SGD only")
    if sched.get("kind", "cosine") not in ("cosine", "constant") or sched.get("warmup_epochs", 0) != 0:
        sys.exit("hinton-2015.py: this peer knows the cosine (without warm-up) and constant schedules only")
    if s.get("label_smoothing", 0) != 0 or s.get("input_noise", 0) != 0 or opt.get("weight_decay", 0) != 0:
        sys.exit("hinton-2015.py: this peer knows no label smoothing, input noise or weight decay")
    return dict(hidden=s["hidden"], dropout_input=s.get("dropout_input", 0), dropout_hidden=s.get("dropout_hidden", 0),
                jitter=s.get("input_jitter", 0), max_norm=s.get("max_norm", 0), epochs=s["epochs"],
                batch=s["batch_size"], lr=opt["learning_rate"], momentum=opt.get("momentum", 0.9),
                nesterov=opt.get("nesterov", False), cosine=sched.get("kind", "cosine") == "cosine",
                min_factor=sched.get("min_factor", 0), temperature=dist.get("temperature", 4),
                alpha=dist.get("alpha", 0.9), reveals=dist.get("teacher_reveals", "logits"))


class Mlp(torch.nn.Module):
    def __init__(self, sizes, dropout_input, dropout_hidden):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        for layer in self.layers:
            torch.nn.init.normal_(layer.weight, 0.0, math.sqrt(2.0 / layer.in_features))
            torch.nn.init.zeros_(layer.bias)
        self.dropout_input, self.dropout_hidden = dropout_input, dropout_hidden

    def forward(self, x):
        x = F.dropout(x, self.dropout_input, self.training)
        for layer in self.layers[:-1]:
            x = F.dropout(F.relu(layer(x)), self.dropout_hidden, self.training)
        return self.layers[-1](x)


def jitter(x, width, height, shift):
    """out[y][x] = in[y - dy][x - dx], 0 outside, dx and dy uniform in [-shift, shift]."""
    b = x.shape[0]
    planes = x.shape[1] // (width * height)
    padded = F.pad(x.view(b, planes, height, width), (shift, shift, shift, shift))
    dx = torch.randint(-shift, shift + 1, (b,))
    dy = torch.randint(-shift, shift + 1, (b,))
    rows = (torch.arange(height)[None, :] + shift - dy[:, None])[:, None, :, None]
    cols = (torch.arange(width)[None, :] + shift - dx[:, None])[:, None, None, :]
    batch = torch.arange(b)[:, None, None, None]
    plane = torch.arange(planes)[None, :, None, None]
    return padded[batch, plane, rows, cols].reshape(b, -1)


def train(m, x, y, teacher_logits, seed, shape):
    width, height, n_classes = shape
    torch.manual_seed(seed)
    model = Mlp([x.shape[1]] + m["hidden"] + [n_classes], m["dropout_input"], m["dropout_hidden"])
    opt = torch.optim.SGD(model.parameters(), lr=m["lr"], momentum=m["momentum"], nesterov=m["nesterov"])
    n, batch, T, alpha = len(x), m["batch"], m["temperature"], m["alpha"]
    steps_per_epoch = (n + batch - 1) // batch
    total = steps_per_epoch * m["epochs"]
    targets = F.softmax(teacher_logits / T, dim=1) if teacher_logits is not None else None
    model.train()
    step = 0
    for epoch in range(m["epochs"]):
        order = torch.randperm(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            xb = x[rows]
            if m["jitter"] > 0:
                xb = jitter(xb, width, height, m["jitter"])
            if m["cosine"]:
                progress = min(step / (total - 1), 1.0) if total > 1 else 1.0
                lr = m["lr"] * m["min_factor"] + m["lr"] * (1 - m["min_factor"]) * 0.5 * (1 + math.cos(math.pi * progress))
            else:
                lr = m["lr"]
            for group in opt.param_groups:
                group["lr"] = lr
            logits = model(xb)
            ce = F.cross_entropy(logits, y[rows])
            if targets is None:
                loss = ce
            else:
                kd = F.kl_div(F.log_softmax(logits / T, dim=1), targets[rows], reduction="batchmean") * T * T
                loss = alpha * kd + (1 - alpha) * ce
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if m["max_norm"] > 0:
                with torch.no_grad():
                    for layer in model.layers[:-1]:
                        norms = layer.weight.norm(dim=1, keepdim=True)
                        layer.weight.mul_(torch.clamp(m["max_norm"] / norms, max=1.0))
            step += 1
        if not math.isfinite(loss.item()):
            sys.exit("hinton-2015.py: training diverged")
    model.eval()
    return model


@torch.no_grad()
def logits_of(model, x):
    return torch.cat([model(x[i:i + 2000]) for i in range(0, len(x), 2000)])


def evaluate(logits, y, teacher_logits, left_out, bias):
    pred = logits.argmax(1)
    r = dict(errors=int((pred != y).sum()), accuracy=float((pred == y).float().mean()))
    if teacher_logits is not None:
        r["agreement"] = float((pred == teacher_logits.argmax(1)).float().mean())
    if left_out:
        mask = torch.zeros_like(y, dtype=torch.bool)
        for c in left_out:
            mask |= y == c
        r["left_out_samples"] = int(mask.sum())
        r["left_out_recall"] = float((pred[mask] == y[mask]).float().mean())
        if bias != 0:
            corrected = logits.clone()
            corrected[:, left_out] += bias
            cpred = corrected.argmax(1)
            r["corrected_errors"] = int((cpred != y).sum())
            r["corrected_accuracy"] = float((cpred == y).float().mean())
            r["corrected_left_out_recall"] = float((cpred[mask] == y[mask]).float().mean())
            if teacher_logits is not None:
                r["corrected_agreement"] = float((cpred == teacher_logits.argmax(1)).float().mean())
        # The bias that gives the best test accuracy, 0 to 10 by 0.1 (ties to
        # the smallest), as the paper chose its 3.5 and as Distillery reports it.
        best = None
        for step in range(101):
            b = step / 10.0
            shifted = logits.clone()
            shifted[:, left_out] += b
            tpred = shifted.argmax(1)
            hits = int((tpred == y).sum())
            if best is None or hits > best[0]:
                best = (hits, b, float((tpred[mask] == y[mask]).float().mean()))
        r["tuned_bias"] = best[1]
        r["tuned_accuracy"] = best[0] / len(y)
        r["tuned_left_out_recall"] = best[2]
    return r


# A network trained with the same settings and seed gives the same model:
# the project's teacher and the first seed of the experiment that is that
# teacher are one training here (Distillery's engine trains them both).
trained = {}


def train_once(m, x, y, teacher_logits, seed, shape, x_test):
    # Without a teacher to learn from, temperature and alpha change nothing.
    plain = {k: v for k, v in m.items() if k not in ("temperature", "alpha", "reveals")}
    key = json.dumps([plain, seed, len(x)]) if teacher_logits is None or m["alpha"] == 0 else None
    if key in trained:
        return trained[key]
    began = time.monotonic()
    model = train(m, x, y, teacher_logits, seed, shape)
    result = (logits_of(model, x), logits_of(model, x_test), time.monotonic() - began)
    if key is not None:
        trained[key] = result
    return result


data_cache, teachers = {}, {}
runs = []
start_all = time.monotonic()


def write_out():
    out = dict(threads=args.threads, torch=torch.__version__, seconds=time.monotonic() - start_all, runs=runs)
    text = json.dumps(out, indent=1)
    if args.out:
        with open(args.out + ".part", "w") as f:
            f.write(text + "\n")
        os.replace(args.out + ".part", args.out)
    else:
        print(text)


experiments = []
for exp_id, name, settings, dataset_id, teacher_id in db.execute(
        "SELECT id, name, settings, dataset_id, teacher_id FROM experiments ORDER BY id").fetchall():
    if args.only and args.only not in name:
        continue
    if dataset_id not in data_cache:
        data_cache[dataset_id] = load_dataset(dataset_id)
    s = json.loads(settings)
    experiments.append((name, s, dataset_id, teacher_id))

# Seed by seed, every experiment, so that a run cut short has whole seeds.
n_seeds = max(len(s.get("seeds", [1])) for _, s, _, _ in experiments)
for k in range(n_seeds):
    for name, s, dataset_id, teacher_id in experiments:
        seeds = s.get("seeds", [s.get("seed", 1)])
        if k >= len(seeds):
            continue
        seed = seeds[k]
        x, y, x_test, y_test = data_cache[dataset_id][:4]
        shape = data_cache[dataset_id][4:]
        m = model_settings(s["student"])
        left_out = s.get("transfer_set", {}).get("leave_out_classes", [])
        bias = s.get("evaluation", {}).get("left_out_bias", 0)

        teacher_train = teacher_test = None
        if teacher_id is not None:
            if teacher_id not in teachers:
                t_name, t_settings = db.execute("SELECT name, settings FROM teachers WHERE id = ?",
                                                (teacher_id,)).fetchone()
                ts = json.loads(t_settings)
                t_train, t_test, t_seconds = train_once(model_settings(ts["teacher"]), x, y, None,
                                                        ts.get("seed", 1), shape, x_test)
                teachers[teacher_id] = (t_train, t_test)
                print("teacher %s: %d test errors, %.0f s" % (
                    t_name, evaluate(t_test, y_test, None, [], 0)["errors"], t_seconds), file=sys.stderr, flush=True)
            teacher_train, teacher_test = teachers[teacher_id]
            if m["reveals"] != "logits":
                sys.exit("hinton-2015.py: this peer knows teachers that reveal logits only")

        keep = torch.ones(len(y), dtype=torch.bool)
        for c in left_out:
            keep &= y != c
        _, test_logits, seconds = train_once(m, x[keep], y[keep],
                                             None if teacher_train is None else teacher_train[keep],
                                             seed, shape, x_test)
        result = dict(experiment=name, seed=seed, seconds=seconds)
        result.update(evaluate(test_logits, y_test, teacher_test, left_out, bias))
        runs.append(result)
        write_out()
        print("%s, seed %d: %d errors, %.0f s" % (name, seed, result["errors"], seconds), file=sys.stderr, flush=True)
write_out()

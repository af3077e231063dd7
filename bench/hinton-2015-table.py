#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tables of a hinton-2015 recipe project's runs beside PyTorch's, for docs/results.md.

  /usr/bin/python3 bench/hinton-2015-table.py PROJECT [TORCH.json]

Reads the finished runs from the project file (their final metrics) and
the peer's runs from the JSON bench/hinton-2015.py wrote, and prints two
Markdown tables: test errors and agreement with the teacher for every
model, mean and standard deviation over the seeds (the sample standard
deviation, n - 1), with the mean training time of a run; and the
student without class 3, with the bias correction. Only the standard
library is used.
"""
import gzip
import json
import sqlite3
import statistics
import sys
import zlib

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
torch_runs = json.load(open(sys.argv[2]))["runs"] if len(sys.argv) == 3 else []

blob, compression = db.execute("SELECT data, compression FROM dataset_files WHERE role = 'test-labels'").fetchone()
data = zlib.decompress(blob) if compression == "zlib" else blob
data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
n_test = int.from_bytes(data[4:8], "big")

# Hinton, Vinyals and Dean's MNIST numbers, section 3.
paper = {
    "Teacher 1200-1200, every seed": "67",
    "Student 800-800, plain": "146",
    "Student 800-800, distilled at T = 20": "74",
}

ours = {}
for name, metrics, seed in db.execute(
        "SELECT e.name, r.final_metrics, r.seed FROM runs r JOIN experiments e ON e.id = r.experiment_id "
        "WHERE r.status = 'finished' ORDER BY e.id, r.seed"):
    m = json.loads(metrics)
    run = dict(seed=seed, seconds=m["seconds"], errors=round((1 - m["accuracy"]) * n_test),
               agreement=m.get("agreement"))
    if "left_out_recall" in m:
        run["left_out_samples"] = round(m["left_out_samples"])
        run["left_out_errors"] = round((1 - m["left_out_recall"]) * m["left_out_samples"])
    if "corrected_accuracy" in m:
        run["corrected_errors"] = round((1 - m["corrected_accuracy"]) * n_test)
        run["corrected_left_out_errors"] = round((1 - m["corrected_left_out_recall"]) * m["left_out_samples"])
    if "tuned_accuracy" in m:
        run["tuned_bias"] = m["tuned_bias"]
        run["tuned_errors"] = round((1 - m["tuned_accuracy"]) * n_test)
        run["tuned_left_out_errors"] = round((1 - m["tuned_left_out_recall"]) * m["left_out_samples"])
    ours.setdefault(name, []).append(run)

peer = {}
for r in torch_runs:
    run = dict(r)
    if "left_out_recall" in r:
        run["left_out_errors"] = round((1 - r["left_out_recall"]) * r["left_out_samples"])
    if "corrected_left_out_recall" in r:
        run["corrected_left_out_errors"] = round((1 - r["corrected_left_out_recall"]) * r["left_out_samples"])
    if "tuned_accuracy" in r:
        run["tuned_errors"] = round((1 - r["tuned_accuracy"]) * n_test)
        run["tuned_left_out_errors"] = round((1 - r["tuned_left_out_recall"]) * r["left_out_samples"])
    peer.setdefault(r["experiment"], []).append(run)

names = [n for (n,) in db.execute("SELECT name FROM experiments ORDER BY id")]


def stat(runs, key, scale=1.0, digits=0):
    values = [r[key] * scale for r in runs if r.get(key) is not None]
    if not values:
        return "—"
    mean = statistics.mean(values)
    if len(values) == 1:
        return "%.*f (1 seed)" % (digits, mean)
    return "%.*f ± %.*f" % (digits, mean, digits, statistics.stdev(values))


print("| Model | Hinton et al., MNIST | Ours: test errors | Ours: agreement, % | PyTorch: test errors "
      "| PyTorch: agreement, % | Ours: s a run | PyTorch: s a run |")
print("|---|---|---|---|---|---|---|---|")
for name in names:
    a, b = ours.get(name, []), peer.get(name, [])
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name, paper.get(name, "—"), stat(a, "errors"), stat(a, "agreement", 100, 2),
        stat(b, "errors"), stat(b, "agreement", 100, 2), stat(a, "seconds"), stat(b, "seconds")))
print()
print("Runs: ours %s, PyTorch %s (seeds per model: ours %s, PyTorch %s)." % (
    sum(len(v) for v in ours.values()), sum(len(v) for v in peer.values()),
    "/".join(str(len(ours.get(n, []))) for n in names), "/".join(str(len(peer.get(n, []))) for n in names)))
print()

left = [n for n in names if any("left_out_errors" in r for r in ours.get(n, []) + peer.get(n, []))]
if left:
    print("| Without class 3 | Hinton et al., MNIST | Ours | PyTorch |")
    print("|---|---|---|---|")
    for name in left:
        a, b = ours.get(name, []), peer.get(name, [])
        n3 = (a or b)[0].get("left_out_samples", 0)
        rows = [
            ("test errors", "206", "errors"),
            ("of them on class 3 (of %d)" % n3, "133 (of 1010)", "left_out_errors"),
            ("test errors, bias of class 3 raised", "109", "corrected_errors"),
            ("of them on class 3", "14", "corrected_left_out_errors"),
        ]
        if any("tuned_bias" in r for r in a + b):
            rows += [
                ("bias tuned on the test set (0 to 10)", "3.5", "tuned_bias"),
                ("test errors at the tuned bias", "109", "tuned_errors"),
                ("of them on class 3", "14", "tuned_left_out_errors"),
            ]
        for label, hinton, key in rows:
            digits = 1 if key == "tuned_bias" else 0
            print("| %s | %s | %s | %s |" % (label, hinton, stat(a, key, digits=digits), stat(b, key, digits=digits)))

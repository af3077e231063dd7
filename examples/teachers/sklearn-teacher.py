#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A teacher program using scikit-learn (Debian: python3-sklearn).

It trains a logistic regression on a CSV file at start, then answers the
workbench's batches with class probabilities, speaking
docs/teacher-protocol.md. For the demo data set as Distillery loads it
(pixels divided by 16):

    sklearn-teacher.py data/demo/digits.csv.gz --label digit --divide-by 16

The CSV has a header row; labels are whole numbers 0 .. C-1. Anything
that goes wrong is written on stderr, which the workbench shows.
"""
import argparse
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", help="training data: a CSV file with a header row, gzipped or not")
    parser.add_argument("--label", required=True, help="the label column's name")
    parser.add_argument("--divide-by", type=float, default=1.0,
                        help="divide every feature by this, as the workbench does")
    args = parser.parse_args()

    header = np.loadtxt(args.csv, delimiter=",", dtype=str, max_rows=1)
    table = np.loadtxt(args.csv, delimiter=",", skiprows=1)
    label_column = list(header).index(args.label)
    labels = table[:, label_column].astype(int)
    features = np.delete(table, label_column, axis=1) / args.divide_by
    n_classes = int(labels.max()) + 1

    model = LogisticRegression(max_iter=1000).fit(features, labels)
    print(f"teacher: trained on {len(labels)} samples, accuracy {model.score(features, labels):.3f}",
          file=sys.stderr, flush=True)

    print(f"distillery-teacher 1 classes={n_classes} features={features.shape[1]} returns=probabilities",
          flush=True)
    reply = sys.stdin.readline()
    if reply != "ok\n":
        sys.exit(f"teacher: the workbench refused: {reply.strip()}")

    for line in sys.stdin:
        words = line.split()
        if words[:1] != ["batch"]:
            break  # "quit"
        count = int(words[2])
        batch = np.array([sys.stdin.readline().split() for _ in range(count)], dtype=float)
        # Every class the model saw, in order: the columns of predict_proba.
        probabilities = np.zeros((count, n_classes))
        probabilities[:, model.classes_] = model.predict_proba(batch.reshape(count, -1))
        # repr of a Python float is C-locale and round-trips exactly.
        sys.stdout.write("".join(" ".join(repr(float(p)) for p in row) + "\n" for row in probabilities))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

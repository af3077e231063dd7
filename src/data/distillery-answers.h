/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Answers a teacher gave elsewhere, as files: an N × C matrix of logits
 * or probabilities, one row per sample, in CSV (an optional header row;
 * with an id column, each row says which sample it answers) or in NumPy's
 * .npy format (float32 or float64, C order, shape (N, C)); either may be
 * gzipped. Reading checks that N and C match the data set, that every
 * value is a finite number, that probabilities sum to 1 within 1e-3 per
 * row, and that ids name every sample once; each problem is reported with
 * the row it is in.
 */
#pragma once

#include "distillery-dataset.h"

G_BEGIN_DECLS

/* Returns n_samples × n_classes floats in sample order. name: the file's
 * name for messages, whose ending (.npy[.gz] or anything else for CSV)
 * says the format. id_column: CSV only, or NULL for row order. */
float *distillery_answers_load_bytes (GBytes *file, const char *name, gsize n_samples, guint n_classes,
                                      gboolean probabilities, const char *id_column, GError **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Answers recorded elsewhere: an N × C matrix of logits or probabilities,
 * one row per sample of the data set, from a CSV file or a NumPy .npy
 * file (float32 or float64). Rows match samples by order, or by an id
 * column of the CSV that gives each row's sample number. Everything is
 * checked when the file is read: N and C match the data set, no value is
 * missing or not a number, and each row of probabilities sums to 1
 * within 1e-3 unless the answers are declared logits. Every mismatch is
 * reported with the row it is in.
 */
#pragma once

#include "distillery-teacher.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_ANSWERS_TEACHER (distillery_answers_teacher_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryAnswersTeacher, distillery_answers_teacher, DISTILLERY, ANSWERS_TEACHER,
                      DistilleryTeacher)

/* name: the file's name, for messages; its ending (.npy or .csv, either
 * optionally .gz) says the format. kind: logits or probabilities.
 * id_column: a CSV column holding sample numbers, or NULL for row order. */
DistilleryTeacher *distillery_answers_teacher_new_from_bytes (GBytes *bytes, const char *name,
                                                              DistilleryAnswerKind kind, gsize n_samples,
                                                              guint n_classes, const char *id_column,
                                                              GError **error);
DistilleryTeacher *distillery_answers_teacher_new_from_file  (const char *path, DistilleryAnswerKind kind,
                                                              gsize n_samples, guint n_classes,
                                                              const char *id_column, GError **error);
/* From rows already checked (takes them): n_samples × n_classes. */
DistilleryTeacher *distillery_answers_teacher_new            (float *rows, DistilleryAnswerKind kind,
                                                              gsize n_samples, guint n_classes);
/* The rows, in sample order (n_samples × n_classes). */
const float       *distillery_answers_teacher_get_rows       (DistilleryAnswersTeacher *self);

G_END_DECLS

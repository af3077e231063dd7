/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The standard charts of a training run, filled from the rows the project
 * file keeps (DistilleryStepRow and DistilleryEpochRow): loss, accuracy,
 * agreement with the teacher, the agreement matrix, and a comparison of
 * several runs. The same calls fill them from a finished run or, row by
 * row, from a live one. Only the store's header is used: no SQLite here.
 */
#pragma once

#include "distillery-chart.h"
#include "distillery-store.h"

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_RUN_METRIC_TRAIN_LOSS,
  DISTILLERY_RUN_METRIC_VAL_LOSS,
  DISTILLERY_RUN_METRIC_VAL_ACCURACY,
  DISTILLERY_RUN_METRIC_VAL_AGREEMENT,
  DISTILLERY_RUN_METRIC_VAL_KL,
} DistilleryRunMetric;

/* An empty chart of that kind with its curves and axes set up (not
 * COMPARISON: see below). class_names (may be NULL) name the matrix'
 * classes. */
DistilleryChart *distillery_run_chart_new        (DistilleryChartKind kind, const char *const *class_names);
/* steps_per_epoch (0 when unknown) places steps on the epoch axis. */
void             distillery_run_chart_add_steps  (DistilleryChart *chart, const DistilleryStepRow *rows, guint n,
                                                  guint steps_per_epoch);
/* The matrix chart shows the last of these rows that has a matrix. */
void             distillery_run_chart_add_epochs (DistilleryChart *chart, const DistilleryEpochRow *rows, guint n);
/* Steps per epoch as stored epoch rows tell it, or 0. */
guint            distillery_run_chart_steps_per_epoch (const DistilleryEpochRow *rows, guint n);

/* One metric per epoch; each group (distilled, plain, ...) a curve of the
 * mean over its runs with a band from their minimum to their maximum. */
DistilleryChart *distillery_run_chart_new_comparison (DistilleryRunMetric metric);
/* runs: GArrays of DistilleryEpochRow, one per run (seed) of the group;
 * metric as the chart was made for. */
void             distillery_run_chart_add_group      (DistilleryChart *chart, DistilleryRunMetric metric,
                                                      const char *name, GPtrArray *runs);

G_END_DECLS

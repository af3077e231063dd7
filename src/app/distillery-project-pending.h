/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * TEMPORARY. What the window needs of src/jobs/distillery-project.h that
 * another branch is adding there, with these very signatures. Once
 * distillery-project.h declares them, delete this header, its #include
 * lines and distillery-project-pending.c (src/app/meson.build stops
 * building that file by itself as soon as the real header has them).
 */

#pragma once

#include "distillery-project.h"

G_BEGIN_DECLS

gboolean distillery_project_set_ensemble_weights (DistilleryStore *store, gint64 teacher_id, const double *weights,
                                                  guint n_weights, GError **error);
gboolean distillery_project_set_program_command  (DistilleryStore *store, gint64 teacher_id,
                                                  const char *const *argv, guint timeout_ms, GError **error);
gboolean distillery_project_get_ensemble         (DistilleryStore *store, gint64 teacher_id, gint64 **members,
                                                  double **weights, guint *n_members, gboolean *logits,
                                                  double *temperature, GError **error);
gint64   distillery_project_count_cached_answers (DistilleryStore *store, gint64 teacher_id, GError **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ensemble of teachers answering as one: the weighted mean of their
 * probabilities (members answering logits are softened at a temperature
 * first), or the weighted mean of their logits divided by the
 * temperature. Weights are relative; they can change between questions.
 */
#pragma once

#include "distillery-teacher.h"

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_ENSEMBLE_PROBABILITIES,   /* answers probabilities */
  DISTILLERY_ENSEMBLE_LOGITS,          /* answers logits; every member must */
} DistilleryEnsembleMode;

#define DISTILLERY_TYPE_ENSEMBLE_TEACHER (distillery_ensemble_teacher_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryEnsembleTeacher, distillery_ensemble_teacher, DISTILLERY, ENSEMBLE_TEACHER,
                      DistilleryTeacher)

/* weights may be NULL (all equal). */
DistilleryTeacher *distillery_ensemble_teacher_new        (DistilleryTeacher *const *members, const double *weights,
                                                           guint n_members, DistilleryEnsembleMode mode,
                                                           double temperature, GError **error);
guint              distillery_ensemble_teacher_get_n_members (DistilleryEnsembleTeacher *self);
double             distillery_ensemble_teacher_get_weight (DistilleryEnsembleTeacher *self, guint member);
/* Refuses a negative weight, or one that leaves every weight zero. */
gboolean           distillery_ensemble_teacher_set_weight (DistilleryEnsembleTeacher *self, guint member,
                                                           double weight, GError **error);

G_END_DECLS

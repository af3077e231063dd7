/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teacher that is a network trained here: it answers with logits,
 * computed in batches by the engine.
 */
#pragma once

#include "distillery-teacher.h"
#include "kd-mlp.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_MLP_TEACHER (distillery_mlp_teacher_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryMlpTeacher, distillery_mlp_teacher, DISTILLERY, MLP_TEACHER, DistilleryTeacher)

/* Takes the model. */
DistilleryTeacher *distillery_mlp_teacher_new       (KdMlp *model);
/* From a model blob (kd_mlp_blob_save); NULL with an error naming why. */
DistilleryTeacher *distillery_mlp_teacher_new_from_blob (GBytes *blob, GError **error);
KdMlp             *distillery_mlp_teacher_get_model (DistilleryMlpTeacher *self);

G_END_DECLS

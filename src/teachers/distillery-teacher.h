/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A teacher: something that answers questions about samples of a data
 * set. Whatever it is (a network trained here, an ensemble, answers
 * recorded elsewhere, an external program), it takes the samples to
 * answer as indices into a data set and writes one row of n_classes
 * floats per sample, of the kind it says it answers with: logits,
 * probabilities, top-k probabilities (zero for the classes it keeps to
 * itself) or labels (one-hot). What a student is then shown of those
 * answers is the disclosure policy's business (distillery-disclosure.h).
 *
 * answer() runs in a worker thread, may block, and checks its
 * cancellable between batches.
 */
#pragma once

#include <gio/gio.h>

#include "kd-train.h"

G_BEGIN_DECLS

#define DISTILLERY_TEACHER_ERROR (distillery_teacher_error_quark ())

typedef enum
{
  DISTILLERY_TEACHER_ERROR_CONFIG,    /* settings that cannot work */
  DISTILLERY_TEACHER_ERROR_ANSWERS,   /* recorded answers that do not fit the data set */
  DISTILLERY_TEACHER_ERROR_PROGRAM,   /* an external program misbehaved */
  DISTILLERY_TEACHER_ERROR_TIMEOUT,   /* an external program did not answer in time */
  DISTILLERY_TEACHER_ERROR_CONSENT,   /* an external program the user has not allowed */
} DistilleryTeacherError;

typedef enum
{
  DISTILLERY_ANSWER_LOGITS,
  DISTILLERY_ANSWER_PROBABILITIES,
  DISTILLERY_ANSWER_TOP_K,
  DISTILLERY_ANSWER_LABELS,
} DistilleryAnswerKind;

#define DISTILLERY_TYPE_TEACHER (distillery_teacher_get_type ())
G_DECLARE_DERIVABLE_TYPE (DistilleryTeacher, distillery_teacher, DISTILLERY, TEACHER, GObject)

struct _DistilleryTeacherClass
{
  GObjectClass parent_class;

  /* out: n × n_classes, of the teacher's answer kind. */
  gboolean (*answer) (DistilleryTeacher *self, const KdData *data, const guint32 *samples, gsize n,
                      float *out, GCancellable *cancellable, GError **error);
};

GQuark               distillery_teacher_error_quark     (void);
const char          *distillery_answer_kind_to_string   (DistilleryAnswerKind kind);   /* "logits", ... */
gboolean             distillery_answer_kind_from_string (const char *text, DistilleryAnswerKind *kind);

guint                distillery_teacher_get_n_classes   (DistilleryTeacher *self);
DistilleryAnswerKind distillery_teacher_get_answer_kind (DistilleryTeacher *self);
/* Checks the data set's shape and the samples, then asks the teacher. */
gboolean             distillery_teacher_answer          (DistilleryTeacher *self, const KdData *data,
                                                         const guint32 *samples, gsize n, float *out,
                                                         GCancellable *cancellable, GError **error);

G_END_DECLS

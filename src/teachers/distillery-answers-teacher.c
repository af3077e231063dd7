/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recorded-answers teacher; see distillery-answers-teacher.h. The
 * file is read and checked by src/data (distillery-answers.c); asking is
 * a copy of the rows of the samples asked about.
 */
#include "config.h"

#include "distillery-answers-teacher.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "distillery-answers.h"

struct _DistilleryAnswersTeacher
{
  DistilleryTeacher parent_instance;
  float            *rows;
  gsize             n_samples;
};

G_DEFINE_FINAL_TYPE (DistilleryAnswersTeacher, distillery_answers_teacher, DISTILLERY_TYPE_TEACHER)

static gboolean
answers_answer (DistilleryTeacher *teacher, const KdData *data, const guint32 *samples, gsize n,
                float *out, GCancellable *cancellable, GError **error)
{
  DistilleryAnswersTeacher *self = DISTILLERY_ANSWERS_TEACHER (teacher);
  const gsize C = data->n_classes;

  if (data->n != self->n_samples)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_ANSWERS,
                   _("The recorded answers are for %zu samples; this data set has %zu."), self->n_samples, data->n);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    memcpy (out + i * C, self->rows + (gsize) samples[i] * C, C * sizeof (float));
  return TRUE;
}

static void
distillery_answers_teacher_finalize (GObject *object)
{
  g_free (DISTILLERY_ANSWERS_TEACHER (object)->rows);
  G_OBJECT_CLASS (distillery_answers_teacher_parent_class)->finalize (object);
}

static void
distillery_answers_teacher_class_init (DistilleryAnswersTeacherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = distillery_answers_teacher_finalize;
  DISTILLERY_TEACHER_CLASS (klass)->answer = answers_answer;
}

static void
distillery_answers_teacher_init (DistilleryAnswersTeacher *self)
{
}

DistilleryTeacher *
distillery_answers_teacher_new_from_bytes (GBytes *bytes, const char *name, DistilleryAnswerKind kind,
                                           gsize n_samples, guint n_classes, const char *id_column,
                                           GError **error)
{
  g_return_val_if_fail (bytes != NULL && name != NULL, NULL);

  if (kind != DISTILLERY_ANSWER_LOGITS && kind != DISTILLERY_ANSWER_PROBABILITIES)
    {
      g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                           _("Recorded answers are logits or probabilities."));
      return NULL;
    }
  float *rows = distillery_answers_load_bytes (bytes, name, n_samples, n_classes,
                                               kind == DISTILLERY_ANSWER_PROBABILITIES, id_column, error);
  return rows ? distillery_answers_teacher_new (rows, kind, n_samples, n_classes) : NULL;
}

DistilleryTeacher *
distillery_answers_teacher_new (float *rows, DistilleryAnswerKind kind, gsize n_samples, guint n_classes)
{
  g_return_val_if_fail (rows != NULL, NULL);

  DistilleryAnswersTeacher *self = g_object_new (DISTILLERY_TYPE_ANSWERS_TEACHER, "n-classes", n_classes,
                                                 "answer-kind", kind, NULL);
  self->rows = rows;
  self->n_samples = n_samples;
  return DISTILLERY_TEACHER (self);
}

DistilleryTeacher *
distillery_answers_teacher_new_from_file (const char *path, DistilleryAnswerKind kind, gsize n_samples,
                                          guint n_classes, const char *id_column, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, error);
  g_autofree char *name = g_path_get_basename (path);

  if (bytes == NULL)
    return NULL;
  return distillery_answers_teacher_new_from_bytes (bytes, name, kind, n_samples, n_classes, id_column, error);
}

const float *
distillery_answers_teacher_get_rows (DistilleryAnswersTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_ANSWERS_TEACHER (self), NULL);
  return self->rows;
}

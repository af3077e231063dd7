/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The trained-here teacher; see distillery-mlp-teacher.h. The model's
 * forward pass takes contiguous rows, so the asked samples are gathered
 * into a batch first.
 */
#include "config.h"

#include "distillery-mlp-teacher.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define BATCH 1024

struct _DistilleryMlpTeacher
{
  DistilleryTeacher parent_instance;
  KdMlp            *model;
};

G_DEFINE_FINAL_TYPE (DistilleryMlpTeacher, distillery_mlp_teacher, DISTILLERY_TYPE_TEACHER)

static gboolean
mlp_answer (DistilleryTeacher *teacher, const KdData *data, const guint32 *samples, gsize n,
            float *out, GCancellable *cancellable, GError **error)
{
  DistilleryMlpTeacher *self = DISTILLERY_MLP_TEACHER (teacher);
  const gsize F = data->n_features, C = data->n_classes;

  if ((gsize) self->model->config.n_inputs != F)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("The teacher takes %d features but the data set has %zu."), self->model->config.n_inputs, F);
      return FALSE;
    }
  g_autofree float *batch = g_try_malloc_n (MIN (n, BATCH) * F + 1, sizeof (float));
  if (batch == NULL)
    {
      g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                           _("There is not enough memory to ask the teacher."));
      return FALSE;
    }
  for (gsize start = 0; start < n; start += BATCH)
    {
      gsize m = MIN (BATCH, n - start);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (gsize i = 0; i < m; i++)
        memcpy (batch + i * F, data->features + (gsize) samples[start + i] * F, F * sizeof (float));
      kd_mlp_predict (self->model, out + start * C, batch, m);
    }
  return TRUE;
}

static void
distillery_mlp_teacher_finalize (GObject *object)
{
  kd_mlp_free (DISTILLERY_MLP_TEACHER (object)->model);
  G_OBJECT_CLASS (distillery_mlp_teacher_parent_class)->finalize (object);
}

static void
distillery_mlp_teacher_class_init (DistilleryMlpTeacherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = distillery_mlp_teacher_finalize;
  DISTILLERY_TEACHER_CLASS (klass)->answer = mlp_answer;
}

static void
distillery_mlp_teacher_init (DistilleryMlpTeacher *self)
{
}

DistilleryTeacher *
distillery_mlp_teacher_new (KdMlp *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  DistilleryMlpTeacher *self = g_object_new (DISTILLERY_TYPE_MLP_TEACHER,
                                             "n-classes", (guint) model->config.n_classes,
                                             "answer-kind", DISTILLERY_ANSWER_LOGITS, NULL);
  self->model = model;
  return DISTILLERY_TEACHER (self);
}

DistilleryTeacher *
distillery_mlp_teacher_new_from_blob (GBytes *blob, GError **error)
{
  const char *problem = NULL;
  gsize size;
  const void *data = g_bytes_get_data (blob, &size);
  KdMlp *model = kd_mlp_blob_load (data, size, BATCH, &problem);

  if (model == NULL)
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("The teacher’s model cannot be read: %s."), problem);
      return NULL;
    }
  return distillery_mlp_teacher_new (model);
}

KdMlp *
distillery_mlp_teacher_get_model (DistilleryMlpTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_MLP_TEACHER (self), NULL);
  return self->model;
}

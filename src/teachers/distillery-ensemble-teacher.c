/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ensemble teacher; see distillery-ensemble-teacher.h. Each member is
 * asked about the same samples in turn, into one scratch buffer, and its
 * rows are added in with its share of the weights.
 */
#include "config.h"

#include "distillery-ensemble-teacher.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "kd-loss.h"

struct _DistilleryEnsembleTeacher
{
  DistilleryTeacher       parent_instance;
  GPtrArray              *members;     /* DistilleryTeacher */
  double                 *weights;
  DistilleryEnsembleMode  mode;
  double                  temperature;
  GMutex                  lock;        /* weights may change while a worker asks */
};

G_DEFINE_FINAL_TYPE (DistilleryEnsembleTeacher, distillery_ensemble_teacher, DISTILLERY_TYPE_TEACHER)

static gboolean
ensemble_answer (DistilleryTeacher *teacher, const KdData *data, const guint32 *samples, gsize n,
                 float *out, GCancellable *cancellable, GError **error)
{
  DistilleryEnsembleTeacher *self = DISTILLERY_ENSEMBLE_TEACHER (teacher);
  const gsize C = data->n_classes, size = n * C;
  g_autofree double *shares = g_new (double, self->members->len);
  double total = 0;

  g_mutex_lock (&self->lock);
  for (guint m = 0; m < self->members->len; m++)
    total += self->weights[m];
  for (guint m = 0; m < self->members->len; m++)
    shares[m] = self->weights[m] / total;
  g_mutex_unlock (&self->lock);

  g_autofree float *scratch = g_try_malloc_n (MAX (size, 1), sizeof (float));
  if (scratch == NULL)
    {
      g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                           _("There is not enough memory to ask the ensemble."));
      return FALSE;
    }
  memset (out, 0, size * sizeof (float));
  for (guint m = 0; m < self->members->len; m++)
    {
      DistilleryTeacher *member = self->members->pdata[m];
      if (shares[m] == 0)
        continue;
      if (!distillery_teacher_answer (member, data, samples, n, scratch, cancellable, error))
        return FALSE;
      if (self->mode == DISTILLERY_ENSEMBLE_PROBABILITIES
          && distillery_teacher_get_answer_kind (member) == DISTILLERY_ANSWER_LOGITS)
        kd_softmax (scratch, scratch, (int) n, (int) C, (float) self->temperature);
      for (gsize i = 0; i < size; i++)
        out[i] += (float) shares[m] * scratch[i];
    }
  if (self->mode == DISTILLERY_ENSEMBLE_LOGITS)
    for (gsize i = 0; i < size; i++)
      out[i] /= (float) self->temperature;
  return TRUE;
}

static void
distillery_ensemble_teacher_finalize (GObject *object)
{
  DistilleryEnsembleTeacher *self = DISTILLERY_ENSEMBLE_TEACHER (object);

  g_ptr_array_unref (self->members);
  g_free (self->weights);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (distillery_ensemble_teacher_parent_class)->finalize (object);
}

static void
distillery_ensemble_teacher_class_init (DistilleryEnsembleTeacherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = distillery_ensemble_teacher_finalize;
  DISTILLERY_TEACHER_CLASS (klass)->answer = ensemble_answer;
}

static void
distillery_ensemble_teacher_init (DistilleryEnsembleTeacher *self)
{
  g_mutex_init (&self->lock);
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG, message);
  return FALSE;
}

DistilleryTeacher *
distillery_ensemble_teacher_new (DistilleryTeacher *const *members, const double *weights, guint n_members,
                                 DistilleryEnsembleMode mode, double temperature, GError **error)
{
  double total = 0;

  g_return_val_if_fail (members != NULL || n_members == 0, NULL);

  if (n_members == 0)
    return invalid (error, _("An ensemble needs at least one teacher.")), NULL;
  if (!(temperature > 0))
    return invalid (error, _("An ensemble’s temperature must be above zero.")), NULL;
  guint C = distillery_teacher_get_n_classes (members[0]);
  for (guint m = 0; m < n_members; m++)
    {
      DistilleryAnswerKind kind = distillery_teacher_get_answer_kind (members[m]);
      double w = weights ? weights[m] : 1;
      if (distillery_teacher_get_n_classes (members[m]) != C)
        return invalid (error, _("The teachers of an ensemble must know the same classes.")), NULL;
      if (kind == DISTILLERY_ANSWER_TOP_K || kind == DISTILLERY_ANSWER_LABELS)
        return invalid (error, _("An ensemble averages logits or probabilities; a teacher that answers "
                                 "with top-k or labels cannot join one.")), NULL;
      if (mode == DISTILLERY_ENSEMBLE_LOGITS && kind != DISTILLERY_ANSWER_LOGITS)
        return invalid (error, _("An ensemble of logits needs every teacher to answer with logits; average "
                                 "probabilities instead.")), NULL;
      if (!(w >= 0))
        return invalid (error, _("Ensemble weights cannot be negative.")), NULL;
      total += w;
    }
  if (!(total > 0))
    return invalid (error, _("At least one ensemble weight must be above zero.")), NULL;

  DistilleryEnsembleTeacher *self =
    g_object_new (DISTILLERY_TYPE_ENSEMBLE_TEACHER, "n-classes", C,
                  "answer-kind", mode == DISTILLERY_ENSEMBLE_LOGITS ? DISTILLERY_ANSWER_LOGITS
                                                                   : DISTILLERY_ANSWER_PROBABILITIES, NULL);
  self->members = g_ptr_array_new_with_free_func (g_object_unref);
  self->weights = g_new (double, n_members);
  for (guint m = 0; m < n_members; m++)
    {
      g_ptr_array_add (self->members, g_object_ref (members[m]));
      self->weights[m] = weights ? weights[m] : 1;
    }
  self->mode = mode;
  self->temperature = temperature;
  return DISTILLERY_TEACHER (self);
}

guint
distillery_ensemble_teacher_get_n_members (DistilleryEnsembleTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_ENSEMBLE_TEACHER (self), 0);
  return self->members->len;
}

double
distillery_ensemble_teacher_get_weight (DistilleryEnsembleTeacher *self, guint member)
{
  double w;

  g_return_val_if_fail (DISTILLERY_IS_ENSEMBLE_TEACHER (self) && member < self->members->len, 0);
  g_mutex_lock (&self->lock);
  w = self->weights[member];
  g_mutex_unlock (&self->lock);
  return w;
}

gboolean
distillery_ensemble_teacher_set_weight (DistilleryEnsembleTeacher *self, guint member, double weight,
                                        GError **error)
{
  double others = 0;

  g_return_val_if_fail (DISTILLERY_IS_ENSEMBLE_TEACHER (self) && member < self->members->len, FALSE);
  if (!(weight >= 0))
    return invalid (error, _("Ensemble weights cannot be negative."));
  g_mutex_lock (&self->lock);
  for (guint m = 0; m < self->members->len; m++)
    if (m != member)
      others += self->weights[m];
  gboolean ok = others + weight > 0;
  if (ok)
    self->weights[member] = weight;
  g_mutex_unlock (&self->lock);
  if (!ok)
    return invalid (error, _("At least one ensemble weight must be above zero."));
  return TRUE;
}

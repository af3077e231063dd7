/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The teacher interface; see distillery-teacher.h.
 */
#include "config.h"

#include "distillery-teacher.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  guint                n_classes;
  DistilleryAnswerKind answer_kind;
} DistilleryTeacherPrivate;

enum
{
  PROP_0,
  PROP_N_CLASSES,
  PROP_ANSWER_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (DistilleryTeacher, distillery_teacher, G_TYPE_OBJECT)

G_DEFINE_QUARK (distillery-teacher-error-quark, distillery_teacher_error)

static const char *const kind_names[] = { "logits", "probabilities", "top-k", "labels" };

const char *
distillery_answer_kind_to_string (DistilleryAnswerKind kind)
{
  return kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : NULL;
}

gboolean
distillery_answer_kind_from_string (const char *text, DistilleryAnswerKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

static void
distillery_teacher_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryTeacherPrivate *priv = distillery_teacher_get_instance_private (DISTILLERY_TEACHER (object));

  switch (prop_id)
    {
    case PROP_N_CLASSES:
      g_value_set_uint (value, priv->n_classes);
      break;
    case PROP_ANSWER_KIND:
      g_value_set_int (value, priv->answer_kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_teacher_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DistilleryTeacherPrivate *priv = distillery_teacher_get_instance_private (DISTILLERY_TEACHER (object));

  switch (prop_id)
    {
    case PROP_N_CLASSES:
      priv->n_classes = g_value_get_uint (value);
      break;
    case PROP_ANSWER_KIND:
      priv->answer_kind = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_teacher_class_init (DistilleryTeacherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = distillery_teacher_get_property;
  object_class->set_property = distillery_teacher_set_property;

  properties[PROP_N_CLASSES] = g_param_spec_uint ("n-classes", NULL, NULL, 2, 1 << 16, 2, flags);
  properties[PROP_ANSWER_KIND] = g_param_spec_int ("answer-kind", NULL, NULL, DISTILLERY_ANSWER_LOGITS,
                                                   DISTILLERY_ANSWER_LABELS, DISTILLERY_ANSWER_LOGITS, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
distillery_teacher_init (DistilleryTeacher *self)
{
}

guint
distillery_teacher_get_n_classes (DistilleryTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER (self), 0);
  return ((DistilleryTeacherPrivate *) distillery_teacher_get_instance_private (self))->n_classes;
}

DistilleryAnswerKind
distillery_teacher_get_answer_kind (DistilleryTeacher *self)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER (self), DISTILLERY_ANSWER_LOGITS);
  return ((DistilleryTeacherPrivate *) distillery_teacher_get_instance_private (self))->answer_kind;
}

gboolean
distillery_teacher_answer (DistilleryTeacher *self, const KdData *data, const guint32 *samples, gsize n,
                           float *out, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (DISTILLERY_IS_TEACHER (self), FALSE);
  g_return_val_if_fail (data != NULL && (samples != NULL || n == 0) && (out != NULL || n == 0), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((guint) data->n_classes != distillery_teacher_get_n_classes (self))
    {
      g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                   _("The teacher knows %u classes but the data set has %d."),
                   distillery_teacher_get_n_classes (self), data->n_classes);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (samples[i] >= data->n)
      {
        g_set_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG,
                     _("Sample %u is past the data set’s %zu samples."), samples[i], data->n);
        return FALSE;
      }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return DISTILLERY_TEACHER_GET_CLASS (self)->answer (self, data, samples, n, out, cancellable, error);
}

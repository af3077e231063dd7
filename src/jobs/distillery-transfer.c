/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Left-out classes: the transfer set and the evaluation; see
 * distillery-transfer.h.
 */
#include "config.h"

#include "distillery-transfer.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "distillery-training.h"

static gboolean
is_left_out (const DistilleryLeftOut *left_out, int label)
{
  for (int i = 0; i < left_out->n_classes; i++)
    if (left_out->classes[i] == label)
      return TRUE;
  return FALSE;
}

static char *
class_list (const DistilleryLeftOut *left_out)
{
  GString *s = g_string_new (NULL);
  for (int i = 0; i < left_out->n_classes; i++)
    g_string_append_printf (s, "%s%d", i ? ", " : "", left_out->classes[i]);
  return g_string_free (s, FALSE);
}

gboolean
distillery_transfer_set_leave_out (const DistilleryLeftOut *left_out, KdData *train, float *answers,
                                   GError **error)
{
  const gsize F = (gsize) train->n_features, C = (gsize) train->n_classes;
  /* The run owns these rows (its parsed data set, or the copies a budget
   * kept); KdData only promises the trainer not to change them. */
  float *features = (float *) train->features;
  gint32 *labels = (gint32 *) train->labels;
  gsize kept = 0;

  if (left_out->n_classes == 0)
    return TRUE;
  for (int i = 0; i < left_out->n_classes; i++)
    if (left_out->classes[i] >= train->n_classes)
      {
        g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                     _("The transfer set leaves out class %d, but the data set has only %d classes (0 to %d)."),
                     left_out->classes[i], train->n_classes, train->n_classes - 1);
        return FALSE;
      }

  for (gsize i = 0; i < train->n; i++)
    {
      if (is_left_out (left_out, labels[i]))
        continue;
      if (kept != i)
        {
          memmove (features + kept * F, features + i * F, F * sizeof (float));
          labels[kept] = labels[i];
          if (answers != NULL)
            memmove (answers + kept * C, answers + i * C, C * sizeof (float));
        }
      kept++;
    }
  if (kept == 0)
    {
      g_autofree char *list = class_list (left_out);
      g_set_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_CONFIG,
                   _("Leaving classes %s out of the transfer set leaves no samples to train on."), list);
      return FALSE;
    }
  train->n = kept;
  return TRUE;
}

static int
arg_max (const float *x, int C)
{
  int best = 0;
  for (int c = 1; c < C; c++)
    if (x[c] > x[best])
      best = c;
  return best;
}

/* The paper's way of choosing the bias: the value that gives the best
 * test accuracy. Ties go to the smallest bias. */
static void
tune_bias (const DistilleryLeftOut *left_out, const float *logits, const KdData *test, gint64 n_left_out,
           DistilleryLeftOutMetrics *out)
{
  const int C = test->n_classes;
  g_autofree float *row = g_new (float, C);
  gint64 best_hits = -1;

  out->tuned_bias = out->tuned_accuracy = out->tuned_left_out_recall = NAN;
  if (n_left_out == 0 || test->n == 0)
    return;
  for (int step = 0; step <= 100; step++)
    {
      float b = step / 10.0f;
      gint64 hits = 0, left_hits = 0;
      for (gsize i = 0; i < test->n; i++)
        {
          memcpy (row, logits + i * C, sizeof (float) * C);
          for (int k = 0; k < left_out->n_classes; k++)
            row[left_out->classes[k]] += b;
          int y = test->labels[i];
          gboolean right = arg_max (row, C) == y;
          hits += right;
          left_hits += right && is_left_out (left_out, y);
        }
      if (hits > best_hits)
        {
          best_hits = hits;
          out->tuned_bias = b;
          out->tuned_accuracy = (double) hits / test->n;
          out->tuned_left_out_recall = (double) left_hits / n_left_out;
        }
    }
}

void
distillery_left_out_evaluate (const DistilleryLeftOut *left_out, KdMlp *model, const KdData *test,
                              const float *teacher_probs, DistilleryLeftOutMetrics *out)
{
  const int C = test->n_classes, D = test->n_features;
  g_autofree float *corrected = g_new (float, (gsize) model->max_batch * C);
  g_autofree float *all = g_new (float, test->n * C);   /* every test logit, for the tuned bias */
  gint64 n = 0, hits = 0, corrected_hits = 0;
  gboolean bias = left_out->bias != 0.0f;
  KdMetrics metrics;

  if (kd_metrics_init (&metrics, C) != 0)
    g_error ("out of memory");
  for (gsize start = 0; start < test->n; start += model->max_batch)
    {
      int B = (int) MIN (test->n - start, (gsize) model->max_batch);
      const float *logits = kd_mlp_forward (model, test->features + start * D, B, false, NULL);
      memcpy (all + start * C, logits, sizeof (float) * B * C);
      memcpy (corrected, logits, sizeof (float) * B * C);
      for (int b = 0; b < B; b++)
        for (int i = 0; i < left_out->n_classes; i++)
          corrected[b * C + left_out->classes[i]] += left_out->bias;
      for (int b = 0; b < B; b++)
        {
          int y = test->labels[start + b];
          if (!is_left_out (left_out, y))
            continue;
          n++;
          hits += arg_max (logits + b * C, C) == y;
          corrected_hits += arg_max (corrected + b * C, C) == y;
        }
      if (bias)
        kd_metrics_add (&metrics, corrected, teacher_probs ? teacher_probs + start * C : NULL,
                        test->labels + start, B);
    }

  out->left_out_samples = n;
  out->left_out_recall = n > 0 ? (double) hits / n : NAN;
  out->corrected_accuracy = bias ? kd_metrics_accuracy (&metrics) : NAN;
  out->corrected_agreement = bias ? kd_metrics_agreement (&metrics) : NAN;
  out->corrected_left_out_recall = bias && n > 0 ? (double) corrected_hits / n : NAN;
  kd_metrics_clear (&metrics);
  tune_bias (left_out, all, test, n, out);
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Evaluation measures; see kd-metrics.h.
 */
#include "kd-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
kd_metrics_init (KdMetrics *m, int n_classes)
{
  memset (m, 0, sizeof *m);
  m->n_classes = n_classes;
  m->matrix = calloc ((size_t) n_classes * n_classes, sizeof (uint64_t));
  return m->matrix != NULL ? 0 : -1;
}

void
kd_metrics_clear (KdMetrics *m)
{
  free (m->matrix);
  memset (m, 0, sizeof *m);
}

void
kd_metrics_add (KdMetrics     *m,
                const float   *student_logits,
                const float   *teacher_probs,
                const int32_t *labels,
                int            B)
{
  const int C = m->n_classes;

  for (int b = 0; b < B; b++)
    {
      const float *x = student_logits + (size_t) b * C;
      int s = 0;
      float max = x[0];
      for (int c = 1; c < C; c++)
        if (x[c] > max)
          max = x[c], s = c;
      double sum = 0.0;
      for (int c = 0; c < C; c++)
        sum += exp ((double) x[c] - max);
      double lse = log (sum);
      double confidence = 1.0 / sum;   /* softmax of the arg-max */

      m->n++;
      if (labels != NULL)
        {
          int y = labels[b];
          int hit = s == y;
          int bin = (int) (confidence * KD_ECE_BINS);
          if (bin >= KD_ECE_BINS)
            bin = KD_ECE_BINS - 1;
          m->n_labelled++;
          m->correct += hit;
          m->loss_sum += lse - ((double) x[y] - max);
          m->bin_count[bin]++;
          m->bin_correct[bin] += hit;
          m->bin_confidence[bin] += confidence;
        }
      if (teacher_probs != NULL)
        {
          const float *q = teacher_probs + (size_t) b * C;
          int t = 0;
          for (int c = 1; c < C; c++)
            if (q[c] > q[t])
              t = c;
          double kl = 0.0;
          for (int c = 0; c < C; c++)
            if (q[c] > 0.0f)
              kl += q[c] * (log (q[c]) - ((double) x[c] - max - lse));
          m->n_taught++;
          m->agree += s == t;
          m->kl_sum += kl;
          m->matrix[(size_t) t * C + s]++;
        }
    }
}

double
kd_metrics_accuracy (const KdMetrics *m)
{
  return m->n_labelled ? (double) m->correct / m->n_labelled : NAN;
}

double
kd_metrics_agreement (const KdMetrics *m)
{
  return m->n_taught ? (double) m->agree / m->n_taught : NAN;
}

double
kd_metrics_kl (const KdMetrics *m)
{
  return m->n_taught ? m->kl_sum / m->n_taught : NAN;
}

double
kd_metrics_loss (const KdMetrics *m)
{
  return m->n_labelled ? m->loss_sum / m->n_labelled : NAN;
}

double
kd_metrics_ece (const KdMetrics *m)
{
  if (m->n_labelled == 0)
    return NAN;
  double ece = 0.0;
  for (int i = 0; i < KD_ECE_BINS; i++)
    if (m->bin_count[i] > 0)
      {
        double acc = (double) m->bin_correct[i] / m->bin_count[i];
        double conf = m->bin_confidence[i] / m->bin_count[i];
        ece += fabs (acc - conf) * m->bin_count[i];
      }
  return ece / m->n_labelled;
}

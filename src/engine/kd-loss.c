/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Softmax, cross-entropy and distillation losses; see kd-loss.h.
 * Every row is shifted by its maximum before exponentiating, so no logit
 * magnitude overflows; log-probabilities are formed as (z - max) - log(sum)
 * rather than log(softmax), which keeps them finite for vanishing classes.
 */
#include "kd-loss.h"

#include <math.h>
#include <string.h>

/* log(sum(exp((x - max) / T))) and max of one row. */
static inline float
row_logsumexp (const float *x, int C, float inv_T, float *max_out)
{
  float max = x[0];
  for (int c = 1; c < C; c++)
    max = x[c] > max ? x[c] : max;
  double sum = 0.0;
  for (int c = 0; c < C; c++)
    sum += expf ((x[c] - max) * inv_T);
  *max_out = max;
  return (float) log (sum);
}

void
kd_log_softmax (float *out, const float *logits, int B, int C, float T)
{
  float inv_T = 1.0f / T;
  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * C;
      float max, lse = row_logsumexp (x, C, inv_T, &max);
      for (int c = 0; c < C; c++)
        out[(size_t) b * C + c] = (x[c] - max) * inv_T - lse;
    }
}

void
kd_softmax (float *probs, const float *logits, int B, int C, float T)
{
  float inv_T = 1.0f / T;
  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * C;
      float *p = probs + (size_t) b * C;
      float max = x[0];
      for (int c = 1; c < C; c++)
        max = x[c] > max ? x[c] : max;
      double sum = 0.0;
      for (int c = 0; c < C; c++)
        {
          p[c] = expf ((x[c] - max) * inv_T);
          sum += p[c];
        }
      float inv_sum = (float) (1.0 / sum);
      for (int c = 0; c < C; c++)
        p[c] *= inv_sum;
    }
}

double
kd_loss_cross_entropy (float         *d_logits,
                       const float   *logits,
                       const int32_t *labels,
                       int B, int C,
                       float smoothing,
                       float scale)
{
  double total = 0.0;
  float off = smoothing / C;
  float on = 1.0f - smoothing + off;
  float g = scale / B;

  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * C;
      float max, lse = row_logsumexp (x, C, 1.0f, &max);
      int y = labels[b];
      double row = 0.0;
      for (int c = 0; c < C; c++)
        {
          float logp = x[c] - max - lse;
          float target = c == y ? on : off;
          if (target != 0.0f)
            row -= target * logp;
          if (d_logits != NULL)
            d_logits[(size_t) b * C + c] = g * (expf (logp) - target);
        }
      total += row;
    }
  return total / B;
}

static void
sharpen_probs (float *q, int C, float T)
{
  /* normalise(p^(1/T)) computed as softmax(log(p) / T), exact at T = 1. */
  if (T == 1.0f)
    {
      double sum = 0.0;
      for (int c = 0; c < C; c++)
        sum += q[c] > 0.0f ? q[c] : 0.0f;
      for (int c = 0; c < C; c++)
        q[c] = q[c] > 0.0f ? (float) (q[c] / sum) : 0.0f;
      return;
    }
  float inv_T = 1.0f / T;
  float max_log = -INFINITY;
  for (int c = 0; c < C; c++)
    if (q[c] > 0.0f && logf (q[c]) > max_log)
      max_log = logf (q[c]);
  double sum = 0.0;
  for (int c = 0; c < C; c++)
    {
      q[c] = q[c] > 0.0f ? expf ((logf (q[c]) - max_log) * inv_T) : 0.0f;
      sum += q[c];
    }
  for (int c = 0; c < C; c++)
    q[c] = (float) (q[c] / sum);
}

static int
row_argmax (const float *x, int C)
{
  int best = 0;
  for (int c = 1; c < C; c++)
    if (x[c] > x[best])
      best = c;
  return best;
}

void
kd_teacher_targets (float         *targets,
                    KdTeacherKind  kind,
                    const float   *answers,
                    int B, int C,
                    float T,
                    int top_k)
{
  switch (kind)
    {
    case KD_TEACHER_LOGITS:
      kd_softmax (targets, answers, B, C, T);
      return;

    case KD_TEACHER_PROBS:
      if (targets != answers)
        memmove (targets, answers, sizeof (float) * (size_t) B * C);
      for (int b = 0; b < B; b++)
        sharpen_probs (targets + (size_t) b * C, C, T);
      return;

    case KD_TEACHER_TOPK:
      if (targets != answers)
        memmove (targets, answers, sizeof (float) * (size_t) B * C);
      if (top_k <= 0 || top_k >= C)
        top_k = C;
      for (int b = 0; b < B; b++)
        {
          float *q = targets + (size_t) b * C;
          /* Negative or NaN answers count as 0; then a set sign bit marks
           * "kept" while the magnitude stays exact. */
          for (int c = 0; c < C; c++)
            q[c] = q[c] > 0.0f ? q[c] : 0.0f;
          double kept = 0.0;
          for (int k = 0; k < top_k; k++)
            {
              int best = -1;
              for (int c = 0; c < C; c++)
                if (!signbit (q[c]) && (best < 0 || q[c] > q[best]))
                  best = c;
              kept += q[best];
              q[best] = -q[best];
            }
          float rest = top_k < C ? (float) ((1.0 - kept) / (C - top_k)) : 0.0f;
          if (rest < 0.0f)
            rest = 0.0f;
          for (int c = 0; c < C; c++)
            q[c] = signbit (q[c]) ? -q[c] : rest;
          sharpen_probs (q, C, T);
        }
      return;

    case KD_TEACHER_LABEL:
      for (int b = 0; b < B; b++)
        {
          int label = row_argmax (answers + (size_t) b * C, C);
          float *q = targets + (size_t) b * C;
          for (int c = 0; c < C; c++)
            q[c] = c == label ? 1.0f : 0.0f;
        }
      return;
    }
}

void
kd_loss_distill (float         *d_logits,
                 KdLossParts   *parts,
                 const float   *logits,
                 const float   *targets,
                 const int32_t *labels,
                 int B, int C,
                 float T, float alpha, float smoothing)
{
  double kd_sum = 0.0, ce_sum = 0.0;
  float inv_T = 1.0f / T;
  float off = smoothing / C;
  float on = 1.0f - smoothing + off;
  /* d/ds of alpha * T^2 * KL(q || softmax(s/T)) is alpha * T * (p_T - q). */
  float g_kd = alpha * T / B;
  float g_ce = (1.0f - alpha) / B;
  int use_ce = alpha < 1.0f && labels != NULL;

  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * C;
      const float *q = targets + (size_t) b * C;
      float max, lse_T = row_logsumexp (x, C, inv_T, &max);
      float lse_1 = T == 1.0f ? lse_T : row_logsumexp (x, C, 1.0f, &max);
      int y = use_ce ? labels[b] : -1;
      double kl = 0.0, ce = 0.0;

      for (int c = 0; c < C; c++)
        {
          float logp_T = (x[c] - max) * inv_T - lse_T;
          float logp_1 = (x[c] - max) - lse_1;
          float grad = 0.0f;
          if (q[c] > 0.0f)
            kl += q[c] * (logf (q[c]) - logp_T);
          grad += g_kd * (expf (logp_T) - q[c]);
          if (use_ce)
            {
              float target = c == y ? on : off;
              if (target != 0.0f)
                ce -= target * logp_1;
              grad += g_ce * (expf (logp_1) - target);
            }
          if (d_logits != NULL)
            d_logits[(size_t) b * C + c] = grad;
        }
      kd_sum += kl;
      ce_sum += ce;
    }

  KdLossParts result;
  result.kd = kd_sum * T * T / B;
  result.ce = use_ce ? ce_sum / B : 0.0;
  result.total = alpha * result.kd + (1.0 - alpha) * result.ce;
  if (parts != NULL)
    *parts = result;
}

double
kd_kl_divergence (const float *p, const float *logits, int B, int C, float T)
{
  double total = 0.0;
  float inv_T = 1.0f / T;
  for (int b = 0; b < B; b++)
    {
      const float *x = logits + (size_t) b * C;
      const float *q = p + (size_t) b * C;
      float max, lse = row_logsumexp (x, C, inv_T, &max);
      for (int c = 0; c < C; c++)
        if (q[c] > 0.0f)
          total += q[c] * (logf (q[c]) - ((x[c] - max) * inv_T - lse));
    }
  return total / B;
}

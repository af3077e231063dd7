/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Softmax at a temperature, and the losses a student trains on.
 *
 * The distillation loss (Hinton, Vinyals and Dean, "Distilling the
 * Knowledge in a Neural Network", 2015, section 2):
 *
 *   L = alpha * T^2 * KL(q || softmax(s / T)) + (1 - alpha) * CE(y, s)
 *
 * where q is the teacher's distribution at temperature T. The T^2 keeps
 * the soft term's gradient, which scales as 1/T^2, comparable across
 * temperatures. q comes from whatever the teacher reveals, prepared once
 * by kd_teacher_targets():
 *
 *   logits  q = softmax(t / T)
 *   probs   q = normalise(p^(1/T)), the same distribution as above when p
 *           is the softmax of some logits
 *   top-k   the k largest probabilities kept, the remaining mass spread
 *           evenly over the other classes, then as probs
 *   label   q = one-hot of the teacher's top-1; the soft term is then the
 *           cross-entropy on the teacher's label (use T = 1)
 *
 * All losses are means over the batch; gradients are of that mean.
 */
#pragma once

#include <stdint.h>

typedef enum
{
  KD_TEACHER_LOGITS,
  KD_TEACHER_PROBS,
  KD_TEACHER_TOPK,
  KD_TEACHER_LABEL,
} KdTeacherKind;

typedef struct
{
  double total;
  double kd;     /* T^2 * KL, before the alpha weight */
  double ce;     /* cross-entropy with the true labels, before 1 - alpha */
} KdLossParts;

void   kd_softmax     (float *probs, const float *logits, int B, int C, float T);
void   kd_log_softmax (float *out, const float *logits, int B, int C, float T);

/* Cross-entropy with label smoothing eps (target (1 - eps) * onehot + eps / C).
 * When d_logits is not NULL it receives scale * d(loss)/d(logits). */
double kd_loss_cross_entropy (float *d_logits, const float *logits,
                              const int32_t *labels, int B, int C,
                              float smoothing, float scale);

/* The teacher's distribution at temperature T, from its answers [B,C]:
 * logits, probabilities, probabilities of which only the top_k count, or
 * anything whose arg-max is the label. */
void   kd_teacher_targets (float *targets, KdTeacherKind kind,
                           const float *answers, int B, int C,
                           float T, int top_k);

/* The distillation loss above against prepared targets [B,C]. labels may
 * be NULL when alpha == 1. d_logits (may be NULL) gets d(total)/d(logits). */
void   kd_loss_distill (float *d_logits, KdLossParts *parts,
                        const float *logits, const float *targets,
                        const int32_t *labels, int B, int C,
                        float T, float alpha, float smoothing);

/* KL(p || softmax(logits / T)) per batch mean, p given as probabilities. */
double kd_kl_divergence (const float *p, const float *logits, int B, int C, float T);

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What an evaluation measures about a student: accuracy on the true labels,
 * top-1 agreement with its teacher, KL(teacher || student) at T = 1, the
 * expected calibration error over 15 equal-width confidence bins (Guo et
 * al., "On Calibration of Modern Neural Networks", 2017), and the
 * agreement matrix: matrix[t * C + s] counts samples the teacher put in
 * class t and the student in class s, so its diagonal is agreement.
 *
 * Metrics accumulate batch by batch; the teacher and the labels are each
 * optional, and the measures that need them read as NaN without them.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KD_ECE_BINS 15

typedef struct
{
  int      n_classes;
  size_t   n;
  size_t   n_labelled, correct;
  size_t   n_taught, agree;
  double   kl_sum;
  double   loss_sum;               /* cross-entropy with the labels */
  size_t   bin_count[KD_ECE_BINS];
  size_t   bin_correct[KD_ECE_BINS];
  double   bin_confidence[KD_ECE_BINS];
  uint64_t *matrix;                /* [C * C], owned */
} KdMetrics;

/* Returns 0, or -1 when memory runs out. */
int    kd_metrics_init  (KdMetrics *metrics, int n_classes);
void   kd_metrics_clear (KdMetrics *metrics);

/* student_logits [B,C]; teacher_probs [B,C] at T = 1, or NULL; labels or NULL. */
void   kd_metrics_add   (KdMetrics *metrics, const float *student_logits,
                         const float *teacher_probs, const int32_t *labels, int B);

double kd_metrics_accuracy  (const KdMetrics *metrics);
double kd_metrics_agreement (const KdMetrics *metrics);
double kd_metrics_kl        (const KdMetrics *metrics);
double kd_metrics_loss      (const KdMetrics *metrics);
double kd_metrics_ece       (const KdMetrics *metrics);

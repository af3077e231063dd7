/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A student's transfer set with classes left out, and how such a student
 * is judged. Hinton, Vinyals and Dean distilled a student from a
 * transfer set without a single 3 and found that it still recognised
 * most test 3s, more once the bias of class 3 was raised: the teacher's
 * soft targets on the other digits had taught it what a 3 looks like.
 * Here the run's training samples of the left-out classes are dropped
 * after the teacher answered, and the finished student is evaluated
 * with and without a constant added to their logits.
 */
#pragma once

#include "distillery-experiment.h"
#include "kd-train.h"

G_BEGIN_DECLS

/* Drops the samples of the left-out classes from a run's training data,
 * in place: the rows of train's features and labels and of answers (the
 * teacher's, [n, C], or NULL) that stay move up and train->n shrinks.
 * The buffers must be the run's own. Fails with a message when a class
 * is not one of the data set's or when nothing would be left. */
gboolean distillery_transfer_set_leave_out (const DistilleryLeftOut *left_out, KdData *train,
                                            float *answers, GError **error);

typedef struct
{
  gint64 left_out_samples;            /* test samples of the left-out classes */
  double left_out_recall;             /* the share of them classified right */
  /* With the bias added to the left-out classes' logits; NaN without one. */
  double corrected_accuracy;
  double corrected_agreement;         /* NaN without teacher_probs */
  double corrected_left_out_recall;
  /* The bias (0 to 10 in steps of 0.1) that gives the best accuracy on
   * this test set, as the paper chose its 3.5, with the accuracy and
   * recall it gives; NaN without left-out test samples. An optimistic
   * figure by construction: it is chosen on the data it is measured on. */
  double tuned_bias;
  double tuned_accuracy;
  double tuned_left_out_recall;
} DistilleryLeftOutMetrics;

/* Evaluates a model on the test set as the left-out classes ask;
 * teacher_probs [n, C] at T = 1, or NULL. */
void     distillery_left_out_evaluate (const DistilleryLeftOut *left_out, KdMlp *model, const KdData *test,
                                       const float *teacher_probs, DistilleryLeftOutMetrics *metrics);

G_END_DECLS

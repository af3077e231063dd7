/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's kernels and small pieces against references worked out
 * independently: the BLAS dense layer against the naive loops kept beside
 * it, for shapes that do not fit any blocking; softmax and log-softmax at
 * logits that overflow a naive exp; the teacher's targets for each kind of
 * answer; the learning-rate schedules at chosen steps; the evaluation
 * metrics on a batch worked out by hand; and the random number generator's
 * stream, bounds and shuffles. A wrong transpose, an unstable softmax or a
 * schedule off by one step fails here before it blurs a training curve.
 */
#include <math.h>
#include <string.h>

#include "kd-dense.h"
#include "kd-loss.h"
#include "kd-metrics.h"
#include "kd-optim.h"
#include "kd-rng.h"
#include "kd-test.h"

/* Dense layer, BLAS against naive. Both sum in a different order (the
 * naive loops in double), so they agree to
 *
 *   |blas - naive| <= 1e-5 + 1e-4 * |naive|
 *
 * where the 1e-5 covers sums of ~130 terms of order 1 that cancel to
 * near 0 and keep float rounding of ~1e-6. A transposed or misplaced
 * operand is off by order 1. */

#define DENSE_RTOL 1e-4
#define DENSE_ATOL 1e-5

static const int dense_shapes[][3] = {   /* B, n_in, n_out */
  { 1, 1, 1 },
  { 3, 7, 5 },
  { 257, 129, 65 },
};

static void
test_dense_forward (void)
{
  KdRng rng;
  kd_rng_seed (&rng, 10);

  for (size_t s = 0; s < G_N_ELEMENTS (dense_shapes); s++)
    {
      int B = dense_shapes[s][0], I = dense_shapes[s][1], O = dense_shapes[s][2];
      g_autofree float *in = g_new (float, (size_t) B * I);
      g_autofree float *weight = g_new (float, (size_t) O * I);
      g_autofree float *bias = g_new (float, O);
      g_autofree float *out = g_new (float, (size_t) B * O);
      g_autofree float *ref = g_new (float, (size_t) B * O);

      kd_test_fill_uniform (in, (size_t) B * I, -1, 1, &rng);
      kd_test_fill_uniform (weight, (size_t) O * I, -1, 1, &rng);
      kd_test_fill_uniform (bias, O, -1, 1, &rng);

      for (int with_bias = 0; with_bias <= 1; with_bias++)
        {
          g_autofree char *what = g_strdup_printf ("forward %dx%dx%d%s", B, I, O,
                                                   with_bias ? " with bias" : "");
          /* Stale values in out must not leak into the result. */
          for (size_t i = 0; i < (size_t) B * O; i++)
            out[i] = NAN;
          kd_dense_forward (out, in, weight, with_bias ? bias : NULL, B, I, O);
          kd_dense_forward_naive (ref, in, weight, with_bias ? bias : NULL, B, I, O);
          kd_test_assert_close (what, out, ref, (size_t) B * O, DENSE_RTOL, DENSE_ATOL);
        }

      /* The naive loop itself, on one element worked out here. */
      double expected = bias[O - 1];
      for (int i = 0; i < I; i++)
        expected += (double) in[(size_t) (B - 1) * I + i] * weight[(size_t) (O - 1) * I + i];
      kd_test_assert_value ("naive forward, last element", ref[(size_t) B * O - 1],
                            expected, 1e-6, 1e-6);
    }
}

static void
test_dense_backward (void)
{
  KdRng rng;
  kd_rng_seed (&rng, 11);

  for (size_t s = 0; s < G_N_ELEMENTS (dense_shapes); s++)
    {
      int B = dense_shapes[s][0], I = dense_shapes[s][1], O = dense_shapes[s][2];
      size_t n_in = (size_t) B * I, n_w = (size_t) O * I;
      g_autofree float *in = g_new (float, n_in);
      g_autofree float *weight = g_new (float, n_w);
      g_autofree float *d_out = g_new (float, (size_t) B * O);
      g_autofree float *d_in = g_new (float, n_in);
      g_autofree float *d_in_ref = g_new (float, n_in);
      g_autofree float *d_weight = g_new (float, n_w);
      g_autofree float *d_weight_ref = g_new (float, n_w);
      g_autofree float *d_bias = g_new (float, O);
      g_autofree float *d_bias_ref = g_new (float, O);
      g_autofree char *shape = g_strdup_printf ("%dx%dx%d", B, I, O);

      kd_test_fill_uniform (in, n_in, -1, 1, &rng);
      kd_test_fill_uniform (weight, n_w, -1, 1, &rng);
      kd_test_fill_uniform (d_out, (size_t) B * O, -1, 1, &rng);

      /* Overwriting: whatever the gradients held (NaN here) is gone, as
       * is d_in's. */
      for (size_t i = 0; i < n_w; i++)
        d_weight[i] = d_weight_ref[i] = NAN;
      for (int o = 0; o < O; o++)
        d_bias[o] = d_bias_ref[o] = NAN;
      for (size_t i = 0; i < n_in; i++)
        d_in[i] = d_in_ref[i] = NAN;

      kd_dense_backward (d_in, d_weight, d_bias, d_out, in, weight, B, I, O, false);
      kd_dense_backward_naive (d_in_ref, d_weight_ref, d_bias_ref, d_out, in, weight, B, I, O, false);

      g_autofree char *w_in = g_strconcat ("d_in ", shape, NULL);
      g_autofree char *w_weight = g_strconcat ("d_weight ", shape, NULL);
      g_autofree char *w_bias = g_strconcat ("d_bias ", shape, NULL);
      kd_test_assert_close (w_in, d_in, d_in_ref, n_in, DENSE_RTOL, DENSE_ATOL);
      kd_test_assert_close (w_weight, d_weight, d_weight_ref, n_w, DENSE_RTOL, DENSE_ATOL);
      kd_test_assert_close (w_bias, d_bias, d_bias_ref, O, DENSE_RTOL, DENSE_ATOL);

      /* Accumulating, with NULL d_in and d_bias (the first layer, and
       * bias-free callers): the weight gradient comes out the same, added
       * a second time. */
      kd_dense_backward (NULL, d_weight, NULL, d_out, in, weight, B, I, O, true);
      kd_dense_backward_naive (NULL, d_weight_ref, NULL, d_out, in, weight, B, I, O, true);
      g_autofree char *w_twice = g_strconcat ("d_weight added twice ", shape, NULL);
      kd_test_assert_close (w_twice, d_weight, d_weight_ref, n_w, DENSE_RTOL, DENSE_ATOL);
    }
}

/* Softmax. */

static void
test_softmax (void)
{
  enum { B = 4, C = 5 };
  static const float logits[B * C] = {
    1.0f, 2.0f, 3.0f, 4.0f, 5.0f,
    1e4f, -1e4f, 1e4f - 1.0f, 0.0f, -5e3f,
    -1e4f, -1e4f, -1e4f, -1e4f, -1e4f,
    88.0f, 89.0f, -88.0f, 100.0f, 1e4f,
  };
  static const float temperatures[] = { 1.0f, 4.0f, 0.5f };
  float p[B * C], logp[B * C];

  for (size_t t = 0; t < G_N_ELEMENTS (temperatures); t++)
    {
      float T = temperatures[t];
      kd_softmax (p, logits, B, C, T);
      kd_log_softmax (logp, logits, B, C, T);

      for (int b = 0; b < B; b++)
        {
          double sum = 0.0;
          for (int c = 0; c < C; c++)
            {
              float v = p[b * C + c];
              g_assert_true (isfinite (v) && v >= 0.0f && v <= 1.0f);
              g_assert_true (isfinite (logp[b * C + c]) && logp[b * C + c] <= 0.0f);
              sum += v;
            }
          g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
        }

      /* Every row against the textbook formula in double, shifted by the
       * row's maximum so that the reference itself does not overflow. */
      for (int b = 0; b < B; b++)
        {
          const float *x = logits + b * C;
          double max = x[0], sum = 0.0;
          for (int c = 1; c < C; c++)
            max = MAX (max, x[c]);
          for (int c = 0; c < C; c++)
            sum += exp ((x[c] - max) / T);
          for (int c = 0; c < C; c++)
            {
              double expected = exp ((x[c] - max) / T) / sum;
              double log_expected = (x[c] - max) / T - log (sum);
              g_autofree char *what = g_strdup_printf ("T %g row %d class %d", T, b, c);
              kd_test_assert_value (what, p[b * C + c], expected, 1e-6, 1e-7);
              /* log-softmax stays exact where softmax underflows to 0. */
              kd_test_assert_value (what, logp[b * C + c], log_expected, 1e-6, 1e-6);
            }
        }
    }

  /* A hand value: the second row at T = 1 keeps two classes 1 apart. */
  kd_softmax (p, logits, B, C, 1.0f);
  kd_log_softmax (logp, logits, B, C, 1.0f);
  kd_test_assert_value ("p[1,0]", p[5], 1.0 / (1.0 + exp (-1.0)), 1e-6, 0);
  kd_test_assert_value ("p[1,1]", p[6], 0.0, 0, 0);
  kd_test_assert_value ("log p[1,1]", logp[6], -2e4 - log (1.0 + exp (-1.0)), 1e-6, 0);
  kd_test_assert_value ("p[2,*]", p[10], 0.2, 1e-6, 0);
}

/* Loss values (the gradients are test-grad's): against the formulas in
 * double. */

static void
test_loss_values (void)
{
  enum { B = 3, C = 4 };
  static const float logits[B * C] = {
    0.5f, -1.0f, 2.0f, 0.0f,
    3.0f, 3.0f, -2.0f, 1.0f,
    -0.5f, 0.25f, 0.0f, 4.0f,
  };
  static const int32_t labels[B] = { 2, 1, 0 };
  float answers[B * C], targets[B * C];
  double logp[B * C], logp_T[B * C];
  const float T = 3.0f, alpha = 0.25f, eps = 0.2f;

  for (int b = 0; b < B; b++)
    {
      double sum = 0.0, sum_T = 0.0;
      for (int c = 0; c < C; c++)
        {
          sum += exp (logits[b * C + c]);
          sum_T += exp (logits[b * C + c] / T);
        }
      for (int c = 0; c < C; c++)
        {
          logp[b * C + c] = logits[b * C + c] - log (sum);
          logp_T[b * C + c] = logits[b * C + c] / T - log (sum_T);
        }
    }

  double ce = 0.0, ce_smooth = 0.0;
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      {
        double target = (c == labels[b]) * (1.0 - eps) + eps / C;
        ce -= (c == labels[b]) * logp[b * C + c] / B;
        ce_smooth -= target * logp[b * C + c] / B;
      }
  kd_test_assert_value ("cross-entropy",
                        kd_loss_cross_entropy (NULL, logits, labels, B, C, 0.0f, 1.0f),
                        ce, 1e-6, 0);
  kd_test_assert_value ("cross-entropy, smoothing 0.2",
                        kd_loss_cross_entropy (NULL, logits, labels, B, C, eps, 1.0f),
                        ce_smooth, 1e-6, 0);

  /* A teacher's logits: the rows of the student's, reversed. */
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++)
      answers[b * C + c] = logits[b * C + (C - 1 - c)];
  kd_teacher_targets (targets, KD_TEACHER_LOGITS, answers, B, C, T, 0);
  double kl = 0.0;
  for (int i = 0; i < B * C; i++)
    kl += targets[i] * (log (targets[i]) - logp_T[i]) / B;

  KdLossParts parts;
  kd_loss_distill (NULL, &parts, logits, targets, labels, B, C, T, alpha, eps);
  kd_test_assert_value ("distill kd part", parts.kd, T * T * kl, 1e-6, 0);
  kd_test_assert_value ("distill ce part", parts.ce, ce_smooth, 1e-6, 0);
  kd_test_assert_value ("distill total", parts.total,
                        alpha * T * T * kl + (1 - alpha) * ce_smooth, 1e-6, 0);
  kd_test_assert_value ("kd_kl_divergence", kd_kl_divergence (targets, logits, B, C, T),
                        kl, 1e-6, 0);
}

/* Teacher targets. */

static void
test_targets_logits_and_probs (void)
{
  enum { B = 8, C = 7 };
  static const float temperatures[] = { 1.0f, 2.0f, 4.0f, 10.0f };
  float logits[B * C], probs[B * C], targets[B * C], expected[B * C];
  KdRng rng;

  kd_rng_seed (&rng, 12);
  kd_test_fill_uniform (logits, B * C, -6, 6, &rng);
  kd_softmax (probs, logits, B, C, 1.0f);

  for (size_t t = 0; t < G_N_ELEMENTS (temperatures); t++)
    {
      float T = temperatures[t];
      g_autofree char *what_logits = g_strdup_printf ("logits at T %g", T);
      g_autofree char *what_probs = g_strdup_printf ("probs at T %g", T);

      kd_softmax (expected, logits, B, C, T);
      kd_teacher_targets (targets, KD_TEACHER_LOGITS, logits, B, C, T, 0);
      kd_test_assert_close (what_logits, targets, expected, B * C, 1e-6, 1e-8);

      /* normalise(softmax(t)^(1/T)) is softmax(t / T). */
      kd_teacher_targets (targets, KD_TEACHER_PROBS, probs, B, C, T, 0);
      kd_test_assert_close (what_probs, targets, expected, B * C, 1e-5, 1e-8);
    }

  /* At T = 1 the probabilities come back as they went in, also in place. */
  kd_teacher_targets (targets, KD_TEACHER_PROBS, probs, B, C, 1.0f, 0);
  kd_test_assert_close ("probs at T 1", targets, probs, B * C, 1e-6, 0);
  kd_teacher_targets (targets, KD_TEACHER_PROBS, targets, B, C, 1.0f, 0);
  kd_test_assert_close ("probs at T 1, in place", targets, probs, B * C, 1e-6, 0);
}

static void
test_targets_topk (void)
{
  enum { C = 5 };
  static const float probs[C] = { 0.5f, 0.1f, 0.25f, 0.05f, 0.1f };
  float q[C];

  /* Keep 0.5 and 0.25; the other 0.25 is spread over three classes. */
  static const float expected_1[C] = { 0.5f, 1 / 12.0f, 0.25f, 1 / 12.0f, 1 / 12.0f };
  kd_teacher_targets (q, KD_TEACHER_TOPK, probs, 1, C, 1.0f, 2);
  kd_test_assert_close ("top-2 at T 1", q, expected_1, C, 1e-6, 0);

  /* At T = 2 the same, square-rooted and normalised. */
  double sum = sqrt (0.5) + sqrt (0.25) + 3 * sqrt (1 / 12.0);
  float expected_2[C] = {
    sqrt (0.5) / sum, sqrt (1 / 12.0) / sum, sqrt (0.25) / sum,
    sqrt (1 / 12.0) / sum, sqrt (1 / 12.0) / sum,
  };
  kd_teacher_targets (q, KD_TEACHER_TOPK, probs, 1, C, 2.0f, 2);
  kd_test_assert_close ("top-2 at T 2", q, expected_2, C, 1e-6, 0);

  /* k of C or more, or 0, reveals everything. */
  kd_teacher_targets (q, KD_TEACHER_TOPK, probs, 1, C, 1.0f, C);
  kd_test_assert_close ("top-5 of 5", q, probs, C, 1e-6, 0);
  kd_teacher_targets (q, KD_TEACHER_TOPK, probs, 1, C, 1.0f, 0);
  kd_test_assert_close ("top-0", q, probs, C, 1e-6, 0);

  /* Random rows at T = 1: the k largest survive exactly, the rest are
   * equal to each other and no larger than the smallest kept, and every
   * row sums to 1. */
  enum { B = 16, W = 9, K = 3 };
  float logits[B * W], p[B * W], targets[B * W];
  KdRng rng;
  kd_rng_seed (&rng, 13);
  kd_test_fill_uniform (logits, B * W, -4, 4, &rng);
  kd_softmax (p, logits, B, W, 1.0f);
  kd_teacher_targets (targets, KD_TEACHER_TOPK, p, B, W, 1.0f, K);
  for (int b = 0; b < B; b++)
    {
      const float *row = p + b * W, *out = targets + b * W;
      double total = 0.0, kept_mass = 0.0;
      float smallest_kept = 1.0f;
      int n_kept = 0;

      for (int c = 0; c < W; c++)
        {
          int rank = 0;
          for (int o = 0; o < W; o++)
            rank += row[o] > row[c];
          total += out[c];
          if (rank < K)
            {
              g_assert_cmpfloat_with_epsilon (out[c], row[c], 1e-7);
              smallest_kept = MIN (smallest_kept, out[c]);
              kept_mass += row[c];
              n_kept++;
            }
        }
      g_assert_cmpint (n_kept, ==, K);
      for (int c = 0; c < W; c++)
        {
          int rank = 0;
          for (int o = 0; o < W; o++)
            rank += row[o] > row[c];
          if (rank >= K)
            {
              g_assert_cmpfloat_with_epsilon (out[c], (1.0 - kept_mass) / (W - K), 1e-7);
              g_assert_cmpfloat (out[c], <=, smallest_kept);
            }
        }
      g_assert_cmpfloat_with_epsilon (total, 1.0, 1e-6);
    }
}

/* A kept probability keeps its digits however small it is: a teacher that
 * reveals 3e-6 for its second class means 3e-6, not 2.98e-6. */
static void
test_targets_topk_precision (void)
{
  static const float small[4] = { 0.9999965f, 3e-6f, 3e-7f, 2e-7f };
  double rest = (1.0 - (double) small[0] - small[1]) / 2;
  double sum = (double) small[0] + small[1] + 2 * rest;
  const float expected[4] = { small[0] / sum, small[1] / sum, rest / sum, rest / sum };
  float q[4];

  kd_teacher_targets (q, KD_TEACHER_TOPK, small, 1, 4, 1.0f, 2);
  kd_test_assert_close ("top-2 of small probabilities", q, expected, 4, 1e-5, 0);
}

static void
test_targets_label (void)
{
  enum { B = 3, C = 4 };
  static const float answers[B * C] = {
    -3.0f, -1.0f, -2.0f, -5.0f,   /* logits, all negative */
    0.1f, 0.2f, 0.3f, 0.4f,       /* probabilities */
    7.0f, 0.0f, 0.0f, 0.0f,       /* anything with an arg-max */
  };
  static const float expected[B * C] = {
    0, 1, 0, 0,
    0, 0, 0, 1,
    1, 0, 0, 0,
  };
  float q[B * C];

  kd_teacher_targets (q, KD_TEACHER_LABEL, answers, B, C, 1.0f, 0);
  g_assert_cmpmem (q, sizeof q, expected, sizeof expected);
}

/* Schedules. */

static void
test_schedules (void)
{
  const float lr = 0.1f;
  KdSchedule constant = { KD_SCHEDULE_CONSTANT };
  KdSchedule step = { KD_SCHEDULE_STEP, .step_epochs = 2, .gamma = 0.5f };
  KdSchedule half = { KD_SCHEDULE_STEP, .step_epochs = 0.5f, .gamma = 0.1f };
  KdSchedule cosine = { KD_SCHEDULE_COSINE, .warmup_epochs = 1, .min_factor = 0.1f };
  KdSchedule cold = { KD_SCHEDULE_COSINE, .warmup_epochs = 0, .min_factor = 0 };

  /* 10 steps an epoch, 50 steps in all. */
  for (long s = 0; s < 50; s += 7)
    g_assert_cmpfloat (kd_schedule_lr (&constant, lr, s, 10, 50), ==, lr);

  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&step, lr, 0, 10, 50), lr, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&step, lr, 19, 10, 50), lr, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&step, lr, 20, 10, 50), lr / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&step, lr, 39, 10, 50), lr / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&step, lr, 40, 10, 50), lr / 4, 1e-9);
  /* Half an epoch is 5 steps. */
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&half, lr, 4, 10, 50), lr, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&half, lr, 5, 10, 50), lr * 0.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&half, lr, 12, 10, 50), lr * 0.01, 1e-10);

  /* Warm-up over the first 10 steps, from lr / 10 up to lr. */
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 0, 10, 50), lr / 10, 1e-8);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 4, 10, 50), lr / 2, 1e-8);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 9, 10, 50), lr, 1e-8);
  /* Then cos over steps 10..49: progress (s - 10) / 39. */
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 10, 10, 50), lr, 1e-8);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 23, 10, 50),
                                  0.01 + 0.09 * 0.75, 1e-8);   /* cos(pi/3) = 1/2 */
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cosine, lr, 49, 10, 50), 0.01, 1e-8);
  /* Without warm-up it starts at lr and ends at min_factor * lr = 0. */
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cold, lr, 0, 10, 50), lr, 1e-8);
  g_assert_cmpfloat_with_epsilon (kd_schedule_lr (&cold, lr, 49, 10, 50), 0.0, 1e-8);
  for (long s = 1; s < 50; s++)
    g_assert_cmpfloat (kd_schedule_lr (&cold, lr, s, 10, 50), <, kd_schedule_lr (&cold, lr, s - 1, 10, 50));

  for (int k = KD_SCHEDULE_CONSTANT; k <= KD_SCHEDULE_COSINE; k++)
    g_assert_cmpint (kd_schedule_from_name (kd_schedule_name (k)), ==, k);
  g_assert_cmpint (kd_schedule_from_name ("linear"), ==, -1);
}

/* Metrics on a batch of five worked out by hand. The student's logits are
 * log-probabilities, so its softmax is the table below:
 *
 *   student p            pred  label  teacher q        teacher's
 *   0.65 0.25 0.10        0     0     0.7 0.2 0.1       0
 *   0.20 0.70 0.10        1     2     0.1 0.8 0.1       1
 *   0.25 0.25 0.50        2     2     0.5 0.3 0.2       0
 *   0.10 0.05 0.85        2     1     0.2 0.2 0.6       2
 *   0.10 0.68 0.22        1     1     0.3 0.3 0.4       2
 *
 * accuracy 3/5; agreement 3/5; ECE over 15 bins: confidences 0.65 (bin 9),
 * 0.70 and 0.68 (bin 10), 0.50 (bin 7), 0.85 (bin 12), so
 * (|1 - 0.65| + 2 |1/2 - 0.69| + |1 - 0.5| + |0 - 0.85|) / 5 = 0.416. */

enum { M_B = 5, M_C = 3 };

static const float metric_student[M_B * M_C] = {
  0.65f, 0.25f, 0.10f,
  0.20f, 0.70f, 0.10f,
  0.25f, 0.25f, 0.50f,
  0.10f, 0.05f, 0.85f,
  0.10f, 0.68f, 0.22f,
};
static const float metric_teacher[M_B * M_C] = {
  0.7f, 0.2f, 0.1f,
  0.1f, 0.8f, 0.1f,
  0.5f, 0.3f, 0.2f,
  0.2f, 0.2f, 0.6f,
  0.3f, 0.3f, 0.4f,
};
static const int32_t metric_labels[M_B] = { 0, 2, 2, 1, 1 };

static void
test_metrics (void)
{
  float logits[M_B * M_C];
  KdMetrics m;
  double kl = 0.0, loss = 0.0;

  for (int i = 0; i < M_B * M_C; i++)
    logits[i] = logf (metric_student[i]);
  for (int b = 0; b < M_B; b++)
    {
      loss -= log (metric_student[b * M_C + metric_labels[b]]) / M_B;
      for (int c = 0; c < M_C; c++)
        {
          double q = metric_teacher[b * M_C + c], p = metric_student[b * M_C + c];
          kl += q * log (q / p) / M_B;
        }
    }

  /* In two batches, as an evaluation adds them. */
  g_assert_cmpint (kd_metrics_init (&m, M_C), ==, 0);
  kd_metrics_add (&m, logits, metric_teacher, metric_labels, 2);
  kd_metrics_add (&m, logits + 2 * M_C, metric_teacher + 2 * M_C, metric_labels + 2, M_B - 2);

  g_assert_cmpuint (m.n, ==, M_B);
  g_assert_cmpfloat_with_epsilon (kd_metrics_accuracy (&m), 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (kd_metrics_agreement (&m), 0.6, 1e-12);
  kd_test_assert_value ("KL", kd_metrics_kl (&m), kl, 1e-5, 1e-7);
  kd_test_assert_value ("loss", kd_metrics_loss (&m), loss, 1e-5, 1e-7);
  kd_test_assert_value ("ECE", kd_metrics_ece (&m), 0.416, 1e-5, 1e-7);

  /* matrix[teacher * C + student] */
  static const uint64_t matrix[M_C * M_C] = {
    1, 0, 1,
    0, 1, 0,
    0, 1, 1,
  };
  g_assert_cmpmem (m.matrix, sizeof matrix, matrix, sizeof matrix);
  kd_metrics_clear (&m);

  /* Without a teacher or without labels, what needs them reads NaN. */
  g_assert_cmpint (kd_metrics_init (&m, M_C), ==, 0);
  kd_metrics_add (&m, logits, NULL, metric_labels, M_B);
  g_assert_cmpfloat_with_epsilon (kd_metrics_accuracy (&m), 0.6, 1e-12);
  g_assert_true (isnan (kd_metrics_agreement (&m)));
  g_assert_true (isnan (kd_metrics_kl (&m)));
  kd_metrics_clear (&m);

  g_assert_cmpint (kd_metrics_init (&m, M_C), ==, 0);
  kd_metrics_add (&m, logits, metric_teacher, NULL, M_B);
  g_assert_cmpfloat_with_epsilon (kd_metrics_agreement (&m), 0.6, 1e-12);
  g_assert_true (isnan (kd_metrics_accuracy (&m)));
  g_assert_true (isnan (kd_metrics_ece (&m)));
  g_assert_true (isnan (kd_metrics_loss (&m)));
  kd_metrics_clear (&m);
}

/* Random numbers. */

static void
test_rng_stream (void)
{
  /* xoshiro256** seeded through splitmix64, from an independent
   * implementation: the stream every machine must produce. */
  static const uint64_t seed_0[] = {
    0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull, 0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull,
  };
  static const uint64_t seed_42[] = {
    0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull, 0xae17533239e499a1ull, 0xecb8ad4703b360a1ull,
  };
  KdRng a, b;

  kd_rng_seed (&a, 0);
  for (size_t i = 0; i < G_N_ELEMENTS (seed_0); i++)
    g_assert_cmphex (kd_rng_next (&a), ==, seed_0[i]);
  kd_rng_seed (&a, 42);
  for (size_t i = 0; i < G_N_ELEMENTS (seed_42); i++)
    g_assert_cmphex (kd_rng_next (&a), ==, seed_42[i]);

  /* Uniforms take the top 24 bits; a normal deviate is Box-Muller on two
   * 53-bit uniforms, the first shifted into (0, 1]. */
  kd_rng_seed (&a, 0);
  g_assert_cmpfloat (kd_rng_uniform (&a), ==, (seed_0[0] >> 40) / 16777216.0f);
  g_assert_cmpfloat (kd_rng_uniform (&a), ==, (seed_0[1] >> 40) / 16777216.0f);
  double u1 = ((seed_0[2] >> 11) + 1) / 9007199254740992.0;
  double u2 = (seed_0[3] >> 11) / 9007199254740992.0;
  g_assert_cmpfloat (kd_rng_normal (&a), ==, (float) (sqrt (-2 * log (u1)) * cos (2 * G_PI * u2)));

  /* Same seed, same stream, whatever is drawn from it. */
  kd_rng_seed (&a, 12345);
  kd_rng_seed (&b, 12345);
  for (int i = 0; i < 1000; i++)
    {
      g_assert_cmpfloat (kd_rng_uniform (&a), ==, kd_rng_uniform (&b));
      g_assert_cmpfloat (kd_rng_normal (&a), ==, kd_rng_normal (&b));
      g_assert_cmpuint (kd_rng_below (&a, 1000), ==, kd_rng_below (&b, 1000));
    }
  kd_rng_seed (&b, 12346);
  g_assert_cmphex (kd_rng_next (&a), !=, kd_rng_next (&b));

  /* Forks: reproducible, distinct per stream, the parent untouched. */
  KdRng before = a, child_1, child_1_again, child_2;
  kd_rng_fork (&child_1, &a, 1);
  kd_rng_fork (&child_1_again, &a, 1);
  kd_rng_fork (&child_2, &a, 2);
  g_assert_cmpmem (&a, sizeof a, &before, sizeof before);
  g_assert_cmpmem (&child_1, sizeof child_1, &child_1_again, sizeof child_1_again);
  g_assert_cmphex (kd_rng_next (&child_1), !=, kd_rng_next (&child_2));
}

static void
test_rng_distributions (void)
{
  enum { N = 100000 };
  KdRng rng;
  double sum = 0.0, sum_sq = 0.0, mean_u = 0.0;

  kd_rng_seed (&rng, 14);
  for (int i = 0; i < N; i++)
    {
      float u = kd_rng_uniform (&rng);
      g_assert_true (u >= 0.0f && u < 1.0f);
      mean_u += u / N;
      float z = kd_rng_normal (&rng);
      g_assert_true (isfinite (z));
      sum += z;
      sum_sq += (double) z * z;
    }
  /* Standard errors: 0.0009 for the uniform mean, 0.003 for the normal
   * mean, about 0.0045 for its variance; these bounds are five of them. */
  g_assert_cmpfloat_with_epsilon (mean_u, 0.5, 0.0045);
  g_assert_cmpfloat_with_epsilon (sum / N, 0.0, 0.015);
  g_assert_cmpfloat_with_epsilon (sum_sq / N - (sum / N) * (sum / N), 1.0, 0.025);
}

static void
test_rng_below (void)
{
  static const uint32_t bounds[] = { 1, 2, 3, 7, 1000, 0x80000001u, UINT32_MAX };
  enum { DRAWS = 70000 };
  KdRng rng;
  uint32_t counts[7] = { 0 };

  kd_rng_seed (&rng, 15);
  for (size_t i = 0; i < G_N_ELEMENTS (bounds); i++)
    {
      uint32_t largest = 0;
      for (int d = 0; d < 10000; d++)
        {
          uint32_t v = kd_rng_below (&rng, bounds[i]);
          g_assert_cmpuint (v, <, bounds[i]);
          largest = MAX (largest, v);
        }
      /* The top of the range is reached, not only the bottom. */
      if (bounds[i] > 1)
        g_assert_cmpuint (largest, >=, bounds[i] - bounds[i] / 100 - 1);
    }

  /* Every value of a small range about equally often: 10000 expected,
   * standard deviation about 93. */
  for (int d = 0; d < DRAWS; d++)
    counts[kd_rng_below (&rng, 7)]++;
  for (int v = 0; v < 7; v++)
    {
      g_assert_cmpuint (counts[v], >, 9500);
      g_assert_cmpuint (counts[v], <, 10500);
    }
}

static void
test_rng_shuffle (void)
{
  enum { N = 1000 };
  uint32_t idx[N], again[N];
  gboolean seen[N] = { FALSE };
  int moved = 0;
  KdRng rng, same;

  for (uint32_t i = 0; i < N; i++)
    idx[i] = again[i] = i;
  kd_rng_seed (&rng, 16);
  same = rng;
  kd_rng_shuffle (&rng, idx, N);
  kd_rng_shuffle (&same, again, N);
  g_assert_cmpmem (idx, sizeof idx, again, sizeof again);

  for (uint32_t i = 0; i < N; i++)
    {
      g_assert_cmpuint (idx[i], <, N);
      g_assert_false (seen[idx[i]]);
      seen[idx[i]] = TRUE;
      moved += idx[i] != i;
    }
  /* A uniform permutation leaves about one element in place. */
  g_assert_cmpint (moved, >=, N - 10);

  /* Every one of the 6 orders of 3 elements turns up. */
  int orders[6] = { 0 };
  for (int t = 0; t < 600; t++)
    {
      uint32_t three[3] = { 0, 1, 2 };
      kd_rng_shuffle (&rng, three, 3);
      orders[three[0] * 2 + (three[1] > three[2])]++;
    }
  for (int o = 0; o < 6; o++)
    g_assert_cmpint (orders[o], >, 50);

  /* Nothing to shuffle is fine. */
  kd_rng_shuffle (&rng, idx, 0);
  kd_rng_shuffle (&rng, idx, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/dense/forward-vs-naive", test_dense_forward);
  g_test_add_func ("/engine/dense/backward-vs-naive", test_dense_backward);
  g_test_add_func ("/engine/loss/softmax", test_softmax);
  g_test_add_func ("/engine/loss/values", test_loss_values);
  g_test_add_func ("/engine/targets/logits-and-probs", test_targets_logits_and_probs);
  g_test_add_func ("/engine/targets/top-k", test_targets_topk);
  g_test_add_func ("/engine/targets/top-k-precision", test_targets_topk_precision);
  g_test_add_func ("/engine/targets/label", test_targets_label);
  g_test_add_func ("/engine/optim/schedules", test_schedules);
  g_test_add_func ("/engine/metrics/hand-batch", test_metrics);
  g_test_add_func ("/engine/rng/stream", test_rng_stream);
  g_test_add_func ("/engine/rng/distributions", test_rng_distributions);
  g_test_add_func ("/engine/rng/below", test_rng_below);
  g_test_add_func ("/engine/rng/shuffle", test_rng_shuffle);

  return g_test_run ();
}

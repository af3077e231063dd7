/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Gradient checks by central finite differences. Every backward pass of
 * the engine (dense layers, activations, dropout, cross-entropy, the
 * distillation loss for each kind of teacher, and a whole MLP) is held
 * against (L(x + h) - L(x - h)) / (2h) of a scalar loss L evaluated by
 * the matching forward pass. The engine computes in float, so the step is
 * h = 1e-3 and a derivative passes when
 *
 *   |analytic - numeric| <= 2e-4 + 5e-3 * |numeric|
 *
 * which leaves about ten times the float noise of the difference quotient
 * (a loss of order 1 rounded to ~1e-7, divided by 2h) and fails on any
 * wrong factor, sign or missing term. Each check also insists that the
 * gradient is far larger than the absolute tolerance, so that it cannot
 * pass by being zero.
 */
#include <math.h>
#include <string.h>

#include "kd-activation.h"
#include "kd-dense.h"
#include "kd-loss.h"
#include "kd-mlp.h"
#include "kd-test.h"

#define STEP 1e-3f
#define RTOL 5e-3
#define ATOL 2e-4

typedef double (*LossFunc) (gpointer data);

/* numeric[i] = dL/dx[i] by central differences, dividing by the step the
 * float representation actually took. A loss that returns NaN (a ReLU kink
 * crossed) leaves NaN, which kd_test_assert_close skips. */
static void
numeric_gradient (float *numeric, float *x, size_t n, LossFunc loss, gpointer data)
{
  for (size_t i = 0; i < n; i++)
    {
      float saved = x[i];
      float plus = saved + STEP, minus = saved - STEP;

      x[i] = plus;
      double l_plus = loss (data);
      x[i] = minus;
      double l_minus = loss (data);
      x[i] = saved;
      numeric[i] = (float) ((l_plus - l_minus) / ((double) plus - minus));
    }
}

static void
assert_gradient (const char *what, const float *analytic, const float *numeric, size_t n)
{
  float largest = 0.0f;
  for (size_t i = 0; i < n; i++)
    if (!isnan (numeric[i]))
      largest = MAX (largest, fabsf (numeric[i]));
  if (largest < 50 * ATOL)
    g_test_fail_printf ("%s: the largest derivative, %g, is too small to check", what, largest);
  kd_test_assert_close (what, analytic, numeric, n, RTOL, ATOL);
}

/* Sum of probe[i] * y[i]: a loss whose gradient with respect to y is probe,
 * so that any vector-valued function can be checked through it. */
static double
probe_loss (const float *probe, const float *y, size_t n)
{
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += (double) probe[i] * y[i];
  return sum;
}

/* Dense layer. */

typedef struct
{
  int B, I, O;
  float *in, *weight, *bias, *out, *probe;
} DenseCase;

static double
dense_loss (gpointer data)
{
  DenseCase *c = data;
  kd_dense_forward (c->out, c->in, c->weight, c->bias, c->B, c->I, c->O);
  return probe_loss (c->probe, c->out, (size_t) c->B * c->O);
}

static void
test_dense_backward (void)
{
  enum { B = 3, I = 5, O = 4 };
  float in[B * I], weight[O * I], bias[O], out[B * O], probe[B * O];
  float d_in[B * I], d_weight[O * I] = { 0 }, d_bias[O] = { 0 };
  float numeric[O * I];
  DenseCase c = { B, I, O, in, weight, bias, out, probe };
  KdRng rng;

  kd_rng_seed (&rng, 1);
  kd_test_fill_uniform (in, G_N_ELEMENTS (in), -1, 1, &rng);
  kd_test_fill_uniform (weight, G_N_ELEMENTS (weight), -1, 1, &rng);
  kd_test_fill_uniform (bias, G_N_ELEMENTS (bias), -1, 1, &rng);
  kd_test_fill_uniform (probe, G_N_ELEMENTS (probe), -1, 1, &rng);

  kd_dense_backward (d_in, d_weight, d_bias, probe, in, weight, B, I, O, false);

  numeric_gradient (numeric, in, B * I, dense_loss, &c);
  assert_gradient ("d_in", d_in, numeric, B * I);
  numeric_gradient (numeric, weight, O * I, dense_loss, &c);
  assert_gradient ("d_weight", d_weight, numeric, O * I);
  numeric_gradient (numeric, bias, O, dense_loss, &c);
  assert_gradient ("d_bias", d_bias, numeric, O);
}

/* Activations. */

typedef struct
{
  KdActivation act;
  size_t n;
  float *in, *out, *probe;
} ActivationCase;

static double
activation_loss (gpointer data)
{
  ActivationCase *c = data;
  kd_activation_forward (c->out, c->in, c->n, c->act);
  return probe_loss (c->probe, c->out, c->n);
}

static void
test_activation_backward (gconstpointer data)
{
  enum { N = 64 };
  KdActivation act = GPOINTER_TO_INT (data);
  float in[N], out[N], probe[N], d_in[N], numeric[N], aliased[N];
  ActivationCase c = { act, N, in, out, probe };
  KdRng rng;

  kd_rng_seed (&rng, 2);
  kd_test_fill_uniform (in, N, -3, 3, &rng);
  kd_test_fill_uniform (probe, N, -1, 1, &rng);
  /* ReLU has no derivative at 0: stay more than a step away from it. */
  for (size_t i = 0; i < N; i++)
    if (fabsf (in[i]) < 0.05f)
      in[i] = in[i] < 0 ? -0.05f : 0.05f;

  kd_activation_forward (out, in, N, act);
  kd_activation_backward (d_in, probe, in, out, N, act);
  numeric_gradient (numeric, in, N, activation_loss, &c);
  assert_gradient (kd_activation_name (act), d_in, numeric, N);

  /* The header allows d_in to alias d_out. The difference quotients
   * overwrote out: compute it again. */
  kd_activation_forward (out, in, N, act);
  memcpy (aliased, probe, sizeof aliased);
  kd_activation_backward (aliased, aliased, in, out, N, act);
  g_assert_cmpmem (aliased, sizeof aliased, d_in, sizeof d_in);
}

/* Dropout, with the mask drawn again from the same seed at every
 * evaluation, as a training step sees it. */

typedef struct
{
  size_t n;
  float p;
  float *in, *work, *mask, *probe;
} DropoutCase;

static double
dropout_loss (gpointer data)
{
  DropoutCase *c = data;
  KdRng rng;

  kd_rng_seed (&rng, 3);
  memcpy (c->work, c->in, c->n * sizeof (float));
  kd_dropout_forward (c->work, c->mask, c->n, c->p, &rng);
  return probe_loss (c->probe, c->work, c->n);
}

static void
test_dropout_backward (void)
{
  enum { N = 64 };
  float in[N], work[N], mask[N], probe[N], d[N], numeric[N];
  DropoutCase c = { N, 0.25f, in, work, mask, probe };
  int dropped = 0, kept = 0;
  KdRng rng;

  kd_rng_seed (&rng, 4);
  kd_test_fill_uniform (in, N, -2, 2, &rng);
  kd_test_fill_uniform (probe, N, -1, 1, &rng);

  dropout_loss (&c);
  for (size_t i = 0; i < N; i++)
    {
      g_assert_true (mask[i] == 0.0f || mask[i] == 1.0f / (1.0f - c.p));
      dropped += mask[i] == 0.0f;
      kept += mask[i] != 0.0f;
    }
  /* Both branches must be exercised for the check to mean anything. */
  g_assert_cmpint (dropped, >, 0);
  g_assert_cmpint (kept, >, 0);

  memcpy (d, probe, sizeof d);
  kd_dropout_backward (d, mask, N);
  numeric_gradient (numeric, in, N, dropout_loss, &c);
  assert_gradient ("dropout", d, numeric, N);
}

/* Losses. */

enum { LOSS_B = 4, LOSS_C = 6 };

static const int32_t loss_labels[LOSS_B] = { 2, 0, 5, 2 };

typedef struct
{
  float *logits, *targets;
  const int32_t *labels;
  float T, alpha, smoothing;
} LossCase;

static void
fill_logits (float *logits, uint64_t seed)
{
  KdRng rng;
  kd_rng_seed (&rng, seed);
  kd_test_fill_uniform (logits, LOSS_B * LOSS_C, -3, 3, &rng);
}

static double
cross_entropy_loss (gpointer data)
{
  LossCase *c = data;
  return kd_loss_cross_entropy (NULL, c->logits, c->labels, LOSS_B, LOSS_C, c->smoothing, 1.0f);
}

static void
test_cross_entropy (void)
{
  static const float smoothings[] = { 0.0f, 0.1f };
  float logits[LOSS_B * LOSS_C], d[LOSS_B * LOSS_C], scaled[LOSS_B * LOSS_C];
  float numeric[LOSS_B * LOSS_C];

  fill_logits (logits, 5);
  for (size_t i = 0; i < G_N_ELEMENTS (smoothings); i++)
    {
      LossCase c = { logits, NULL, loss_labels, 1.0f, 0.0f, smoothings[i] };
      g_autofree char *what = g_strdup_printf ("cross-entropy, smoothing %g", smoothings[i]);
      double value = kd_loss_cross_entropy (d, logits, loss_labels, LOSS_B, LOSS_C, c.smoothing, 1.0f);

      g_assert_cmpfloat (value, ==, cross_entropy_loss (&c));
      numeric_gradient (numeric, logits, G_N_ELEMENTS (logits), cross_entropy_loss, &c);
      assert_gradient (what, d, numeric, G_N_ELEMENTS (logits));

      /* scale multiplies the gradient and leaves the value alone. */
      g_assert_cmpfloat (kd_loss_cross_entropy (scaled, logits, loss_labels, LOSS_B, LOSS_C,
                                                c.smoothing, 2.5f), ==, value);
      for (size_t j = 0; j < G_N_ELEMENTS (d); j++)
        g_assert_cmpfloat_with_epsilon (scaled[j], 2.5f * d[j], 1e-6);
    }
}

static double
distill_loss (gpointer data)
{
  LossCase *c = data;
  KdLossParts parts;
  kd_loss_distill (NULL, &parts, c->logits, c->targets, c->labels, LOSS_B, LOSS_C,
                   c->T, c->alpha, c->smoothing);
  return parts.total;
}

static void
test_distill (gconstpointer data)
{
  KdTeacherKind kind = GPOINTER_TO_INT (data);
  static const float temperatures[] = { 1.0f, 4.0f };
  static const float alphas[] = { 0.0f, 0.5f, 1.0f };
  float logits[LOSS_B * LOSS_C], answers[LOSS_B * LOSS_C], targets[LOSS_B * LOSS_C];
  float d[LOSS_B * LOSS_C], numeric[LOSS_B * LOSS_C];

  fill_logits (logits, 6);
  fill_logits (answers, 7);
  /* The probability-like teachers answer with probabilities. */
  if (kind == KD_TEACHER_PROBS || kind == KD_TEACHER_TOPK)
    kd_softmax (answers, answers, LOSS_B, LOSS_C, 1.0f);

  for (size_t t = 0; t < G_N_ELEMENTS (temperatures); t++)
    for (size_t a = 0; a < G_N_ELEMENTS (alphas); a++)
      for (int smooth = 0; smooth <= (alphas[a] == 0.5f); smooth++)
        {
          float T = temperatures[t], alpha = alphas[a];
          /* At alpha 1 the labels are unused and may be NULL. */
          LossCase c = { logits, targets, alpha == 1.0f ? NULL : loss_labels,
                         T, alpha, smooth ? 0.1f : 0.0f };
          g_autofree char *what = g_strdup_printf ("distill T %g alpha %g smoothing %g",
                                                   T, alpha, c.smoothing);
          KdLossParts parts;

          kd_teacher_targets (targets, kind, answers, LOSS_B, LOSS_C, T, 2);
          kd_loss_distill (d, &parts, logits, targets, c.labels, LOSS_B, LOSS_C,
                           T, alpha, c.smoothing);
          g_assert_cmpfloat (parts.total, ==, distill_loss (&c));
          kd_test_assert_value (what, parts.total,
                                alpha * parts.kd + (1 - alpha) * parts.ce, 1e-12, 0);

          numeric_gradient (numeric, logits, G_N_ELEMENTS (logits), distill_loss, &c);
          assert_gradient (what, d, numeric, G_N_ELEMENTS (logits));
        }
}

/* A whole MLP. */

typedef struct
{
  KdMlp *mlp;
  const float *x;
  const int32_t *labels;
  int B;
  gboolean *signs;        /* hidden pre-activation signs of the base point */
  size_t n_signs;
} MlpCase;

/* Same seed before every forward: the same noise and dropout masks. */
static const float *
mlp_forward (MlpCase *c)
{
  KdRng rng;
  kd_rng_seed (&rng, 8);
  return kd_mlp_forward (c->mlp, c->x, c->B, TRUE, &rng);
}

/* Whether a hidden pre-activation has changed sign from the base point. */
static gboolean
mlp_kink_crossed (MlpCase *c)
{
  KdMlp *m = c->mlp;
  size_t k = 0;

  for (int l = 0; l < m->n_layers - 1; l++)
    for (size_t i = 0; i < (size_t) c->B * m->sizes[l + 1]; i++, k++)
      {
        gboolean positive = m->pre[l][i] > 0.0f;
        if (k < c->n_signs && positive != c->signs[k])
          return TRUE;
      }
  return FALSE;
}

static double
mlp_loss (gpointer data)
{
  MlpCase *c = data;
  const float *logits = mlp_forward (c);

  /* A perturbation that moves a ReLU input across 0 measures the kink,
   * not the derivative: leave that element out. */
  if (c->mlp->config.activation == KD_ACT_RELU && mlp_kink_crossed (c))
    return NAN;
  return kd_loss_cross_entropy (NULL, logits, c->labels, c->B, c->mlp->config.n_classes, 0.0f, 1.0f);
}

static void
check_mlp (KdActivation act, gboolean regularised)
{
  enum { B = 4, D = 5, C = 3 };
  static const int32_t labels[B] = { 0, 2, 1, 2 };
  KdMlpConfig config = { D, C, 2, { 7, 6 }, act };
  float x[B * D], d_logits[B * C];
  KdRng rng;

  if (regularised)
    {
      config.dropout_input = 0.2f;
      config.dropout_hidden = 0.3f;
      config.input_noise = 0.1f;
    }
  g_autoptr(GString) what = g_string_new (kd_activation_name (act));
  if (regularised)
    g_string_append (what, " with dropout and noise");

  KdMlp *m = kd_mlp_new (&config, B);
  g_assert_nonnull (m);
  kd_rng_seed (&rng, 9);
  kd_mlp_init (m, act == KD_ACT_RELU ? KD_INIT_HE : KD_INIT_XAVIER, &rng);
  /* Non-zero biases, so that their gradients are checked at a general point. */
  for (int l = 0; l < m->n_layers; l++)
    kd_test_fill_uniform (m->bias[l], m->sizes[l + 1], -0.5f, 0.5f, &rng);
  kd_test_fill_uniform (x, G_N_ELEMENTS (x), -2, 2, &rng);

  MlpCase c = { m, x, labels, B };
  const float *logits = mlp_forward (&c);

  if (regularised)
    {
      /* The masks must drop something, or dropout's backward goes unchecked. */
      int dropped_in = 0, dropped_hidden = 0;
      for (int i = 0; i < B * D; i++)
        dropped_in += m->input_mask[i] == 0.0f;
      for (int i = 0; i < B * m->sizes[1]; i++)
        dropped_hidden += m->mask[0][i] == 0.0f;
      g_assert_cmpint (dropped_in, >, 0);
      g_assert_cmpint (dropped_hidden, >, 0);
    }

  kd_loss_cross_entropy (d_logits, logits, labels, B, C, 0.0f, 1.0f);
  kd_mlp_zero_grad (m);
  kd_mlp_backward (m, d_logits, B);

  c.n_signs = 0;
  for (int l = 0; l < m->n_layers - 1; l++)
    c.n_signs += (size_t) B * m->sizes[l + 1];
  g_autofree gboolean *signs = c.signs = g_new (gboolean, c.n_signs);
  for (int l = 0, k = 0; l < m->n_layers - 1; l++)
    for (int i = 0; i < B * m->sizes[l + 1]; i++)
      c.signs[k++] = m->pre[l][i] > 0.0f;

  g_autofree float *numeric = g_new (float, m->n_params);
  numeric_gradient (numeric, m->params, m->n_params, mlp_loss, &c);

  size_t skipped = 0;
  for (size_t i = 0; i < m->n_params; i++)
    skipped += isnan (numeric[i]);
  /* A few kinks at most, or the check has lost its meaning. */
  g_assert_cmpuint (skipped, <=, m->n_params / 20);

  assert_gradient (what->str, m->grads, numeric, m->n_params);
  kd_mlp_free (m);
}

static void
test_mlp_backward (gconstpointer data)
{
  check_mlp (GPOINTER_TO_INT (data), FALSE);
  check_mlp (GPOINTER_TO_INT (data), TRUE);
}

int
main (int argc, char **argv)
{
  static const KdActivation activations[] = {
    KD_ACT_NONE, KD_ACT_RELU, KD_ACT_GELU, KD_ACT_TANH, KD_ACT_SIGMOID,
  };
  static const struct { KdTeacherKind kind; const char *name; } teachers[] = {
    { KD_TEACHER_LOGITS, "logits" },
    { KD_TEACHER_PROBS, "probs" },
    { KD_TEACHER_TOPK, "top-k" },
    { KD_TEACHER_LABEL, "label" },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/dense/backward", test_dense_backward);
  for (size_t i = 0; i < G_N_ELEMENTS (activations); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/activation/backward/%s",
                                               kd_activation_name (activations[i]));
      g_test_add_data_func (path, GINT_TO_POINTER (activations[i]), test_activation_backward);
    }
  g_test_add_func ("/engine/dropout/backward", test_dropout_backward);
  g_test_add_func ("/engine/loss/cross-entropy/backward", test_cross_entropy);
  for (size_t i = 0; i < G_N_ELEMENTS (teachers); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/loss/distill/backward/%s", teachers[i].name);
      g_test_add_data_func (path, GINT_TO_POINTER (teachers[i].kind), test_distill);
    }
  for (size_t i = 0; i < G_N_ELEMENTS (activations); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/mlp/backward/%s",
                                               kd_activation_name (activations[i]));
      g_test_add_data_func (path, GINT_TO_POINTER (activations[i]), test_mlp_backward);
    }

  return g_test_run ();
}

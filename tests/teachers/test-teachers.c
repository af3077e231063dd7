/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Teacher sources and disclosure policies, without a project file: each
 * source answers the samples it is asked about, in the order asked.
 */
#include "config.h"

#include <math.h>

#include "distillery-mlp-teacher.h"

/* A small data set: n samples of F features, C classes. */
typedef struct
{
  float  *features;
  int32_t *labels;
  KdData  data;
} Fixture;

static void
fixture_init (Fixture *f, gsize n, int F, int C)
{
  KdRng rng;
  kd_rng_seed (&rng, 7);
  f->features = g_new (float, n * F);
  f->labels = g_new (int32_t, n);
  for (gsize i = 0; i < n * F; i++)
    f->features[i] = kd_rng_uniform (&rng) * 2 - 1;
  for (gsize i = 0; i < n; i++)
    f->labels[i] = (int32_t) (i % C);
  f->data = (KdData) { f->features, f->labels, n, F, C };
}

static void
fixture_clear (Fixture *f)
{
  g_free (f->features);
  g_free (f->labels);
}

static KdMlp *
small_model (int F, int C, guint64 seed)
{
  KdMlpConfig config = { .n_inputs = F, .n_classes = C, .n_hidden = 1, .hidden = { 8 },
                         .activation = KD_ACT_RELU };
  KdRng rng;
  kd_rng_seed (&rng, seed);
  KdMlp *model = kd_mlp_new (&config, 64);
  kd_mlp_init (model, KD_INIT_HE, &rng);
  return model;
}

/* Answers for samples asked in any order and with repeats are the model's
 * own outputs for those samples. */
static void
test_mlp (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  fixture_init (&f, 50, 6, 4);
  KdMlp *reference = small_model (6, 4, 3);
  g_autoptr(DistilleryTeacher) teacher = distillery_mlp_teacher_new (small_model (6, 4, 3));
  const guint32 samples[] = { 49, 0, 7, 7, 31 };
  float out[5 * 4], expected[50 * 4];

  g_assert_cmpuint (distillery_teacher_get_n_classes (teacher), ==, 4);
  g_assert_cmpint (distillery_teacher_get_answer_kind (teacher), ==, DISTILLERY_ANSWER_LOGITS);
  g_assert_true (distillery_teacher_answer (teacher, &f.data, samples, 5, out, NULL, &error));
  g_assert_no_error (error);
  kd_mlp_predict (reference, expected, f.features, 50);
  for (guint i = 0; i < 5; i++)
    for (guint c = 0; c < 4; c++)
      g_assert_cmpfloat_with_epsilon (out[i * 4 + c], expected[samples[i] * 4 + c], 1e-5);

  /* A sample past the end and a data set of other classes are refused. */
  const guint32 past[] = { 50 };
  g_assert_false (distillery_teacher_answer (teacher, &f.data, past, 1, out, NULL, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
  g_clear_error (&error);
  KdData other = f.data;
  other.n_classes = 3;
  g_assert_false (distillery_teacher_answer (teacher, &other, samples, 1, out, NULL, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
  kd_mlp_free (reference);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/teachers/mlp/answers", test_mlp);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Teacher sources and disclosure policies, without a project file: each
 * source answers the samples it is asked about, in the order asked.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "distillery-answers-teacher.h"
#include "distillery-disclosure.h"
#include "distillery-ensemble-teacher.h"
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

/* ---- Disclosure ---------------------------------------------------- */

static void
test_policy_text (void)
{
  static const char *const forms[] = { "logits", "probabilities", "probabilities:3", "top-k:5", "labels" };
  static const char *const wrong[] = { "", "everything", "top-k", "top-k:0", "probabilities:12", "labels:2", "logits:1" };
  DistilleryDisclosure policy;
  g_autoptr(GError) error = NULL;

  distillery_disclosure_init_full (&policy);
  policy.budget = 500;
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_assert_true (distillery_disclosure_parse (&policy, forms[i], &error));
      g_assert_no_error (error);
      g_autofree char *text = distillery_disclosure_to_string (&policy);
      g_assert_cmpstr (text, ==, forms[i]);
      g_assert_cmpint (policy.budget, ==, 500);
    }
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_assert_false (distillery_disclosure_parse (&policy, wrong[i], &error));
      g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
      g_clear_error (&error);
    }
}

static void
apply (const char *text, DistilleryAnswerKind from, float *rows, gsize n, guint C)
{
  DistilleryDisclosure policy;
  g_autoptr(GError) error = NULL;
  distillery_disclosure_init_full (&policy);
  g_assert_true (distillery_disclosure_parse (&policy, text, &error));
  g_assert_true (distillery_disclosure_apply (&policy, from, 0, rows, n, C, &error));
  g_assert_no_error (error);
}

/* Each policy from logits: the numbers worked by hand. */
static void
test_policy_transforms (void)
{
  const float logits[4] = { 2.0f, 1.0f, 0.0f, -1.0f };
  /* softmax: exp(2,1,0,-1) / sum = 0.6439, 0.2369, 0.0871, 0.0321 */
  float rows[4];

  memcpy (rows, logits, sizeof rows);
  apply ("logits", DISTILLERY_ANSWER_LOGITS, rows, 1, 4);
  g_assert_cmpmem (rows, sizeof rows, logits, sizeof logits);

  memcpy (rows, logits, sizeof rows);
  apply ("probabilities", DISTILLERY_ANSWER_LOGITS, rows, 1, 4);
  g_assert_cmpfloat_with_epsilon (rows[0], 0.643914, 1e-5);
  g_assert_cmpfloat_with_epsilon (rows[3], 0.032059, 1e-5);

  memcpy (rows, logits, sizeof rows);
  apply ("probabilities:2", DISTILLERY_ANSWER_LOGITS, rows, 1, 4);
  g_assert_cmpfloat (rows[0], ==, 0.64f);
  g_assert_cmpfloat (rows[1], ==, 0.24f);
  g_assert_cmpfloat (rows[2], ==, 0.09f);
  g_assert_cmpfloat (rows[3], ==, 0.03f);

  memcpy (rows, logits, sizeof rows);
  apply ("top-k:2", DISTILLERY_ANSWER_LOGITS, rows, 1, 4);
  g_assert_cmpfloat_with_epsilon (rows[0], 0.643914, 1e-5);
  g_assert_cmpfloat_with_epsilon (rows[1], 0.236883, 1e-5);
  g_assert_cmpfloat (rows[2], ==, 0);
  g_assert_cmpfloat (rows[3], ==, 0);
  /* What the engine makes of it: the kept two as they are, the missing
   * mass (0.1192) spread over the other two, a distribution. */
  float targets[4], sum = 0;
  kd_teacher_targets (targets, KD_TEACHER_TOPK, rows, 1, 4, 1.0f, 2);
  for (guint c = 0; c < 4; c++)
    sum += targets[c];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (targets[0], 0.643914, 1e-4);
  g_assert_cmpfloat_with_epsilon (targets[2], targets[3], 1e-6);
  g_assert_cmpfloat_with_epsilon (targets[2], (1 - 0.643914 - 0.236883) / 2, 1e-4);

  memcpy (rows, logits, sizeof rows);
  rows[2] = 5;
  apply ("labels", DISTILLERY_ANSWER_LOGITS, rows, 1, 4);
  const float label[4] = { 0, 0, 1, 0 };
  g_assert_cmpmem (rows, sizeof rows, label, sizeof label);

  /* Ties keep the lower class. */
  float tied[4] = { 0.4f, 0.2f, 0.4f, 0.0f };
  apply ("top-k:1", DISTILLERY_ANSWER_PROBABILITIES, tied, 1, 4);
  g_assert_cmpfloat (tied[0], ==, 0.4f);
  g_assert_cmpfloat (tied[2], ==, 0);
}

/* A policy cannot show more than the teacher gives. */
static void
test_policy_refusals (void)
{
  DistilleryDisclosure policy;
  g_autoptr(GError) error = NULL;
  float rows[4] = { 0.5f, 0.5f, 0, 0 };
  const struct { const char *policy; DistilleryAnswerKind from; guint from_k; } cases[] = {
    { "logits", DISTILLERY_ANSWER_PROBABILITIES, 0 },
    { "probabilities", DISTILLERY_ANSWER_TOP_K, 2 },
    { "top-k:3", DISTILLERY_ANSWER_TOP_K, 2 },
    { "top-k:2", DISTILLERY_ANSWER_LABELS, 0 },
    { "top-k:4", DISTILLERY_ANSWER_LOGITS, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      distillery_disclosure_init_full (&policy);
      g_assert_true (distillery_disclosure_parse (&policy, cases[i].policy, NULL));
      g_assert_false (distillery_disclosure_apply (&policy, cases[i].from, cases[i].from_k, rows, 1, 4, &error));
      g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
      g_clear_error (&error);
    }
  distillery_disclosure_init_full (&policy);
  g_assert_true (distillery_disclosure_parse (&policy, "top-k:2", NULL));
  g_assert_true (distillery_disclosure_apply (&policy, DISTILLERY_ANSWER_TOP_K, 2, rows, 1, 4, &error));
}

/* Under a budget: as many samples as paid for, each once, sorted; the
 * same seed the same ones; uncertainty first when asked. */
static void
test_policy_budget (void)
{
  DistilleryDisclosure policy;
  gsize n;

  distillery_disclosure_init_full (&policy);
  g_autofree guint32 *all = distillery_disclosure_choose (&policy, 10, NULL, 1, &n);
  g_assert_cmpuint (n, ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (all[i], ==, i);

  policy.budget = 30;
  g_autofree guint32 *a = distillery_disclosure_choose (&policy, 100, NULL, 5, &n);
  g_assert_cmpuint (n, ==, 30);
  g_autofree guint32 *b = distillery_disclosure_choose (&policy, 100, NULL, 5, &n);
  g_autofree guint32 *c = distillery_disclosure_choose (&policy, 100, NULL, 6, &n);
  g_assert_cmpmem (a, 30 * sizeof (guint32), b, 30 * sizeof (guint32));
  g_assert_true (memcmp (a, c, 30 * sizeof (guint32)) != 0);
  for (guint i = 1; i < 30; i++)
    g_assert_cmpuint (a[i - 1], <, a[i]);
  g_assert_cmpuint (a[29], <, 100);

  float uncertainty[8] = { 0.1f, 0.9f, 0.5f, NAN, 0.9f, 0.2f, 0.8f, 0.0f };
  policy.budget = 3;
  policy.selection = DISTILLERY_SELECT_UNCERTAIN;
  g_autofree guint32 *u = distillery_disclosure_choose (&policy, 8, uncertainty, 1, &n);
  g_assert_cmpuint (n, ==, 3);
  const guint32 most_uncertain[3] = { 1, 4, 6 };
  g_assert_cmpmem (u, 3 * sizeof (guint32), most_uncertain, sizeof most_uncertain);
}

/* ---- Ensemble ----------------------------------------------------- */

static void
test_ensemble (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  fixture_init (&f, 20, 5, 3);
  g_autoptr(DistilleryTeacher) a = distillery_mlp_teacher_new (small_model (5, 3, 1));
  g_autoptr(DistilleryTeacher) b = distillery_mlp_teacher_new (small_model (5, 3, 2));
  DistilleryTeacher *members[2] = { a, b };
  const double weights[2] = { 3, 1 };
  const guint32 samples[3] = { 4, 19, 0 };
  float la[9], lb[9], pa[9], pb[9], out[9];

  g_assert_true (distillery_teacher_answer (a, &f.data, samples, 3, la, NULL, NULL));
  g_assert_true (distillery_teacher_answer (b, &f.data, samples, 3, lb, NULL, NULL));
  kd_softmax (pa, la, 3, 3, 2.0f);
  kd_softmax (pb, lb, 3, 3, 2.0f);

  g_autoptr(DistilleryTeacher) mean = distillery_ensemble_teacher_new (members, weights, 2,
                                                                       DISTILLERY_ENSEMBLE_PROBABILITIES, 2.0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (distillery_teacher_get_answer_kind (mean), ==, DISTILLERY_ANSWER_PROBABILITIES);
  g_assert_true (distillery_teacher_answer (mean, &f.data, samples, 3, out, NULL, &error));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (out[i], 0.75 * pa[i] + 0.25 * pb[i], 1e-6);

  /* Weights change between questions. */
  g_assert_true (distillery_ensemble_teacher_set_weight (DISTILLERY_ENSEMBLE_TEACHER (mean), 0, 0, &error));
  g_assert_true (distillery_teacher_answer (mean, &f.data, samples, 3, out, NULL, &error));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (out[i], pb[i], 1e-6);
  g_assert_false (distillery_ensemble_teacher_set_weight (DISTILLERY_ENSEMBLE_TEACHER (mean), 1, 0, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
  g_clear_error (&error);

  g_autoptr(DistilleryTeacher) logits = distillery_ensemble_teacher_new (members, NULL, 2,
                                                                         DISTILLERY_ENSEMBLE_LOGITS, 2.0, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_teacher_answer (logits, &f.data, samples, 3, out, NULL, &error));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpfloat_with_epsilon (out[i], (la[i] + lb[i]) / 2 / 2.0, 1e-6);

  /* A probabilities member cannot join an ensemble of logits. */
  DistilleryTeacher *with_mean[2] = { a, mean };
  g_assert_null (distillery_ensemble_teacher_new (with_mean, NULL, 2, DISTILLERY_ENSEMBLE_LOGITS, 1.0, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
  g_clear_error (&error);
  const double negative[2] = { 1, -1 };
  g_assert_null (distillery_ensemble_teacher_new (members, negative, 2, DISTILLERY_ENSEMBLE_PROBABILITIES, 1.0, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
  fixture_clear (&f);
}

/* ---- Recorded answers --------------------------------------------- */

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

/* A .npy file: header dict padded so the data starts at a multiple of 64. */
static GBytes *
npy (const char *descr, const char *shape, const void *values, gsize size)
{
  g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
  gsize header = strlen (dict) + 1, total = 10 + header;
  gsize pad = (64 - total % 64) % 64;
  GByteArray *out = g_byte_array_new ();
  const guint8 start[8] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 };
  guint16 length = (guint16) (header + pad);
  guint8 le[2] = { length & 0xff, length >> 8 };
  g_byte_array_append (out, start, 8);
  g_byte_array_append (out, le, 2);
  g_byte_array_append (out, (const guint8 *) dict, strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  g_byte_array_append (out, (const guint8 *) "\n", 1);
  g_byte_array_append (out, values, size);
  return g_byte_array_free_to_bytes (out);
}

static void
test_answers_good (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  fixture_init (&f, 3, 2, 2);
  const guint32 samples[3] = { 2, 0, 1 };
  float out[6];

  /* By row order, with a header; then by an id column, rows shuffled. */
  g_autoptr(GBytes) csv = text ("a,b\n0.25,0.75\n1,0\n0.5,0.5\n");
  g_autoptr(DistilleryTeacher) ordered = distillery_answers_teacher_new_from_bytes (
    csv, "answers.csv", DISTILLERY_ANSWER_PROBABILITIES, 3, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_teacher_answer (ordered, &f.data, samples, 3, out, NULL, &error));
  const float expected[6] = { 0.5f, 0.5f, 0.25f, 0.75f, 1, 0 };
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);

  g_autoptr(GBytes) ids = text ("p0,sample,p1\n1,1,0\n0.5,2,0.5\n0.25,0,0.75\n");
  g_autoptr(DistilleryTeacher) by_id = distillery_answers_teacher_new_from_bytes (
    ids, "answers.csv", DISTILLERY_ANSWER_PROBABILITIES, 3, 2, "sample", &error);
  g_assert_no_error (error);
  g_assert_true (distillery_teacher_answer (by_id, &f.data, samples, 3, out, NULL, &error));
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);

  /* .npy, float32 and float64, of logits (rows need not sum to 1). */
  const float logits32[6] = { 3, -1, 0, 0, 7.5f, 2 };
  const double logits64[6] = { 3, -1, 0, 0, 7.5, 2 };
  g_autoptr(GBytes) f32 = npy ("<f4", "(3, 2)", logits32, sizeof logits32);
  g_autoptr(GBytes) f64 = npy ("<f8", "(3, 2)", logits64, sizeof logits64);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(DistilleryTeacher) t = distillery_answers_teacher_new_from_bytes (
        i ? f64 : f32, "teacher.npy", DISTILLERY_ANSWER_LOGITS, 3, 2, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (distillery_teacher_get_answer_kind (t), ==, DISTILLERY_ANSWER_LOGITS);
      g_assert_true (distillery_teacher_answer (t, &f.data, samples, 1, out, NULL, &error));
      g_assert_cmpfloat (out[0], ==, 7.5f);
      g_assert_cmpfloat (out[1], ==, 2);
    }
  fixture_clear (&f);
}

/* Files NumPy wrote (fixtures/make-answers.py): the logits as they were,
 * and the same answers as float64 probabilities, plain and gzipped. */
static void
test_answers_numpy (void)
{
  const float logits[15] = { 2, 1, 0, -1, 0.5f, 3.25f, 0, 0, 0, 10, -10, 1.5f, 0.125f, 0.25f, -0.5f };
  static const char *const files[] = { "logits-f32.npy", "probabilities-f64.npy", "probabilities-f64.npy.gz" };
  float probabilities[15];

  kd_softmax (probabilities, logits, 5, 3, 1.0f);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "teachers", "fixtures", files[i], NULL);
      DistilleryAnswerKind kind = i == 0 ? DISTILLERY_ANSWER_LOGITS : DISTILLERY_ANSWER_PROBABILITIES;
      g_autoptr(DistilleryTeacher) t = distillery_answers_teacher_new_from_file (path, kind, 5, 3, NULL, &error);
      g_assert_no_error (error);
      const float *rows = distillery_answers_teacher_get_rows (DISTILLERY_ANSWERS_TEACHER (t));
      for (guint v = 0; v < 15; v++)
        g_assert_cmpfloat_with_epsilon (rows[v], i == 0 ? logits[v] : probabilities[v], 1e-6);
    }
}

/* Every mismatch is refused with a message that names where. */
static void
test_answers_refused (void)
{
  const float values[6] = { 0.5f, 0.5f, NAN, 1, 0.2f, 0.8f };
  const float sums[6] = { 0.5f, 0.5f, 0.6f, 0.6f, 0.2f, 0.8f };
  g_autoptr(GBytes) nan_npy = npy ("<f4", "(3, 2)", values, sizeof values);
  g_autoptr(GBytes) sum_npy = npy ("<f4", "(3, 2)", sums, sizeof sums);
  g_autoptr(GBytes) shape_npy = npy ("<f4", "(2, 3)", values, sizeof values);
  g_autoptr(GBytes) big_endian = npy (">f4", "(3, 2)", values, sizeof values);
  g_autoptr(GBytes) vector = npy ("<f4", "(6,)", values, sizeof values);
  const struct {
    const char *name;
    GBytes     *bytes;
    const char *id_column;
    const char *expected;
  } cases[] = {
    { "short.csv", text ("0.5,0.5\n1,0\n"), NULL, "sample 2 has no answer" },
    { "long.csv", text ("0.5,0.5\n1,0\n0,1\n1,0\n"), NULL, "line 4: more rows" },
    { "wide.csv", text ("0.5,0.25,0.25\n1,0\n0,1\n"), NULL, "line 1: expected 2 answers" },
    { "word.csv", text ("0.5,0.5\n1,zero\n0,1\n"), NULL, "line 2, column 2: “zero”" },
    { "nan.csv", text ("0.5,0.5\n1,0\nnan,1\n"), NULL, "row 3: column 1 is NaN" },
    { "sum.csv", text ("0.5,0.5\n0.7,0.2\n0,1\n"), NULL, "row 2: the probabilities sum to 0.9" },
    { "ids.csv", text ("id,a,b\n0,1,0\n0,0,1\n2,1,0\n"), "id", "line 3: sample 0 is answered twice" },
    { "far.csv", text ("id,a,b\n0,1,0\n7,0,1\n2,1,0\n"), "id", "line 3: “7” is not a sample" },
    { "noid.csv", text ("a,b\n1,0\n0,1\n1,0\n"), "id", "no column “id”" },
    { "nan.npy", g_bytes_ref (nan_npy), NULL, "row 2: column 1 is NaN" },
    { "sum.npy", g_bytes_ref (sum_npy), NULL, "row 2: the probabilities sum to 1.2" },
    { "shape.npy", g_bytes_ref (shape_npy), NULL, "holds 2 rows of 3 answers" },
    { "big.npy", g_bytes_ref (big_endian), NULL, "little-endian" },
    { "vector.npy", g_bytes_ref (vector), NULL, "N rows and C columns" },
    { "text.npy", text ("0.5,0.5\n"), NULL, "not a NumPy .npy file" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      DistilleryTeacher *t = distillery_answers_teacher_new_from_bytes (
        cases[i].bytes, cases[i].name, DISTILLERY_ANSWER_PROBABILITIES, 3, 2, cases[i].id_column, &error);
      g_assert_null (t);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].name));
      g_assert_nonnull (strstr (error->message, cases[i].expected));
      g_bytes_unref (cases[i].bytes);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/teachers/mlp/answers", test_mlp);
  g_test_add_func ("/teachers/disclosure/text", test_policy_text);
  g_test_add_func ("/teachers/disclosure/transforms", test_policy_transforms);
  g_test_add_func ("/teachers/disclosure/refusals", test_policy_refusals);
  g_test_add_func ("/teachers/disclosure/budget", test_policy_budget);
  g_test_add_func ("/teachers/ensemble/mean", test_ensemble);
  g_test_add_func ("/teachers/answers/good", test_answers_good);
  g_test_add_func ("/teachers/answers/numpy", test_answers_numpy);
  g_test_add_func ("/teachers/answers/refused", test_answers_refused);
  return g_test_run ();
}

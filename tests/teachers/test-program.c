/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The external-program teacher against real child processes: the example
 * C teacher (examples/teachers/teacher.c), whose answers are a formula of
 * the features that these tests compute too, made to misbehave in every
 * way its switches allow, and the scikit-learn teacher on the demo data
 * set. Each misbehaviour must give its own message, leave the teacher
 * usable and leave no process behind.
 *
 * Arguments after the GTest ones: the C teacher's path, the Python
 * teacher's path.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sys/wait.h>

#include "distillery-dataset.h"
#include "distillery-program-teacher.h"

#define F 6
#define C 4
#define N 40

static const char *teacher_path;
static const char *sklearn_path;

typedef struct
{
  float   features[N * F];
  int32_t labels[N];
  KdData  data;
} Fixture;

static void
fixture_init (Fixture *f)
{
  KdRng rng;

  kd_rng_seed (&rng, 11);
  for (gsize i = 0; i < N * F; i++)
    f->features[i] = kd_rng_uniform (&rng) * 2 - 1;
  for (gsize i = 0; i < N; i++)
    f->labels[i] = (int32_t) (i % C);
  f->data = (KdData) { f->features, f->labels, N, F, C };
}

/* The C teacher's formula; see the top of teacher.c. */
static void
expected_logits (const float *x, double *logits)
{
  for (int c = 0; c < C; c++)
    {
      logits[c] = c / 10.0;
      for (int j = 0; j < F; j++)
        logits[c] += x[j] * (((c + 1) * (j + 2)) % 7 - 3) / 4.0;
    }
}

static void
expected_probabilities (const float *x, double *p)
{
  double sum = 0;

  expected_logits (x, p);
  for (int c = 0; c < C; c++)
    sum += p[c] = exp (p[c]);
  for (int c = 0; c < C; c++)
    p[c] /= sum;
}

/* The C teacher with the given switches (NULL-terminated). */
static DistilleryTeacher *
start_teacher (guint batch_size, guint timeout_ms, GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (char *) teacher_path);
  va_start (args, error);
  for (const char *arg; (arg = va_arg (args, const char *)) != NULL;)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return distillery_program_teacher_new ((const char *const *) argv->pdata, NULL, F, C, batch_size, timeout_ms,
                                         error);
}

/* Every child was reaped: none is left, running or a zombie. */
static void
assert_no_children (void)
{
  int status;
  pid_t pid = waitpid (-1, &status, WNOHANG);

  g_assert_cmpint (pid, ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static void
assert_error_says (GError *error, int code, const char *const *words)
{
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, code);
  g_test_message ("%s", error->message);
  for (guint i = 0; words[i] != NULL; i++)
    if (strstr (error->message, words[i]) == NULL)
      g_error ("“%s” is not in the message: %s", words[i], error->message);
}

/* Handshake, then logits for samples out of order and repeated, over
 * several batches. */
static void
test_answers (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  const guint32 samples[] = { 39, 0, 7, 7, 31, 2, 5 };
  float out[G_N_ELEMENTS (samples) * C];

  fixture_init (&f);
  DistilleryTeacher *teacher = start_teacher (3, 2000, &error, NULL);
  g_assert_no_error (error);
  DistilleryProgramTeacher *program = DISTILLERY_PROGRAM_TEACHER (teacher);
  g_assert_cmpuint (distillery_teacher_get_n_classes (teacher), ==, C);
  g_assert_cmpint (distillery_teacher_get_answer_kind (teacher), ==, DISTILLERY_ANSWER_LOGITS);
  g_assert_cmpuint (distillery_program_teacher_get_n_features (program), ==, F);
  g_assert_cmpuint (distillery_program_teacher_get_top_k (program), ==, 0);
  g_assert_cmpstr (distillery_program_teacher_get_argv (program)[0], ==, teacher_path);

  for (guint round = 0; round < 2; round++)
    {
      g_assert_true (distillery_teacher_answer (teacher, &f.data, samples, G_N_ELEMENTS (samples), out, NULL,
                                                &error));
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        {
          double logits[C];
          expected_logits (f.features + samples[i] * F, logits);
          for (guint c = 0; c < C; c++)
            g_assert_cmpfloat_with_epsilon (out[i * C + c], logits[c], 1e-5);
        }
    }
  g_assert_cmpuint (distillery_program_teacher_get_questions_asked (program), ==, 2 * G_N_ELEMENTS (samples));
  g_assert_cmpuint (distillery_program_teacher_get_restarts (program), ==, 0);

  /* A data set of other features is refused before the program is asked. */
  KdData other = f.data;
  other.n_features = F + 1;
  g_assert_false (distillery_teacher_answer (teacher, &other, samples, 1, out, NULL, &error));
  g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);

  g_object_unref (teacher);
  assert_no_children ();
}

/* Probabilities, top-k and labels, each as the handshake says. */
static void
test_kinds (void)
{
  Fixture f;
  const guint32 samples[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
  const guint n = G_N_ELEMENTS (samples);
  float out[G_N_ELEMENTS (samples) * C];
  const char *const kinds[] = { "probabilities", "top-k", "labels" };

  fixture_init (&f);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GError) error = NULL;
      DistilleryAnswerKind kind;
      DistilleryTeacher *teacher = start_teacher (5, 2000, &error, "--returns", kinds[k], "--k", "2", NULL);

      g_assert_no_error (error);
      g_assert_true (distillery_answer_kind_from_string (kinds[k], &kind));
      g_assert_cmpint (distillery_teacher_get_answer_kind (teacher), ==, kind);
      g_assert_cmpuint (distillery_program_teacher_get_top_k (DISTILLERY_PROGRAM_TEACHER (teacher)), ==,
                        kind == DISTILLERY_ANSWER_TOP_K ? 2 : 0);
      g_assert_true (distillery_teacher_answer (teacher, &f.data, samples, n, out, NULL, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < n; i++)
        {
          double p[C];
          guint best = 0, second = best;
          expected_probabilities (f.features + samples[i] * F, p);
          for (guint c = 1; c < C; c++)
            best = p[c] > p[best] ? c : best;
          second = best == 0 ? 1 : 0;
          for (guint c = 0; c < C; c++)
            second = c != best && p[c] > p[second] ? c : second;
          for (guint c = 0; c < C; c++)
            {
              double want = kind == DISTILLERY_ANSWER_PROBABILITIES ? p[c]
                            : kind == DISTILLERY_ANSWER_LABELS     ? (c == best)
                            : c == best || c == second             ? p[c]
                                                                   : 0;
              g_assert_cmpfloat_with_epsilon (out[i * C + c], want, 1e-6);
            }
        }
      g_object_unref (teacher);
    }
  assert_no_children ();
}

/* The program exits half-way through the second batch: the message says
 * so, with its status and its last words on stderr; the next question
 * starts it again and is answered. */
static void
test_exit_mid_batch (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  const guint32 samples[] = { 0, 1, 2, 3, 4, 5 };
  float out[6 * C];

  fixture_init (&f);
  DistilleryTeacher *teacher = start_teacher (3, 2000, &error, "--exit-after", "4", NULL);
  g_assert_no_error (error);
  DistilleryProgramTeacher *program = DISTILLERY_PROGRAM_TEACHER (teacher);

  g_assert_false (distillery_teacher_answer (teacher, &f.data, samples, 6, out, NULL, &error));
  assert_error_says (error, DISTILLERY_TEACHER_ERROR_PROGRAM,
                     (const char *[]) { "status 3", "batch 2", "line 2 of 3", "exiting after 4 answers", NULL });
  g_clear_error (&error);
  g_assert_cmpuint (distillery_program_teacher_get_restarts (program), ==, 0);

  g_assert_true (distillery_teacher_answer (teacher, &f.data, samples + 3, 3, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (distillery_program_teacher_get_restarts (program), ==, 1);
  double logits[C];
  expected_logits (f.features + 5 * F, logits);
  g_assert_cmpfloat_with_epsilon (out[2 * C + 3], logits[3], 1e-5);

  g_object_unref (teacher);
  assert_no_children ();
}

typedef struct
{
  const char *name;
  const char *switches[4];
  int         code;
  const char *words[4];
} Misbehaviour;

/* Each way of talking nonsense after a good handshake gets its message,
 * and the teacher then answers again (a fresh program). */
static void
test_nonsense (void)
{
  const Misbehaviour cases[] = {
    { "partial line", { "--partial-line" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "incomplete", "exited with status 0" } },
    { "short row", { "--short-row" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "expected 4 numbers", "found 3" } },
    { "NaN", { "--nan" }, DISTILLERY_TEACHER_ERROR_PROGRAM, { "batch 1, line 2", "“nan”", "finite" } },
    { "garbage", { "--garbage" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "“hello” is not a number" } },
    { "probabilities", { "--out-of-range", "--returns", "probabilities" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "probabilit" } },
    { "labels", { "--out-of-range", "--returns", "labels" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "“4” is not a class between 0 and 3" } },
    { "top-k", { "--out-of-range", "--returns", "top-k" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "“4” is not a class" } },
    { "too slow", { "--slow", "3000" }, DISTILLERY_TEACHER_ERROR_TIMEOUT,
      { "batch 1", "within 300 ms", "0 of 3 lines" } },
  };
  Fixture f;
  const guint32 samples[] = { 8, 9, 10 };
  float out[3 * C];

  fixture_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Misbehaviour *m = &cases[i];
      g_autoptr(GError) error = NULL;
      DistilleryTeacher *teacher = start_teacher (3, 300, &error, m->switches[0], m->switches[1],
                                                  m->switches[2], NULL);

      g_test_message ("%s", m->name);
      g_assert_no_error (error);
      distillery_program_teacher_set_restart_policy (DISTILLERY_PROGRAM_TEACHER (teacher), 10, 5);
      gint64 start = g_get_monotonic_time ();
      g_assert_false (distillery_teacher_answer (teacher, &f.data, samples, 3, out, NULL, &error));
      assert_error_says (error, m->code, m->words);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * G_TIME_SPAN_MILLISECOND);
      g_clear_error (&error);

      /* The teacher stays usable: the next question starts a fresh
       * program, which with the same switches is answered or fails the
       * same way. */
      if (!distillery_teacher_answer (teacher, &f.data, samples, 1, out, NULL, &error))
        g_assert_error (error, DISTILLERY_TEACHER_ERROR, m->code);
      g_clear_error (&error);
      g_assert_cmpuint (distillery_program_teacher_get_restarts (DISTILLERY_PROGRAM_TEACHER (teacher)), ==, 1);
      g_object_unref (teacher);
      assert_no_children ();
    }
}

/* A handshake that does not fit fails at once, naming why. */
static void
test_bad_handshake (void)
{
  const Misbehaviour cases[] = {
    { "wrong classes", { "--classes", "5" }, DISTILLERY_TEACHER_ERROR_PROGRAM, { "handshake", "5 classes", "has 4" } },
    { "wrong features", { "--features", "7" }, DISTILLERY_TEACHER_ERROR_PROGRAM, { "handshake", "7 features" } },
    { "version", { "--protocol", "2" }, DISTILLERY_TEACHER_ERROR_PROGRAM, { "handshake", "version 2" } },
    { "hang", { "--hang-on-start" }, DISTILLERY_TEACHER_ERROR_TIMEOUT, { "no handshake", "within 300 ms" } },
    { "usage", { "--no-such-switch" }, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "exited with status 2 before its handshake", "teacher: usage" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Misbehaviour *m = &cases[i];
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      g_test_message ("%s", m->name);
      g_assert_null (start_teacher (3, 300, &error, m->switches[0], m->switches[1], NULL));
      assert_error_says (error, m->code, m->words);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * G_TIME_SPAN_MILLISECOND);
      assert_no_children ();
    }

  g_autoptr(GError) error = NULL;
  const char *const missing[] = { "/nonexistent/teacher", NULL };
  g_assert_null (distillery_program_teacher_new (missing, NULL, F, C, 3, 300, &error));
  assert_error_says (error, DISTILLERY_TEACHER_ERROR_PROGRAM, (const char *[]) { "cannot be started", NULL });
}

/* A program that crashes each time is started again later and later,
 * then no more. */
static void
test_backoff (void)
{
  Fixture f;
  const guint32 samples[] = { 1 };
  float out[C];
  gint64 ended[4];

  fixture_init (&f);
  g_autoptr(GError) error = NULL;
  DistilleryTeacher *teacher = start_teacher (3, 2000, &error, "--exit-after", "0", NULL);
  g_assert_no_error (error);
  DistilleryProgramTeacher *program = DISTILLERY_PROGRAM_TEACHER (teacher);
  distillery_program_teacher_set_restart_policy (program, 40, 3);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_false (distillery_teacher_answer (teacher, &f.data, samples, 1, out, NULL, &error));
      ended[i] = g_get_monotonic_time ();
      assert_error_says (error, DISTILLERY_TEACHER_ERROR_PROGRAM,
                         (const char *[]) { i < 3 ? "status 3" : "failed 3 times in a row", NULL });
      g_clear_error (&error);
    }
  /* 40 ms, then 80 ms before the restarts; none after the third failure. */
  g_assert_cmpint (ended[1] - ended[0], >=, 40 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (ended[2] - ended[1], >=, 80 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (ended[3] - ended[2], <, 40 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (distillery_program_teacher_get_restarts (program), ==, 2);

  g_object_unref (teacher);
  assert_no_children ();
}

typedef struct
{
  GCancellable *cancellable;
  gint64        cancelled_at;
} Canceller;

static gpointer
cancel_soon (gpointer data)
{
  Canceller *canceller = data;

  g_usleep (150 * G_TIME_SPAN_MILLISECOND);
  canceller->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (canceller->cancellable);
  return NULL;
}

/* Cancelling a slow batch ends the wait at once; the next question
 * starts the program again. */
static void
test_cancel (void)
{
  Fixture f;
  const guint32 samples[] = { 1, 2 };
  float out[2 * C];
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Canceller canceller = { cancellable, 0 };

  fixture_init (&f);
  DistilleryTeacher *teacher = start_teacher (3, 10000, &error, "--slow", "400", NULL);
  g_assert_no_error (error);

  GThread *thread = g_thread_new ("canceller", cancel_soon, &canceller);
  g_assert_false (distillery_teacher_answer (teacher, &f.data, samples, 2, out, cancellable, &error));
  gint64 returned = g_get_monotonic_time ();
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (returned - canceller.cancelled_at, <, 200 * G_TIME_SPAN_MILLISECOND);

  g_assert_true (distillery_teacher_answer (teacher, &f.data, samples, 2, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (distillery_program_teacher_get_restarts (DISTILLERY_PROGRAM_TEACHER (teacher)), ==, 1);

  g_object_unref (teacher);
  assert_no_children ();
}

static void
on_stderr_line (DistilleryProgramTeacher *teacher, const char *line, gpointer user_data)
{
  guint *lines = user_data;

  if (strstr (line, "batch, chatter line") != NULL)
    (*lines)++;
}

/* A program writing far more on stderr than a pipe holds is not blocked:
 * its answers come, its stderr is kept (the last 64 KiB) and announced
 * line by line in the main context. */
static void
test_stderr (void)
{
  Fixture f;
  const guint32 samples[] = { 1, 2, 3 };
  float out[3 * C];
  g_autoptr(GError) error = NULL;
  guint lines = 0;

  fixture_init (&f);
  DistilleryTeacher *teacher = start_teacher (3, 5000, &error, "--stderr-chatter", "3000", NULL);
  g_assert_no_error (error);
  g_signal_connect (teacher, "stderr-line", G_CALLBACK (on_stderr_line), &lines);
  g_assert_true (distillery_teacher_answer (teacher, &f.data, samples, 3, out, NULL, &error));
  g_assert_no_error (error);

  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  g_autofree char *text = NULL;
  while (g_get_monotonic_time () < deadline)
    {
      g_free (text);
      text = distillery_program_teacher_get_stderr (DISTILLERY_PROGRAM_TEACHER (teacher));
      if (strstr (text, "batch, chatter line 3000 of 3000") != NULL)
        break;
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_nonnull (strstr (text, "batch, chatter line 3000 of 3000"));
  g_assert_cmpuint (strlen (text), <=, 64 * 1024);
  g_assert_true (g_str_has_suffix (text, "\n"));

  /* Nobody iterated the main context meanwhile, and the program wrote
   * more than the 64 KiB that wait there to be announced: what is
   * announced is the newest part, which holds the batch's lines. */
  while (g_get_monotonic_time () < deadline && lines == 0)
    g_main_context_iteration (NULL, FALSE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (lines, >, 0);

  g_object_unref (teacher);
  assert_no_children ();
}

/* The scikit-learn teacher, trained on the demo digits, answers with
 * probabilities that mostly name the right digit. */
static void
test_sklearn (void)
{
  const char *check[] = { "/usr/bin/python3", "-c", "import sklearn, numpy", NULL };
  gint status = -1;

  if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("/usr/bin/python3 cannot import sklearn and numpy (Debian: python3-sklearn)");
      return;
    }

  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) digits = distillery_dataset_load_demo (&error);
  g_assert_no_error (error);
  g_autofree char *csv = g_build_filename (g_getenv ("DISTILLERY_SOURCE_ROOT"), "data", "demo", "digits.csv.gz",
                                           NULL);
  const char *argv[] = { "/usr/bin/python3", sklearn_path, csv, "--label", "digit", "--divide-by", "16", NULL };
  DistilleryTeacher *teacher = distillery_program_teacher_new (argv, NULL, digits->n_features, digits->n_classes,
                                                               128, 60000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (distillery_teacher_get_answer_kind (teacher), ==, DISTILLERY_ANSWER_PROBABILITIES);

  const KdData data = { digits->features, digits->labels, digits->n_samples, digits->n_features,
                        digits->n_classes };
  const guint n = 300;
  g_autofree guint32 *samples = g_new (guint32, n);
  g_autofree float *out = g_new (float, n * data.n_classes);
  guint right = 0;
  for (guint i = 0; i < n; i++)
    samples[i] = (i * 6) % data.n;
  g_assert_true (distillery_teacher_answer (teacher, &data, samples, n, out, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      const float *row = out + i * data.n_classes;
      double sum = 0;
      guint best = 0;
      for (int c = 0; c < data.n_classes; c++)
        {
          g_assert_cmpfloat (row[c], >=, 0);
          sum += row[c];
          best = row[c] > row[best] ? (guint) c : best;
        }
      g_assert_cmpfloat_with_epsilon (sum, 1, 1e-3);
      right += (int32_t) best == data.labels[samples[i]];
    }
  g_test_message ("%u of %u right", right, n);
  g_assert_cmpuint (right, >, n * 9 / 10);

  g_autofree char *text = distillery_program_teacher_get_stderr (DISTILLERY_PROGRAM_TEACHER (teacher));
  g_assert_nonnull (strstr (text, "teacher: trained on 1797 samples"));
  g_object_unref (teacher);
  assert_no_children ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 3)
    g_error ("usage: %s [GTest options] TEACHER SKLEARN-TEACHER", argv[0]);
  teacher_path = argv[1];
  sklearn_path = argv[2];

  g_test_add_func ("/teachers/program/answers", test_answers);
  g_test_add_func ("/teachers/program/kinds", test_kinds);
  g_test_add_func ("/teachers/program/exit-mid-batch", test_exit_mid_batch);
  g_test_add_func ("/teachers/program/nonsense", test_nonsense);
  g_test_add_func ("/teachers/program/bad-handshake", test_bad_handshake);
  g_test_add_func ("/teachers/program/backoff", test_backoff);
  g_test_add_func ("/teachers/program/cancel", test_cancel);
  g_test_add_func ("/teachers/program/stderr", test_stderr);
  g_test_add_func ("/teachers/program/sklearn", test_sklearn);
  return g_test_run ();
}

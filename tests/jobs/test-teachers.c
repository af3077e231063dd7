/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Teachers in real runs of a real project (the demo's digits and its
 * trained teacher): a budget spent most uncertain first, the answer cache
 * following its teachers as they change (new weights, another program, a
 * new training run), and external programs that misbehave in the middle
 * of a run, which must fail that run with their own message and leave
 * the project as it was.
 *
 * The argument after the GTest ones is the example C teacher's path
 * (examples/teachers/teacher.c). Consents go to a temporary configuration
 * folder (G_TEST_OPTION_ISOLATE_DIRS).
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "distillery-project.h"

static const char *teacher_program;
static char *dir, *project_path;
static gint64 demo_teacher, dataset;

/* ---- Helpers ------------------------------------------------------ */

static DistilleryStore *
open_project (const char *path)
{
  g_autoptr(GError) error = NULL;
  DistilleryStore *store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  return store;
}

/* A student of `teacher` shown what `policy` reveals, under `budget`
 * questions chosen as `selection` says, with the experiment's seed. */
static gint64
add_student (const char *path, const char *name, gint64 teacher, const char *policy, gint64 budget,
             DistillerySelection selection, guint64 seed, int epochs)
{
  static const KdTeacherKind kinds[] = { KD_TEACHER_LOGITS, KD_TEACHER_PROBS, KD_TEACHER_TOPK, KD_TEACHER_LABEL };
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (path);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  DistilleryDisclosure d;

  distillery_disclosure_init_full (&d);
  g_assert_true (distillery_disclosure_parse (&d, policy, NULL));
  settings->student.teacher_kind = kinds[d.reveals];
  settings->student.top_k = d.top_k;
  settings->round_digits = d.digits;
  settings->budget = budget;
  settings->selection = selection;
  settings->seed = seed;
  settings->student.epochs = epochs;
  gint64 id = distillery_project_add_experiment (store, name, dataset, teacher, settings, &error);
  g_assert_no_error (error);
  return id;
}

static gint64
add_ensemble (const char *name, const gint64 *members, const double *weights, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  gint64 id = distillery_project_add_ensemble (store, name, members, weights, n, FALSE, 1.0, &error);
  g_assert_no_error (error);
  return id;
}

typedef struct
{
  const char *stop_in;       /* cancel or pause at the first step of this model */
  DistilleryStepAction action;
  gint64      stop_after;    /* ... after this many of its steps */
  guint       proxy_steps;   /* steps of the proxy student seen */
  guint       steps;
} Watch;

static DistilleryStepAction
watch_step (const char *model_name, const KdStepReport *report, double samples_per_second, gpointer data)
{
  Watch *w = data;

  if (report == NULL)
    return DISTILLERY_STEP_CONTINUE;
  w->steps++;
  if (g_str_equal (model_name, "proxy student"))
    w->proxy_steps++;
  if (w->stop_in != NULL && g_str_equal (model_name, w->stop_in) && report->step >= w->stop_after)
    return w->action;
  return DISTILLERY_STEP_CONTINUE;
}

/* A new run of the experiment in the project at path, trained to its end
 * (or its failure); returns its row as the file has it. */
static DistilleryStoreRun *
run (const char *path, gint64 experiment, gint64 seed, Watch *watch, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(DistilleryStore) store = open_project (path);
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (path, &local);
  g_assert_no_error (local);
  gint64 id = distillery_project_create_run (store, writer, experiment, seed, &local);
  g_assert_no_error (local);
  DistilleryRunObserver observer = { watch_step, NULL, watch };
  gboolean ok = distillery_project_execute_run (store, writer, id, watch ? &observer : NULL, error);
  g_assert_true (distillery_writer_sync (writer, 0, &local));
  g_assert_no_error (local);
  g_autoptr(DistilleryStore) reread = open_project (path);
  DistilleryStoreRun *row = distillery_store_get_run (reread, id, &local);
  g_assert_no_error (local);
  g_assert_cmpint (row->status == DISTILLERY_RUN_FINISHED, ==, ok);
  return row;
}

static DistilleryStoreRun *
run_to_end (const char *path, gint64 experiment, gint64 seed, Watch *watch)
{
  g_autoptr(GError) error = NULL;
  DistilleryStoreRun *row = run (path, experiment, seed, watch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (row->status, ==, DISTILLERY_RUN_FINISHED);
  return row;
}

static double
metric (const DistilleryStoreRun *run, const char *name)
{
  return distillery_project_run_metric (run->final_metrics, name);
}

static gint64
cached (gint64 teacher)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  gint64 n = distillery_project_count_cached_answers (store, teacher, &error);
  g_assert_no_error (error);
  return n;
}

/* Which training samples the cache answers for, under a policy, and
 * their rows when asked for. */
static gboolean *
cached_samples (const char *path, gint64 teacher, const char *policy, guint n, guint C, float **rows_out,
                guint *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (path);
  g_autofree float *rows = g_new0 (float, (gsize) n * C);
  gboolean *found = g_new0 (gboolean, n);
  gint64 have = distillery_store_get_answers (store, teacher, dataset, "train", policy, rows, n, C, found, &error);
  g_assert_no_error (error);
  if (count != NULL)
    *count = (guint) have;
  if (rows_out != NULL)
    *rows_out = g_steal_pointer (&rows);
  return found;
}

static guint
n_train_samples (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  DistilleryDataset *train = NULL, *test = NULL;
  g_assert_true (distillery_project_load_dataset (store, dataset, &train, &test, &error));
  g_assert_no_error (error);
  guint n = train->n_samples;
  distillery_dataset_free (train);
  distillery_dataset_free (test);
  return n;
}

/* ---- Most uncertain first ---------------------------------------- */

/* A labels-only teacher (an ensemble of the demo's teacher, so that its
 * cache is this test's own) under a budget of 100 questions. Choosing
 * the most uncertain first spends exactly the budget, trains a proxy,
 * and chooses the same samples for every seed of the experiment and in
 * a copy of the project that asks afresh; random selection chooses
 * others. Whether it pays is reported, not asserted. */
static void
test_uncertain_first (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 members[] = { demo_teacher };
  gint64 api = add_ensemble ("Labels API", members, NULL, 1);
  gint64 uncertain = add_student (project_path, "Uncertain first", api, "labels", 100, DISTILLERY_SELECT_UNCERTAIN, 1, 30);
  gint64 random = add_student (project_path, "At random", api, "labels", 100, DISTILLERY_SELECT_RANDOM, 1, 30);
  const guint n = n_train_samples (), C = 10;

  g_autofree char *copy = g_build_filename (dir, "copy.distillery", NULL);
  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    g_assert_true (distillery_store_save_as (store, copy, &error));
    g_assert_no_error (error);
  }

  Watch watch = { 0 };
  g_autoptr(DistilleryStoreRun) first = run_to_end (project_path, uncertain, 1, &watch);
  g_assert_cmpfloat (metric (first, "queries_asked"), ==, 100);
  g_assert_cmpfloat (metric (first, "queries_cached"), ==, 0);
  g_assert_cmpuint (watch.proxy_steps, >=, 300);
  /* The student trains on the 100 paid for: 4 steps an epoch at batch 32. */
  g_assert_cmpint (first->steps_done, ==, 30 * 4);
  guint count;
  g_autofree gboolean *chosen = cached_samples (project_path, api, "labels", n, C, NULL, &count);
  g_assert_cmpuint (count, ==, 100);

  /* Another seed of the experiment: the same samples, all from the cache. */
  g_autoptr(DistilleryStoreRun) second = run_to_end (project_path, uncertain, 7, NULL);
  g_assert_cmpfloat (metric (second, "queries_asked"), ==, 0);
  g_assert_cmpfloat (metric (second, "queries_cached"), ==, 100);

  /* The copy made before asks the teacher afresh, and chooses the same. */
  g_autoptr(DistilleryStoreRun) afresh = run_to_end (copy, uncertain, 3, NULL);
  g_assert_cmpfloat (metric (afresh, "queries_asked"), ==, 100);
  g_autofree gboolean *again = cached_samples (copy, api, "labels", n, C, NULL, &count);
  g_assert_cmpuint (count, ==, 100);
  g_assert_cmpmem (again, n * sizeof (gboolean), chosen, n * sizeof (gboolean));

  /* At random, with the same seed: the random share is common to both,
   * most of the rest is not. */
  g_autoptr(DistilleryStoreRun) drawn = run_to_end (project_path, random, 1, NULL);
  double new_samples = metric (drawn, "queries_asked");
  g_assert_cmpfloat (new_samples + metric (drawn, "queries_cached"), ==, 100);
  g_assert_cmpfloat (new_samples, >=, 40);
  g_assert_cmpfloat (new_samples, <, 100);

  /* The classes the uncertain samples come from, by their true labels. */
  g_autoptr(DistilleryStore) store = open_project (project_path);
  DistilleryDataset *train = NULL, *test = NULL;
  g_assert_true (distillery_project_load_dataset (store, dataset, &train, &test, &error));
  guint per_class[10] = { 0 };
  for (guint i = 0; i < n; i++)
    if (chosen[i])
      per_class[train->labels[i]]++;
  g_autoptr(GString) spread = g_string_new (NULL);
  for (guint c = 0; c < C; c++)
    g_string_append_printf (spread, " %u", per_class[c]);
  distillery_dataset_free (train);
  distillery_dataset_free (test);
  g_test_message ("100 labels, most uncertain first: %.1f %% agreement, %.1f %% accuracy; at random: "
                  "%.1f %% agreement, %.1f %% accuracy; %.0f of the random 100 were not chosen by "
                  "uncertainty; chosen per class:%s",
                  100 * metric (first, "agreement"), 100 * metric (first, "accuracy"),
                  100 * metric (drawn, "agreement"), 100 * metric (drawn, "accuracy"), new_samples, spread->str);
  g_unlink (copy);
}

/* Cancelling while the proxy trains cancels the run; the answers already
 * paid for (the random share) stay cached, and nothing more was asked. */
static void
test_uncertain_cancel (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 members[] = { demo_teacher };
  gint64 api = add_ensemble ("Cancelled API", members, NULL, 1);
  gint64 student = add_student (project_path, "Cancelled while choosing", api, "labels", 100,
                                DISTILLERY_SELECT_UNCERTAIN, 1, 3);
  Watch watch = { .stop_in = "proxy student", .action = DISTILLERY_STEP_CANCEL, .stop_after = 10 };

  g_autoptr(DistilleryStoreRun) row = run (project_path, student, 1, &watch, &error);
  g_assert_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_STOPPED);
  g_assert_cmpint (row->status, ==, DISTILLERY_RUN_CANCELLED);
  g_assert_cmpuint (watch.proxy_steps, ==, 11);
  /* A fifth of the budget, at least two per class when half of it allows. */
  g_assert_cmpint (cached (api), ==, 20);
}

/* ---- The cache follows its teachers ------------------------------- */

/* Answers recorded elsewhere for every row of the demo's file: 0.91 on
 * the true class, 0.01 on the others. */
static gint64
add_recorded_teacher (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryDataset) demo = distillery_dataset_load_demo (&error);
  g_assert_no_error (error);
  g_autoptr(GString) csv = g_string_new (NULL);
  for (guint i = 0; i < demo->n_samples; i++)
    {
      for (guint c = 0; c < demo->n_classes; c++)
        g_string_append_printf (csv, "%s%s", c ? "," : "", (gint32) c == demo->labels[i] ? "0.91" : "0.01");
      g_string_append_c (csv, '\n');
    }
  g_autofree char *path = g_build_filename (dir, "recorded.csv", NULL);
  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));
  g_autoptr(DistilleryStore) store = open_project (project_path);
  gint64 id = distillery_project_import_answers (store, dataset, "Recorded", path, DISTILLERY_ANSWER_PROBABILITIES,
                                                 NULL, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return id;
}

static void
assert_ensemble (gint64 id, const gint64 *members, const double *weights, guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_autofree gint64 *got_members = NULL;
  g_autofree double *got_weights = NULL;
  guint got_n = 0;
  gboolean logits = TRUE;
  double temperature = 0;

  g_assert_true (distillery_project_get_ensemble (store, id, &got_members, &got_weights, &got_n, &logits,
                                                  &temperature, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got_n, ==, n);
  g_assert_cmpmem (got_members, n * sizeof (gint64), members, n * sizeof (gint64));
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (got_weights[i], ==, weights[i]);
  g_assert_false (logits);
  g_assert_cmpfloat (temperature, ==, 1.0);
}

/* An ensemble of the demo's teacher and recorded answers, inside another
 * ensemble. New weights forget the answers of both ensembles, not the
 * recorded ones; the next run asks again and is told something else.
 * Weights that cannot be are refused and change nothing. */
static void
test_ensemble_weights (void)
{
  g_autoptr(GError) error = NULL;
  gint64 recorded = add_recorded_teacher ();
  gint64 recorded_rows = cached (recorded);
  g_assert_cmpint (recorded_rows, ==, 1797);
  const gint64 pair[] = { demo_teacher, recorded };
  const double equal[] = { 1, 1 };
  gint64 inner = add_ensemble ("Teacher and records", pair, equal, 2);
  gint64 outer = add_ensemble ("Around it", &inner, NULL, 1);
  gint64 student = add_student (project_path, "Of the pair", inner, "probabilities", 200, DISTILLERY_SELECT_RANDOM, 1, 3);
  gint64 outer_student = add_student (project_path, "Of the pair, around", outer, "probabilities", 200,
                                      DISTILLERY_SELECT_RANDOM, 1, 3);
  const guint n = n_train_samples (), C = 10;

  g_autoptr(DistilleryStoreRun) before = run_to_end (project_path, student, 1, NULL);
  g_autoptr(DistilleryStoreRun) outer_before = run_to_end (project_path, outer_student, 1, NULL);
  g_assert_cmpint (cached (inner), ==, 200);
  g_assert_cmpint (cached (outer), ==, 200);
  g_autofree float *old_rows = NULL;
  g_autofree gboolean *asked = cached_samples (project_path, inner, "probabilities", n, C, &old_rows, NULL);
  assert_ensemble (inner, pair, equal, 2);

  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    const double negative[] = { 1, -1 }, zero[] = { 0, 0 }, three[] = { 1, 1, 1 };
    g_assert_false (distillery_project_set_ensemble_weights (store, inner, negative, 2, &error));
    g_assert_error (error, DISTILLERY_TEACHER_ERROR, DISTILLERY_TEACHER_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, "cannot be negative"));
    g_clear_error (&error);
    g_assert_false (distillery_project_set_ensemble_weights (store, inner, zero, 2, &error));
    g_assert_nonnull (strstr (error->message, "above zero"));
    g_clear_error (&error);
    g_assert_false (distillery_project_set_ensemble_weights (store, inner, three, 3, &error));
    g_assert_nonnull (strstr (error->message, "has 2 teachers; give one weight for each, not 3"));
    g_clear_error (&error);
    g_assert_false (distillery_project_set_ensemble_weights (store, demo_teacher, equal, 2, &error));
    g_assert_nonnull (strstr (error->message, "is not an ensemble"));
    g_clear_error (&error);
    /* The same weights again change nothing, and forget nothing. */
    g_assert_true (distillery_project_set_ensemble_weights (store, inner, equal, 2, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (cached (inner), ==, 200);
  g_assert_cmpint (cached (outer), ==, 200);
  assert_ensemble (inner, pair, equal, 2);

  const double heavier[] = { 3, 1 };
  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    g_assert_true (distillery_project_set_ensemble_weights (store, inner, heavier, 2, &error));
    g_assert_no_error (error);
  }
  assert_ensemble (inner, pair, heavier, 2);
  g_assert_cmpint (cached (inner), ==, 0);
  g_assert_cmpint (cached (outer), ==, 0);
  g_assert_cmpint (cached (recorded), ==, recorded_rows);

  g_autoptr(DistilleryStoreRun) after = run_to_end (project_path, student, 1, NULL);
  g_assert_cmpfloat (metric (after, "queries_asked"), ==, 200);
  g_autofree float *new_rows = NULL;
  g_autofree gboolean *asked_again = cached_samples (project_path, inner, "probabilities", n, C, &new_rows, NULL);
  g_assert_cmpmem (asked_again, n * sizeof (gboolean), asked, n * sizeof (gboolean));
  guint changed = 0;
  for (guint i = 0; i < n; i++)
    if (asked[i])
      changed += fabsf (new_rows[i * C] - old_rows[i * C]) > 1e-4f;
  g_assert_cmpuint (changed, >, 100);
  g_autoptr(DistilleryStoreRun) outer_after = run_to_end (project_path, outer_student, 1, NULL);
  g_assert_cmpfloat (metric (outer_after, "queries_asked"), ==, 200);
}

typedef struct
{
  gint64   ensemble;
  gboolean changed;
} Meddler;

/* On the proxy's first step, the ensemble's weights change (as the window
 * would change them, on a connection of its own). */
static DistilleryStepAction
change_weights_once (const char *model_name, const KdStepReport *report, double samples_per_second, gpointer data)
{
  Meddler *m = data;
  g_autoptr(GError) error = NULL;

  if (report == NULL || m->changed || !g_str_equal (model_name, "proxy student"))
    return DISTILLERY_STEP_CONTINUE;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  const double weights[] = { 5, 1 };
  g_assert_true (distillery_project_set_ensemble_weights (store, m->ensemble, weights, 2, &error));
  g_assert_no_error (error);
  m->changed = TRUE;
  return DISTILLERY_STEP_CONTINUE;
}

/* A teacher that changes while a run asks it: the run goes on with the
 * teacher it opened, but what that teacher said is not cached as the
 * changed teacher's answers, neither the answers asked before the change
 * nor those after it. */
static void
test_changed_while_asking (void)
{
  g_autoptr(GError) error = NULL;
  gint64 recorded = add_recorded_teacher ();
  const gint64 pair[] = { demo_teacher, recorded };
  gint64 ensemble = add_ensemble ("Changed while asked", pair, NULL, 2);
  gint64 student = add_student (project_path, "Asking a changing teacher", ensemble, "labels", 100,
                                DISTILLERY_SELECT_UNCERTAIN, 1, 3);
  Meddler meddler = { ensemble, FALSE };

  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (project_path, &error);
  gint64 id = distillery_project_create_run (store, writer, student, 1, &error);
  g_assert_no_error (error);
  DistilleryRunObserver observer = { change_weights_once, NULL, &meddler };
  g_assert_true (distillery_project_execute_run (store, writer, id, &observer, &error));
  g_assert_no_error (error);
  g_assert_true (distillery_writer_sync (writer, 0, &error));
  g_assert_true (meddler.changed);
  g_autoptr(DistilleryStoreRun) row = distillery_store_get_run (store, id, &error);
  g_assert_cmpfloat (metric (row, "queries_asked"), ==, 100);
  g_assert_cmpint (cached (ensemble), ==, 0);
}

/* The example teacher, answering probabilities about the digits, with
 * these switches. */
static char **
program_argv (const char *switches)
{
  g_autofree char *command = g_strdup_printf ("%s --features 64 --classes 10 --returns probabilities %s",
                                              teacher_program, switches);
  char **argv = NULL;
  g_assert_true (g_shell_parse_argv (command, NULL, &argv, NULL));
  return argv;
}

static gint64
add_program (const char *name, const char *switches, guint timeout_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_auto(GStrv) argv = program_argv (switches);
  gint64 id = distillery_project_add_program_teacher (store, name, dataset, (const char *const *) argv,
                                                      timeout_ms, &error);
  g_assert_no_error (error);
  return id;
}

static guint
program_timeout (gint64 teacher)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, t->settings, -1, NULL));
  return (guint) json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "timeout_ms");
}

/* Another command for a program teacher: its answers and its ensemble's
 * are forgotten, and the new command is allowed to run. A new time-out
 * alone forgets nothing. */
static void
test_program_command (void)
{
  g_autoptr(GError) error = NULL;
  gint64 program = add_program ("Changing program", "", 5000);
  gint64 around = add_ensemble ("Around the program", &program, NULL, 1);
  gint64 student = add_student (project_path, "Of the program", program, "probabilities", 100,
                                DISTILLERY_SELECT_RANDOM, 1, 3);
  gint64 around_student = add_student (project_path, "Of the program, around", around, "probabilities", 100,
                                       DISTILLERY_SELECT_RANDOM, 1, 3);
  g_autoptr(DistilleryStoreRun) a = run_to_end (project_path, student, 1, NULL);
  g_autoptr(DistilleryStoreRun) b = run_to_end (project_path, around_student, 1, NULL);
  g_assert_cmpint (cached (program), ==, 100);
  g_assert_cmpint (cached (around), ==, 100);

  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_assert_true (distillery_project_set_program_command (store, program, NULL, 7000, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (program_timeout (program), ==, 7000);
  g_assert_cmpint (cached (program), ==, 100);
  g_assert_cmpint (cached (around), ==, 100);

  g_auto(GStrv) chatty = program_argv ("--stderr-chatter 1");
  g_assert_true (distillery_project_set_program_command (store, program, (const char *const *) chatty, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (program_timeout (program), ==, 7000);
  g_assert_cmpint (cached (program), ==, 0);
  g_assert_cmpint (cached (around), ==, 0);
  g_auto(GStrv) to_allow = distillery_project_programs_to_allow (store, around, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (to_allow), ==, 0);

  const char *const nothing[] = { NULL };
  g_assert_false (distillery_project_set_program_command (store, program, nothing, 0, &error));
  g_assert_nonnull (strstr (error->message, "needs a program to run"));
  g_clear_error (&error);
  g_assert_false (distillery_project_set_program_command (store, around, (const char *const *) chatty, 0, &error));
  g_assert_nonnull (strstr (error->message, "is not a program"));
  g_clear_error (&error);

  g_autoptr(DistilleryStoreRun) again = run_to_end (project_path, student, 1, NULL);
  g_assert_cmpfloat (metric (again, "queries_asked"), ==, 100);
}

static gint64
teacher_run (gint64 teacher)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, teacher, &error);
  g_assert_no_error (error);
  return t->run_id;
}

/* A teacher trained anew answers from another model: a teacher run
 * paused early, another trained to the end by a student that needed the
 * teacher, then the first resumed to its end, which makes it the
 * teacher's model. The answers cached from the second model, and those
 * of an ensemble of the teacher, are forgotten and asked again. */
static void
test_retrained (void)
{
  g_autoptr(GError) error = NULL;
  gint64 teacher, paused_run = 0;
  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
    settings->teacher.epochs = 3;
    teacher = distillery_project_add_teacher (store, "Trained twice", dataset, settings, &error);
    g_assert_no_error (error);
    g_autoptr(DistilleryWriter) writer = distillery_writer_open (project_path, &error);
    Watch pause = { .stop_in = "teacher", .action = DISTILLERY_STEP_PAUSE, .stop_after = 5 };
    DistilleryRunObserver observer = { watch_step, NULL, &pause };
    g_assert_false (distillery_project_train_teacher (store, writer, teacher, &observer, &error));
    g_assert_error (error, DISTILLERY_TRAINING_ERROR, DISTILLERY_TRAINING_ERROR_PAUSED);
    g_clear_error (&error);
    g_assert_true (distillery_writer_sync (writer, 0, &error));
    g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, -1, &error);
    for (guint i = 0; i < runs->len; i++)
      {
        DistilleryStoreRun *r = runs->pdata[i];
        if (r->teacher_id == teacher)
          paused_run = r->id;
      }
    g_assert_cmpint (paused_run, >, 0);
  }
  g_assert_cmpint (teacher_run (teacher), ==, 0);
  gint64 around = add_ensemble ("Around the retrained", &teacher, NULL, 1);
  gint64 student = add_student (project_path, "Of the retrained", teacher, "labels", 200, DISTILLERY_SELECT_RANDOM, 1, 3);
  gint64 around_student = add_student (project_path, "Of the retrained, around", around, "probabilities", 200,
                                       DISTILLERY_SELECT_RANDOM, 1, 3);

  g_autoptr(DistilleryStoreRun) first = run_to_end (project_path, student, 1, NULL);
  g_autoptr(DistilleryStoreRun) around_first = run_to_end (project_path, around_student, 1, NULL);
  gint64 second_model = teacher_run (teacher);
  g_assert_cmpint (second_model, >, paused_run);
  g_assert_cmpint (cached (teacher), ==, 200);
  g_assert_cmpint (cached (around), ==, 200);

  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    g_autoptr(DistilleryWriter) writer = distillery_writer_open (project_path, &error);
    g_assert_true (distillery_project_resume (store, writer, paused_run, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (distillery_writer_sync (writer, 0, &error));
  }
  g_assert_cmpint (teacher_run (teacher), ==, paused_run);
  g_assert_cmpint (cached (teacher), ==, 0);
  g_assert_cmpint (cached (around), ==, 0);

  g_autoptr(DistilleryStoreRun) again = run_to_end (project_path, student, 1, NULL);
  g_assert_cmpfloat (metric (again, "queries_asked"), ==, 200);
  g_autoptr(DistilleryStoreRun) around_again = run_to_end (project_path, around_student, 1, NULL);
  g_assert_cmpfloat (metric (around_again, "queries_asked"), ==, 200);
}

/* ---- Programs that misbehave in a run ----------------------------- */

/* Every child was reaped: none is left, running or a zombie. */
static void
assert_no_children (void)
{
  int status;
  pid_t pid = waitpid (-1, &status, WNOHANG);

  g_assert_cmpint (pid, ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

static char *
integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  char *result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* What must survive a failed run: the data sets, the teachers and their
 * cached answers, and every run but that one, as text. */
static char *
describe_project (gint64 failed_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
  g_autoptr(GPtrArray) teachers = distillery_store_list_teachers (store, &error);
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, -1, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < datasets->len; i++)
    {
      DistilleryStoreDataset *d = datasets->pdata[i];
      g_autoptr(GBytes) file = distillery_store_get_dataset_file (store, d->id, "csv", NULL, &error);
      g_assert_no_error (error);
      g_string_append_printf (out, "data set %" G_GINT64_FORMAT " %s %u %u, %zu bytes\n", d->id, d->name,
                              d->n_samples, d->n_classes, g_bytes_get_size (file));
    }
  for (guint i = 0; i < teachers->len; i++)
    {
      DistilleryStoreTeacher *t = teachers->pdata[i];
      g_string_append_printf (out, "teacher %" G_GINT64_FORMAT " %s %s run %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                              " answers\n", t->id, t->kind, t->settings, t->run_id,
                              distillery_store_count_answers (store, t->id, NULL));
    }
  for (guint i = 0; i < runs->len; i++)
    {
      DistilleryStoreRun *r = runs->pdata[i];
      if (r->id == failed_run)
        continue;
      g_string_append_printf (out, "run %" G_GINT64_FORMAT " %s %d %s %s\n", r->id,
                              distillery_run_status_to_string (r->status), r->epochs_done,
                              r->final_metrics ? r->final_metrics : "-", r->error ? r->error : "-");
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *name;
  const char *switches;
  guint       timeout_ms;
  int         code;
  const char *words[4];
} Misbehaviour;

/* Each misbehaviour of a program teacher, in a run of a student of it
 * that asks about all 1347 training samples in batches of 256: the run
 * fails with the program's own message, nothing else in the project
 * changes, no process is left, and the file is sound. The project then
 * opens and runs again with the program set right. */
static void
test_misbehaving_programs (void)
{
  const Misbehaviour cases[] = {
    { "exit mid-batch", "--exit-after 300", 5000, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "status 3", "batch 2", "exiting after 300 answers" } },
    { "partial line", "--partial-line", 5000, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "batch 1, line 1", "incomplete" } },
    { "wrong class count", "--classes 5", 5000, DISTILLERY_TEACHER_ERROR_PROGRAM,
      { "handshake", "knows 5 classes but the data set has 10" } },
    { "NaN", "--nan", 5000, DISTILLERY_TEACHER_ERROR_PROGRAM, { "batch 1, line 2", "“nan”" } },
    { "too slow", "--slow 4000", 1000, DISTILLERY_TEACHER_ERROR_TIMEOUT, { "batch 1", "within 1000 ms" } },
  };
  g_autoptr(GError) error = NULL;
  gint64 program = 0, student = 0;

  /* Something to lose: a student of the demo's teacher, its answers cached. */
  gint64 earlier = add_student (project_path, "Before the programs", demo_teacher, "labels", 300,
                                DISTILLERY_SELECT_RANDOM, 1, 3);
  g_autoptr(DistilleryStoreRun) before = run_to_end (project_path, earlier, 1, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Misbehaviour *m = &cases[i];
      g_test_message ("%s", m->name);
      g_autofree char *name = g_strdup_printf ("Program: %s", m->name);
      program = add_program (name, m->switches, m->timeout_ms);
      student = add_student (project_path, name, program, "probabilities", 0, DISTILLERY_SELECT_RANDOM, 1, 3);
      g_autofree char *was = describe_project (0);

      gint64 start = g_get_monotonic_time ();
      g_autoptr(DistilleryStoreRun) failed = run (project_path, student, 1, NULL, &error);
      g_assert_error (error, DISTILLERY_TEACHER_ERROR, m->code);
      g_test_message ("%s", error->message);
      for (guint w = 0; w < G_N_ELEMENTS (m->words) && m->words[w] != NULL; w++)
        if (strstr (error->message, m->words[w]) == NULL)
          g_error ("“%s” is not in the message: %s", m->words[w], error->message);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
      g_assert_cmpint (failed->status, ==, DISTILLERY_RUN_FAILED);
      g_assert_cmpstr (failed->error, ==, error->message);
      g_assert_cmpint (failed->epochs_done, ==, 0);
      g_clear_error (&error);
      assert_no_children ();

      /* Everything that was there is there as it was; only the failed
       * run was added. */
      g_autofree char *now = describe_project (failed->id);
      g_assert_cmpstr (now, ==, was);
      g_autofree char *check = integrity (project_path);
      g_assert_cmpstr (check, ==, "ok");
    }
  g_assert_cmpint (cached (program), ==, 0);

  /* Set right, the last program teaches: the project opens, and its
   * student runs to the end. */
  {
    g_autoptr(DistilleryStore) store = open_project (project_path);
    g_auto(GStrv) good = program_argv ("");
    g_assert_true (distillery_project_set_program_command (store, program, (const char *const *) good, 5000, &error));
    g_assert_no_error (error);
  }
  g_autoptr(DistilleryStoreRun) mended = run_to_end (project_path, student, 1, NULL);
  g_assert_cmpfloat (metric (mended, "queries_asked"), ==, n_train_samples ());
  g_assert_cmpfloat (metric (mended, "agreement"), >, 0.3);
  assert_no_children ();
  g_autofree char *check = integrity (project_path);
  g_assert_cmpstr (check, ==, "ok");
}

/* A sweep finds its copies by the experiment they were made from, not by
 * their names: renamed, they still belong to it, and sweeping again with
 * an overlapping list reuses them. */
static void
test_budget_sweep_copies (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = open_project (project_path);
  gint64 swept = add_student (project_path, "Swept", demo_teacher, "labels", 0, DISTILLERY_SELECT_RANDOM, 1, 1);
  const gint64 first[] = { 200, 50 }, again[] = { 50, 100 };

  g_autoptr(GArray) made = distillery_project_add_budget_sweep (store, swept, first, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->len, ==, 2);
  g_assert_true (distillery_store_rename_experiment (store, g_array_index (made, gint64, 1), "Fifty", &error));
  g_assert_no_error (error);

  g_autoptr(GArray) budgets = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) listed = distillery_project_list_budget_sweep (store, swept, budgets, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (g_array_index (budgets, gint64, 0), ==, 50);
  g_assert_cmpint (g_array_index (budgets, gint64, 1), ==, 200);
  g_assert_cmpint (g_array_index (listed, gint64, 0), ==, g_array_index (made, gint64, 1));

  g_autoptr(GArray) second = distillery_project_add_budget_sweep (store, swept, again, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (second, gint64, 0), ==, g_array_index (made, gint64, 1));
  g_assert_cmpint (g_array_index (second, gint64, 1), !=, g_array_index (made, gint64, 0));
  g_autoptr(GArray) all = distillery_project_list_budget_sweep (store, swept, NULL, &error);
  g_assert_cmpuint (all->len, ==, 3);
  /* Another experiment's sweep is not this one's. */
  gint64 other = add_student (project_path, "Other", demo_teacher, "labels", 0, DISTILLERY_SELECT_RANDOM, 1, 1);
  g_autoptr(GArray) none = distillery_project_list_budget_sweep (store, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  if (argc < 2)
    g_error ("usage: %s [GTest options] TEACHER-PROGRAM", argv[0]);
  teacher_program = argv[1];

  dir = g_dir_make_tmp ("distillery-teachers-XXXXXX", &error);
  g_assert_no_error (error);
  project_path = g_build_filename (dir, "teachers.distillery", NULL);
  {
    g_autoptr(DistilleryStore) store = distillery_project_new_demo (project_path, NULL, &error);
    g_assert_no_error (error);
    g_autoptr(DistilleryStoreExperiment) distilled = distillery_store_find_experiment (store, "Distilled student", &error);
    g_assert_no_error (error);
    demo_teacher = distilled->teacher_id;
    dataset = distilled->dataset_id;
  }

  g_test_add_func ("/jobs/teachers/uncertain-first", test_uncertain_first);
  g_test_add_func ("/jobs/teachers/uncertain-cancel", test_uncertain_cancel);
  g_test_add_func ("/jobs/teachers/ensemble-weights", test_ensemble_weights);
  g_test_add_func ("/jobs/teachers/changed-while-asking", test_changed_while_asking);
  g_test_add_func ("/jobs/teachers/program-command", test_program_command);
  g_test_add_func ("/jobs/teachers/retrained", test_retrained);
  g_test_add_func ("/jobs/teachers/misbehaving-programs", test_misbehaving_programs);
  g_test_add_func ("/jobs/teachers/budget-sweep-copies", test_budget_sweep_copies);
  int status = g_test_run ();

  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d != NULL && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
  g_free (project_path);
  g_free (dir);
  return status;
}

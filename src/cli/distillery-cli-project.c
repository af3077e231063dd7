/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Project verbs of distillery-cli. Each opens the project file through the
 * store, which refuses files that are not ours, damaged or too new; every
 * refusal ends the command with status 1 and the store's message.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-cli-project.h"
#include "distillery-consent.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "distillery-chart-export.h"
#include "distillery-project.h"
#include "distillery-recipes.h"
#include "distillery-run-charts.h"
#include "distillery-run-queue.h"

typedef struct
{
  gint64 last_draw;
} Progress;

DistilleryStepAction
distillery_cli_progress (const char *model_name, const KdStepReport *r,
                         double samples_per_second, gpointer user_data)
{
  static Progress progress;
  gint64 now = g_get_monotonic_time ();

  if (r == NULL || !isatty (STDERR_FILENO))
    return DISTILLERY_STEP_CONTINUE;
  gboolean last = r->step + 1 == r->total_steps;
  /* Ten redraws a second are plenty and keep the step loop free of I/O. */
  if (!last && now - progress.last_draw < G_USEC_PER_SEC / 10)
    return DISTILLERY_STEP_CONTINUE;
  progress.last_draw = now;

  long steps_left = r->total_steps - r->step - 1;
  double per_step = samples_per_second > 0 ? r->batch_size / samples_per_second : 0;
  fprintf (stderr, "\r\033[K%-18s epoch %d, step %ld/%ld, %.0f samples/s, loss %.4f, ETA %.0f s",
           model_name, r->epoch + 1, r->step + 1, r->total_steps,
           samples_per_second, r->loss.total, steps_left * per_step);
  if (last)
    fputc ('\n', stderr);
  return DISTILLERY_STEP_CONTINUE;
}

static const DistilleryRunObserver cli_observer = { distillery_cli_progress, NULL, NULL };

static int
fail (const char *verb, GError *error)
{
  g_printerr ("distillery-cli %s: %s\n", verb, error->message);
  g_error_free (error);
  return 1;
}

static int
usage_error (const char *verb, const char *message)
{
  g_printerr ("distillery-cli %s: %s\n", verb, message);
  return 2;
}

static gboolean
parse (const char *verb, const char *args_help, const char *summary, GOptionEntry *entries,
       int *argc, char ***argv, int min_args, int max_args, GError **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (args_help);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc - 1 < min_args || *argc - 1 > max_args)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Expected %s; see “distillery-cli %s --help”."), args_help, verb);
      return FALSE;
    }
  return TRUE;
}

static DistilleryStore *
open_project (const char *path, gboolean read_only, GError **error)
{
  return distillery_store_open (path, read_only ? DISTILLERY_STORE_OPEN_READ_ONLY
                                                : DISTILLERY_STORE_OPEN_DEFAULT, error);
}

/* An experiment by id or by name. */
static gint64
find_experiment (DistilleryStore *store, const char *what, GError **error)
{
  guint64 id;
  if (g_ascii_string_to_unsigned (what, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, (gint64) id, error);
      return x ? x->id : 0;
    }
  g_autoptr(DistilleryStoreExperiment) x = distillery_store_find_experiment (store, what, error);
  return x ? x->id : 0;
}

static int
cmd_new (int argc, char **argv)
{
  gboolean demo = FALSE;
  g_autofree char *name = NULL, *recipe = NULL, *mnist = NULL, *seeds = NULL;
  int epochs = 0, teacher_epochs = 0;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo, N_("Fill it with the demo: digits, a trained teacher, two experiments"), NULL },
    { "recipe", 0, 0, G_OPTION_ARG_STRING, &recipe, N_("Fill it with a recipe that reproduces a paper: hinton-2015"), N_("RECIPE") },
    { "mnist", 0, 0, G_OPTION_ARG_FILENAME, &mnist, N_("The recipe on MNIST: the folder of its four IDX files (default: Fashion-MNIST)"), N_("DIR") },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("The recipe's epochs, students and teacher (default: the recipe's)"), N_("N") },
    { "teacher-epochs", 0, 0, G_OPTION_ARG_INT, &teacher_epochs, N_("The recipe's teacher epochs (default: as --epochs)"), N_("N") },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds, N_("The recipe's seeds (default 1, 2, 3)"), N_("1,2,3") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The project's name"), N_("NAME") },
    { NULL }
  };
  if (!parse ("new", "FILE", _("Create a project file."), entries, &argc, &argv, 1, 1, &error))
    return fail ("new", error);
  if (demo && recipe != NULL)
    return usage_error ("new", _("give --demo or --recipe, not both"));
  if (recipe == NULL && (mnist != NULL || seeds != NULL || epochs != 0 || teacher_epochs != 0))
    return usage_error ("new", _("--mnist, --epochs, --teacher-epochs and --seeds go with --recipe"));
  if (epochs < 0 || teacher_epochs < 0)
    return usage_error ("new", _("--epochs and --teacher-epochs are at least 1"));

  g_autoptr(DistilleryStore) store = NULL;
  if (recipe != NULL)
    {
      g_autoptr(DistilleryExperiment) parsed = distillery_experiment_new_demo ();
      if (seeds != NULL && !distillery_parse_seeds (seeds, parsed, &error))
        return fail ("new", error);
      DistilleryRecipeOptions options = {
        .mnist_dir = mnist,
        .teacher_epochs = teacher_epochs ? teacher_epochs : epochs,
        .student_epochs = epochs,
        .seeds = seeds ? parsed->seeds : NULL,
        .n_seeds = seeds ? (guint) parsed->n_seeds : 0,
      };
      store = distillery_recipe_new_project (recipe, argv[1], &options, &error);
    }
  else if (demo)
    store = distillery_project_new_demo (argv[1], &cli_observer, &error);
  else
    {
      g_autofree char *base = g_path_get_basename (argv[1]);
      store = distillery_store_create (argv[1], name ? name : base, &error);
    }
  if (store == NULL)
    return fail ("new", error);
  printf (_("Created %s.\n"), argv[1]);
  return 0;
}

static int
cmd_import (int argc, char **argv)
{
  g_auto(GStrv) idx = NULL;
  g_autofree char *csv = NULL, *label_column = NULL, *name = NULL, *settings_path = NULL;
  double fraction = 0.25, seed = 1;
  gboolean with_experiments = FALSE;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "idx", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &idx, N_("IDX files: training images, training labels, and optionally test images and test labels (give --idx once per file)"), N_("FILE") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, N_("A CSV file with a header row"), N_("FILE") },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &label_column, N_("The CSV column holding the class (default: the last)"), N_("NAME") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The data set's name"), N_("NAME") },
    { "test-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction, N_("Share held out for testing when there are no test files (default 0.25)"), N_("F") },
    { "split-seed", 0, 0, G_OPTION_ARG_DOUBLE, &seed, N_("Seed of that split (default 1)"), N_("N") },
    { "with-experiments", 0, 0, G_OPTION_ARG_NONE, &with_experiments, N_("Also add a teacher and a distilled and a plain experiment"), NULL },
    { "experiment", 'e', 0, G_OPTION_ARG_FILENAME, &settings_path, N_("Their settings, as experiment JSON"), N_("FILE") },
    { NULL }
  };
  if (!parse ("import", "FILE", _("Import a data set into a project (its files are embedded)."),
              entries, &argc, &argv, 1, 1, &error))
    return fail ("import", error);
  guint n_idx = idx ? g_strv_length (idx) : 0;
  if ((csv == NULL) == (n_idx == 0) || (n_idx != 0 && n_idx != 2 && n_idx != 4))
    return usage_error ("import", _("give either --csv FILE, or --idx twice (training images and labels) or four times (and test images and labels)"));

  g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
  if (store == NULL)
    return fail ("import", error);
  DistilleryImport import = {
    .name = name, .csv_path = csv, .label_column = label_column,
    .train_images = n_idx ? idx[0] : NULL, .train_labels = n_idx ? idx[1] : NULL,
    .test_images = n_idx == 4 ? idx[2] : NULL, .test_labels = n_idx == 4 ? idx[3] : NULL,
    .test_fraction = fraction, .split_seed = (guint64) seed,
  };
  gint64 dataset = distillery_project_import (store, &import, &error);
  if (dataset <= 0)
    return fail ("import", error);
  printf (_("Imported data set %" PRId64 ".\n"), dataset);

  if (with_experiments)
    {
      g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
      g_autofree char *distilled = NULL, *plain = NULL;
      if ((settings_path != NULL && !distillery_experiment_merge_file (settings, settings_path, &error))
          || distillery_project_add_starter_experiments (store, dataset, settings, &distilled, &plain, &error) <= 0)
        return fail ("import", error);
      printf (_("Added a teacher and the experiments “%s” and “%s”.\n"), distilled, plain);
    }
  return 0;
}


char *
distillery_cli_percent (double v)
{
  return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.2f %%", 100 * v);
}

static char *
number (const char *format, double v)
{
  return isnan (v) ? g_strdup ("—") : g_strdup_printf (format, v);
}

static int
cmd_list (int argc, char **argv)
{
  GError *error = NULL;
  if (!parse ("list", "FILE", _("List a project's data sets, teachers, experiments and runs."),
              NULL, &argc, &argv, 1, 1, &error))
    return fail ("list", error);
  g_autoptr(DistilleryStore) store = open_project (argv[1], TRUE, &error);
  if (store == NULL)
    return fail ("list", error);

  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
  g_autoptr(GPtrArray) teachers = datasets ? distillery_store_list_teachers (store, &error) : NULL;
  g_autoptr(GPtrArray) experiments = teachers ? distillery_store_list_experiments (store, &error) : NULL;
  g_autoptr(GPtrArray) runs = experiments ? distillery_store_list_runs (store, -1, &error) : NULL;
  if (runs == NULL)
    return fail ("list", error);

  g_autofree char *name = distillery_store_get_name (store);
  printf ("%s\n\n", name);
  printf ("%s\n", _("Data sets"));
  for (guint i = 0; i < datasets->len; i++)
    {
      DistilleryStoreDataset *d = datasets->pdata[i];
      printf ("  %3" G_GINT64_FORMAT "  %-28s %-5s %7u samples, %5u features, %3u classes\n",
              d->id, d->name, d->kind, d->n_samples, d->n_features, d->n_classes);
    }
  printf ("\n%s\n", _("Teachers"));
  for (guint i = 0; i < teachers->len; i++)
    {
      DistilleryStoreTeacher *t = teachers->pdata[i];
      gint64 cached = distillery_project_count_cached_answers (store, t->id, NULL);
      g_autofree char *answers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " answer cached",
                                                               "%" PRId64 " answers cached", (gulong) MAX (cached, 0)),
                                                  MAX (cached, 0));
      const char *state = g_str_equal (t->kind, "mlp") ? (t->run_id ? _("trained") : _("not trained")) : NULL;
      printf ("  %3" G_GINT64_FORMAT "  %-28s %-8s data set %" G_GINT64_FORMAT ", %s%s%s\n",
              t->id, t->name, t->kind, t->dataset_id, state ? state : "", state ? ", " : "", answers);
    }
  printf ("\n%s\n", _("Experiments"));
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      g_autofree char *teacher = x->teacher_id ? g_strdup_printf (_("teacher %" PRId64), x->teacher_id)
                                               : g_strdup (_("no teacher"));
      printf ("  %3" G_GINT64_FORMAT "  %-28s data set %" G_GINT64_FORMAT ", %s\n",
              x->id, x->name, x->dataset_id, teacher);
    }
  printf ("\n%s\n", _("Runs"));
  for (guint i = 0; i < runs->len; i++)
    {
      DistilleryStoreRun *r = runs->pdata[i];
      g_autofree char *acc = distillery_cli_percent (distillery_project_run_metric (r->final_metrics, "accuracy"));
      g_autofree char *what = r->experiment_id
                                ? g_strdup_printf (_("experiment %" PRId64), r->experiment_id)
                                : g_strdup_printf (_("teacher %" PRId64), r->teacher_id);
      printf ("  %3" G_GINT64_FORMAT "  %-16s seed %-6" G_GUINT64_FORMAT " %-11s %3d epochs  %s%s%s\n",
              r->id, what, r->seed, distillery_run_status_to_string (r->status), r->epochs_done, acc,
              r->error ? "  " : "", r->error ? r->error : "");
    }
  return 0;
}

typedef struct
{
  DistilleryRunQueue *queue;
  gboolean            interactive;
  int                 failures;
} RunAll;

static void
report_job (DistilleryRunQueue *queue, DistilleryJob *job, const GError *job_error, RunAll *all)
{
  g_autoptr(GError) error = NULL;
  gint64 run = distillery_job_get_run_id (job);

  if (all->interactive)
    fputs ("\r\033[K", stderr);
  if (job_error != NULL)
    {
      all->failures++;
      g_printerr ("distillery-cli run: %s\n", job_error->message);
      return;
    }
  g_autoptr(DistilleryStore) store = distillery_store_open (distillery_job_get_project_path (job),
                                                            DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(DistilleryStoreRun) r = store ? distillery_store_get_run (store, run, &error) : NULL;
  g_autofree char *acc = distillery_cli_percent (distillery_project_run_metric (r ? r->final_metrics : NULL, "accuracy"));
  g_autofree char *agree = distillery_cli_percent (distillery_project_run_metric (r ? r->final_metrics : NULL, "agreement"));
  printf (_("Run %" PRId64 " finished: test accuracy %s, agreement with the teacher %s.\n"),
          run, acc, agree);
  fflush (stdout);
}

static gboolean
draw_jobs (gpointer data)
{
  RunAll *all = data;
  GString *line = g_string_new ("\r\033[K");

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (all->queue)); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (G_LIST_MODEL (all->queue), i);
      if (distillery_job_get_status (job) != DISTILLERY_RUN_RUNNING || distillery_job_get_step (job) == 0)
        continue;
      g_string_append_printf (line, "%s%s %" G_GINT64_FORMAT ": %.0f %%, %.0f samples/s, ETA %.0f s",
                              line->len > 8 ? " | " : "", distillery_job_get_model_name (job),
                              distillery_job_get_run_id (job), 100 * distillery_job_get_fraction (job),
                              distillery_job_get_samples_per_second (job), distillery_job_get_eta (job));
    }
  fputs (line->str, stderr);
  g_string_free (line, TRUE);
  return G_SOURCE_CONTINUE;
}

/* Trains the jobs through a queue of `parallel`, with a live line per
 * run when stderr is a terminal; returns how many failed. */
static int
run_jobs (GPtrArray *jobs, guint parallel)
{
  RunAll all = { distillery_run_queue_new (parallel), isatty (STDERR_FILENO), 0 };
  g_signal_connect (all.queue, "job-ended", G_CALLBACK (report_job), &all);
  for (guint i = 0; i < jobs->len; i++)
    distillery_run_queue_add (all.queue, jobs->pdata[i]);
  guint redraw = all.interactive ? g_timeout_add (100, draw_jobs, &all) : 0;
  while (distillery_run_queue_get_n_pending (all.queue) > 0)
    g_main_context_iteration (NULL, TRUE);
  if (redraw != 0)
    g_source_remove (redraw);
  g_object_unref (all.queue);
  return all.failures;
}

/* Trains the teachers given first (ids, or NULL), then a run of each
 * experiment, with the seed at the same place in seeds (or each
 * experiment's first seed when seeds is NULL); 1 when any failed.
 * Teachers go first, among themselves: a run whose teacher is still in
 * training waits for it, and would hold one of the queue's places, and
 * its share of the cores, idle meanwhile. */
static int
run_all (const char *path, GArray *teachers, GArray *experiments, GArray *seeds, guint parallel)
{
  g_autoptr(GPtrArray) teacher_jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  int failures = 0;

  for (guint i = 0; teachers != NULL && i < teachers->len; i++)
    g_ptr_array_add (teacher_jobs, distillery_job_new_teacher (path, g_array_index (teachers, gint64, i)));
  if (teacher_jobs->len > 0)
    failures += run_jobs (teacher_jobs, MIN (parallel, teacher_jobs->len));
  for (guint i = 0; i < experiments->len; i++)
    {
      gint64 seed = seeds != NULL ? g_array_index (seeds, gint64, i) : -1;
      g_ptr_array_add (jobs, distillery_job_new_run (path, g_array_index (experiments, gint64, i), seed));
    }
  failures += run_jobs (jobs, parallel);
  return failures > 0 ? 1 : 0;
}

/* Adds the teacher to teachers unless it is there already, is not a
 * network trained here, or has a finished run. */
static void
add_untrained_teacher (DistilleryStore *store, gint64 teacher_id, GArray *teachers)
{
  g_autoptr(DistilleryStoreTeacher) t = teacher_id ? distillery_store_get_teacher (store, teacher_id, NULL) : NULL;
  g_autoptr(DistilleryStoreRun) run = t && t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;

  if (t == NULL || g_strcmp0 (t->kind, "mlp") != 0 || (run != NULL && run->status == DISTILLERY_RUN_FINISHED))
    return;
  for (guint i = 0; i < teachers->len; i++)
    if (g_array_index (teachers, gint64, i) == teacher_id)
      return;
  g_array_append_val (teachers, teacher_id);
}

static int
cmd_run (int argc, char **argv)
{
  double seed = -1;
  int parallel = 1;
  gboolean allow_external = FALSE;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "seed", 's', 0, G_OPTION_ARG_DOUBLE, &seed, N_("Seed of these runs (default: each experiment's)"), N_("N") },
    { "parallel", 'p', 0, G_OPTION_ARG_INT, &parallel, N_("How many runs train at once (default 1)"), N_("N") },
    { "allow-external", 0, 0, G_OPTION_ARG_NONE, &allow_external, N_("Let the project's teacher programs run"), NULL },
    { NULL }
  };
  if (!parse ("run", "FILE [EXPERIMENT…]",
              _("Run experiments (by name or id; default: every one) to their end, in background threads: "
                "a run for each of an experiment's seeds, or one with --seed."),
              entries, &argc, &argv, 1, G_MAXINT, &error))
    return fail ("run", error);
  if (allow_external)
    distillery_consent_allow_for_now (argv[1]);
  if (parallel < 1)
    return usage_error ("run", _("--parallel is at least 1"));

  /* Find every experiment and its seeds before anything starts. */
  g_autoptr(GArray) experiments = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) seeds = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) teachers = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
    g_autoptr(GPtrArray) all = NULL;
    if (store == NULL)
      return fail ("run", error);
    if (argc == 2 && (all = distillery_store_list_experiments (store, &error)) == NULL)
      return fail ("run", error);
    for (guint i = 0; i < (all ? all->len : (guint) argc - 2); i++)
      {
        g_autoptr(DistilleryStoreExperiment) x = NULL;
        g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
        g_autoptr(JsonParser) parser = json_parser_new ();
        gint64 id = all ? ((DistilleryStoreExperiment *) all->pdata[i])->id : find_experiment (store, argv[i + 2], &error);
        if (id <= 0 || (x = distillery_store_get_experiment (store, id, &error)) == NULL
            || !json_parser_load_from_data (parser, x->settings, -1, &error)
            || !distillery_experiment_merge_json (settings, json_parser_get_root (parser), &error))
          return fail ("run", error);
        add_untrained_teacher (store, x->teacher_id, teachers);
        for (int s = 0; s < (seed >= 0 ? 1 : MAX (settings->n_seeds, 1)); s++)
          {
            gint64 run_seed = seed >= 0 ? (gint64) seed
                                        : (gint64) (settings->n_seeds > 0 ? settings->seeds[s] : settings->seed);
            g_array_append_val (experiments, id);
            g_array_append_val (seeds, run_seed);
          }
      }
  }

  return run_all (argv[1], teachers, experiments, seeds, (guint) parallel);
}

/* The budgets' students, a run each, and agreement against questions. */
static int
cmd_sweep (int argc, char **argv)
{
  g_autofree char *budget_list = NULL;
  int parallel = 1;
  gboolean allow_external = FALSE;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "budgets", 'b', 0, G_OPTION_ARG_STRING, &budget_list, N_("Numbers of questions, one student each"), N_("N,N,...") },
    { "parallel", 'p', 0, G_OPTION_ARG_INT, &parallel, N_("How many runs train at once (default 1)"), N_("N") },
    { "allow-external", 0, 0, G_OPTION_ARG_NONE, &allow_external, N_("Let the project's teacher programs run"), NULL },
    { NULL }
  };
  if (!parse ("sweep", "FILE EXPERIMENT", _("Train one student per query budget and show how much each learned."),
              entries, &argc, &argv, 2, 2, &error))
    return fail ("sweep", error);
  if (budget_list == NULL || parallel < 1)
    return usage_error ("sweep", _("give --budgets N,N,... (and --parallel at least 1)"));
  if (allow_external)
    distillery_consent_allow_for_now (argv[1]);
  g_auto(GStrv) parts = g_strsplit (budget_list, ",", -1);
  guint n = g_strv_length (parts);
  g_autofree gint64 *budgets = g_new (gint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, G_MAXINT64, &v, NULL))
        return usage_error ("sweep", _("--budgets takes whole numbers above zero, separated by commas"));
      budgets[i] = (gint64) v;
    }

  g_autoptr(GArray) experiments = NULL;
  {
    g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
    gint64 experiment = store ? find_experiment (store, argv[2], &error) : 0;
    if (experiment <= 0
        || (experiments = distillery_project_add_budget_sweep (store, experiment, budgets, n, &error)) == NULL)
      return fail ("sweep", error);
  }
  int status = run_all (argv[1], NULL, experiments, NULL, (guint) parallel);

  g_autoptr(DistilleryStore) store = open_project (argv[1], TRUE, &error);
  if (store == NULL)
    return fail ("sweep", error);
  printf ("%10s  %10s  %10s\n", _("Questions"), _("Accuracy"), _("Agreement"));
  for (guint i = 0; i < experiments->len; i++)
    {
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, g_array_index (experiments, gint64, i), NULL);
      DistilleryStoreRun *last = runs && runs->len ? runs->pdata[runs->len - 1] : NULL;
      g_autofree char *accuracy = distillery_cli_percent (last ? distillery_project_run_metric (last->final_metrics, "accuracy") : NAN);
      g_autofree char *agreement = distillery_cli_percent (last ? distillery_project_run_metric (last->final_metrics, "agreement") : NAN);
      printf ("%10" PRId64 "  %10s  %10s\n", budgets[i], accuracy, agreement);
    }
  return status;
}

static int
cmd_resume (int argc, char **argv)
{
  GError *error = NULL;
  gboolean allow_external = FALSE;
  GOptionEntry entries[] = {
    { "allow-external", 0, 0, G_OPTION_ARG_NONE, &allow_external, N_("Let the project's teacher programs run"), NULL },
    { NULL }
  };
  if (!parse ("resume", "FILE [RUN]", _("Continue an interrupted or paused run from its last checkpoint (default: the latest)."),
              entries, &argc, &argv, 1, 2, &error))
    return fail ("resume", error);
  if (allow_external)
    distillery_consent_allow_for_now (argv[1]);
  g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
  if (store == NULL)
    return fail ("resume", error);
  gint64 run = 0;
  if (argc > 2)
    {
      guint64 id;
      if (!g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &id, NULL))
        return usage_error ("resume", _("RUN is a run number, as “distillery-cli list” shows"));
      run = (gint64) id;
    }
  else
    {
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, -1, &error);
      if (runs == NULL)
        return fail ("resume", error);
      for (guint i = 0; i < runs->len; i++)
        {
          DistilleryStoreRun *r = runs->pdata[i];
          if (r->status == DISTILLERY_RUN_INTERRUPTED || r->status == DISTILLERY_RUN_PAUSED)
            run = r->id;
        }
      if (run == 0)
        return usage_error ("resume", _("no run of this project was interrupted"));
    }
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (argv[1], &error);
  if (writer == NULL
      || !distillery_project_resume (store, writer, run, &cli_observer, &error))
    return fail ("resume", error);
  printf (_("Run %" PRId64 " finished.\n"), run);
  return 0;
}

static void
write_json_runs (GPtrArray *runs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < runs->len; i++)
    {
      DistilleryStoreRun *r = runs->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, r->id);
      json_builder_set_member_name (b, "experiment");
      json_builder_add_int_value (b, r->experiment_id);
      json_builder_set_member_name (b, "teacher");
      json_builder_add_int_value (b, r->teacher_id);
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, (gint64) r->seed);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, distillery_run_status_to_string (r->status));
      json_builder_set_member_name (b, "epochs");
      json_builder_add_int_value (b, r->epochs_done);
      json_builder_set_member_name (b, "metrics");
      g_autoptr(JsonNode) metrics = r->final_metrics ? json_from_string (r->final_metrics, NULL) : NULL;
      json_builder_add_value (b, metrics ? g_steal_pointer (&metrics) : json_node_new (JSON_NODE_NULL));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, TRUE);
  printf ("%s\n", text);
}

static const char *const metric_names[] = { "accuracy", "agreement", "kl", "ece", "seconds", "samples_per_second" };

static int
cmd_report (int argc, char **argv)
{
  g_autofree char *format = NULL;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("text (default), csv or json"), N_("FORMAT") },
    { NULL }
  };
  if (!parse ("report", "FILE", _("Report every run's final metrics."), entries, &argc, &argv, 1, 1, &error))
    return fail ("report", error);
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    return usage_error ("report", _("--format is text, csv or json"));
  g_autoptr(DistilleryStore) store = open_project (argv[1], TRUE, &error);
  g_autoptr(GPtrArray) runs = store ? distillery_store_list_runs (store, -1, &error) : NULL;
  if (runs == NULL)
    return fail ("report", error);

  if (format != NULL && g_str_equal (format, "json"))
    {
      write_json_runs (runs);
      return 0;
    }
  gboolean csv = format != NULL && g_str_equal (format, "csv");
  if (csv)
    printf ("run,experiment,teacher,seed,status,epochs,%s\n", "accuracy,agreement,kl,ece,seconds,samples_per_second");
  else
    printf ("%4s %10s %7s %6s %-11s %6s %9s %9s %7s %7s %8s %10s\n", _("Run"), _("Experiment"), _("Teacher"),
            _("Seed"), _("Status"), _("Epochs"), _("Accuracy"), _("Agreement"), _("KL"), _("ECE"), _("Seconds"),
            _("Samples/s"));
  for (guint i = 0; i < runs->len; i++)
    {
      DistilleryStoreRun *r = runs->pdata[i];
      double v[G_N_ELEMENTS (metric_names)];
      for (guint m = 0; m < G_N_ELEMENTS (metric_names); m++)
        v[m] = distillery_project_run_metric (r->final_metrics, metric_names[m]);
      if (csv)
        {
          printf ("%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT ",%s,%d",
                  r->id, r->experiment_id, r->teacher_id, r->seed,
                  distillery_run_status_to_string (r->status), r->epochs_done);
          for (guint m = 0; m < G_N_ELEMENTS (v); m++)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];
              printf (",%s", isnan (v[m]) ? "" : g_ascii_dtostr (buf, sizeof buf, v[m]));
            }
          printf ("\n");
        }
      else
        {
          g_autofree char *acc = distillery_cli_percent (v[0]);
          g_autofree char *agree = distillery_cli_percent (v[1]);
          g_autofree char *kl = number ("%.4f", v[2]);
          g_autofree char *ece = number ("%.4f", v[3]);
          g_autofree char *secs = number ("%.2f", v[4]);
          g_autofree char *rate = number ("%.0f", v[5]);
          printf ("%4" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %7" G_GINT64_FORMAT " %6" G_GUINT64_FORMAT
                  " %-11s %6d %9s %9s %7s %7s %8s %10s\n",
                  r->id, r->experiment_id, r->teacher_id, r->seed,
                  distillery_run_status_to_string (r->status), r->epochs_done, acc, agree,
                  kl, ece, secs, rate);
        }
    }
  return 0;
}

/* The data set a run trained on, for its class names: the experiment's,
 * or for a teacher's own run the teacher's. */
static DistilleryStoreDataset *
run_dataset (DistilleryStore *store, const DistilleryStoreRun *r, GError **error)
{
  gint64 dataset;

  if (r->experiment_id != 0)
    {
      g_autoptr(DistilleryStoreExperiment) x = distillery_store_get_experiment (store, r->experiment_id, error);
      if (x == NULL)
        return NULL;
      dataset = x->dataset_id;
    }
  else
    {
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, r->teacher_id, error);
      if (t == NULL)
        return NULL;
      dataset = t->dataset_id;
    }
  return distillery_store_get_dataset (store, dataset, error);
}

/* The test accuracy of the teacher a student run learnt from, or NaN. */
static double
teacher_accuracy (DistilleryStore *store, const DistilleryStoreRun *r)
{
  g_autoptr(DistilleryStoreExperiment) x = r->experiment_id ? distillery_store_get_experiment (store, r->experiment_id, NULL) : NULL;
  g_autoptr(DistilleryStoreTeacher) t = x && x->teacher_id ? distillery_store_get_teacher (store, x->teacher_id, NULL) : NULL;
  g_autoptr(DistilleryStoreRun) trained = t && t->run_id ? distillery_store_get_run (store, t->run_id, NULL) : NULL;

  return trained ? distillery_project_run_metric (trained->final_metrics, "accuracy") : NAN;
}

/* Validation accuracy of every experiment on the run's data set, each a
 * curve of the mean over its finished runs with their min-max band. */
static DistilleryChart *
comparison_chart (DistilleryStore *store, gint64 dataset_id, GError **error)
{
  g_autoptr(GPtrArray) experiments = distillery_store_list_experiments (store, error);
  DistilleryChart *chart;

  if (experiments == NULL)
    return NULL;
  chart = distillery_run_chart_new_comparison (DISTILLERY_RUN_METRIC_VAL_ACCURACY);
  for (guint i = 0; i < experiments->len; i++)
    {
      DistilleryStoreExperiment *x = experiments->pdata[i];
      g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, x->id, error);
      g_autoptr(GPtrArray) epochs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
      if (runs == NULL)
        {
          g_object_unref (chart);
          return NULL;
        }
      if (x->dataset_id != dataset_id)
        continue;
      for (guint k = 0; k < runs->len; k++)
        {
          DistilleryStoreRun *r = runs->pdata[k];
          GArray *rows = r->status == DISTILLERY_RUN_FINISHED ? distillery_store_get_epochs (store, r->id, NULL) : NULL;
          if (rows != NULL)
            g_ptr_array_add (epochs, rows);
        }
      if (epochs->len > 0)
        {
          g_autofree char *name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%u run)", "%s (%u runs)", epochs->len),
                                                   x->name, epochs->len);
          distillery_run_chart_add_group (chart, DISTILLERY_RUN_METRIC_VAL_ACCURACY, name, epochs);
        }
    }
  return chart;
}

/* Writes the run's standard charts into dir, named run-N-KIND, in each of
 * the formats. */
static gboolean
export_charts (DistilleryStore *store, const DistilleryStoreRun *r, const char *dir,
               const char *format_name, gboolean dark, GError **error)
{
  static const struct { DistilleryChartKind kind; const char *name; } kinds[] = {
    { DISTILLERY_CHART_LOSS, "loss" }, { DISTILLERY_CHART_ACCURACY, "accuracy" },
    { DISTILLERY_CHART_AGREEMENT, "agreement" }, { DISTILLERY_CHART_MATRIX, "matrix" },
    { DISTILLERY_CHART_COMPARISON, "comparison" },
  };
  DistilleryChartFormat formats[DISTILLERY_CHART_N_FORMATS];
  guint n_formats = 0;
  DistilleryChartStyle style;

  if (format_name == NULL || g_str_equal (format_name, "all"))
    for (guint f = 0; f < DISTILLERY_CHART_N_FORMATS; f++)
      formats[n_formats++] = f;
  else if (!distillery_chart_format_from_string (format_name, &formats[n_formats++], error))
    return FALSE;
  if (dark)
    distillery_chart_style_init_dark (&style);
  else
    distillery_chart_style_init_light (&style);

  g_autoptr(GArray) steps = distillery_store_get_steps (store, r->id, error);
  g_autoptr(GArray) epochs = steps ? distillery_store_get_epochs (store, r->id, error) : NULL;
  g_autoptr(DistilleryStoreDataset) dataset = epochs ? run_dataset (store, r, error) : NULL;
  if (dataset == NULL || g_mkdir_with_parents (dir, 0777) != 0)
    {
      if (dataset != NULL)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                     _("Cannot create the folder “%s”: %s."), dir, g_strerror (errno));
      return FALSE;
    }

  double teacher = teacher_accuracy (store, r);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(DistilleryChart) chart = NULL;
      if (kinds[k].kind == DISTILLERY_CHART_COMPARISON)
        {
          if ((chart = comparison_chart (store, dataset->id, error)) == NULL)
            return FALSE;
        }
      else
        {
          const DistilleryEpochRow *rows = (const DistilleryEpochRow *) epochs->data;
          chart = distillery_run_chart_new (kinds[k].kind, (const char *const *) dataset->class_names);
          distillery_run_chart_add_steps (chart, (const DistilleryStepRow *) steps->data, steps->len,
                                          distillery_run_chart_steps_per_epoch (rows, epochs->len));
          distillery_run_chart_add_epochs (chart, rows, epochs->len);
          if (kinds[k].kind == DISTILLERY_CHART_ACCURACY && !isnan (teacher))
            distillery_chart_add_reference_line (chart, 0, teacher, _("Teacher"));
        }
      for (guint f = 0; f < n_formats; f++)
        {
          g_autofree char *base = g_strdup_printf ("run-%" G_GINT64_FORMAT "-%s%s", r->id, kinds[k].name,
                                                   distillery_chart_format_suffix (formats[f]));
          g_autofree char *path = g_build_filename (dir, base, NULL);
          if (!distillery_chart_export (chart, &style, formats[f], 800, 500, path, error))
            return FALSE;
        }
    }
  return TRUE;
}

static int
cmd_export (int argc, char **argv)
{
  double run_arg = 0;
  gboolean dark = FALSE;
  g_autofree char *metrics_path = NULL, *student_path = NULL, *charts_dir = NULL, *format = NULL;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "run", 'r', 0, G_OPTION_ARG_DOUBLE, &run_arg, N_("The run to export"), N_("RUN") },
    { "metrics", 'm', 0, G_OPTION_ARG_FILENAME, &metrics_path, N_("Write its per-step and per-epoch metrics as CSV"), N_("FILE") },
    { "student", 0, 0, G_OPTION_ARG_FILENAME, &student_path, N_("Write its trained model"), N_("FILE") },
    { "charts", 'c', 0, G_OPTION_ARG_FILENAME, &charts_dir, N_("Write its loss, accuracy, agreement, matrix and comparison charts into DIR"), N_("DIR") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Chart format: png, png2x, svg, pdf, csv or all (default)"), N_("FORMAT") },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &dark, N_("Draw the charts in dark colours"), NULL },
    { NULL }
  };
  if (!parse ("export", "FILE", _("Export a run's metrics, charts or trained model."), entries, &argc, &argv, 1, 1, &error))
    return fail ("export", error);
  if (run_arg < 1 || (metrics_path == NULL && student_path == NULL && charts_dir == NULL))
    return usage_error ("export", _("give --run RUN and --metrics FILE, --charts DIR or --student FILE"));
  g_autoptr(DistilleryStore) store = open_project (argv[1], TRUE, &error);
  gint64 run = (gint64) run_arg;
  g_autoptr(DistilleryStoreRun) r = store ? distillery_store_get_run (store, run, &error) : NULL;
  if (r == NULL)
    return fail ("export", error);

  if (metrics_path != NULL)
    {
      g_autoptr(GArray) steps = distillery_store_get_steps (store, run, &error);
      g_autoptr(GArray) epochs = steps ? distillery_store_get_epochs (store, run, &error) : NULL;
      if (epochs == NULL)
        return fail ("export", error);
      GString *out = g_string_new ("kind,epoch,step,wall,loss,loss_kd,loss_ce,learning_rate,"
                                   "val_loss,val_accuracy,val_agreement,val_kl,val_ece\n");
      guint e = 0;
      for (guint i = 0; i <= steps->len; i++)
        {
          const DistilleryStepRow *s = i < steps->len ? &g_array_index (steps, DistilleryStepRow, i) : NULL;
          /* Each epoch's row follows its last step. */
          while (e < epochs->len && (s == NULL || g_array_index (epochs, DistilleryEpochRow, e).step < s->step))
            {
              const DistilleryEpochRow *x = &g_array_index (epochs, DistilleryEpochRow, e++);
              g_string_append_printf (out, "epoch,%d,%" G_GINT64_FORMAT ",%.3f,%.6g,,,,%.6g,%.6g,%.6g,%.6g,%.6g\n",
                                      x->epoch, x->step, x->wall, x->train_loss, x->val_loss,
                                      x->val_accuracy, x->val_agreement, x->val_kl, x->val_ece);
            }
          if (s != NULL)
            g_string_append_printf (out, "step,%d,%" G_GINT64_FORMAT ",%.3f,%.6g,%.6g,%.6g,%.6g,,,,,\n",
                                    s->epoch, s->step, s->wall, s->loss, s->loss_kd, s->loss_ce, s->learning_rate);
        }
      gboolean ok = g_file_set_contents (metrics_path, out->str, (gssize) out->len, &error);
      g_string_free (out, TRUE);
      if (!ok)
        return fail ("export", error);
    }
  if (charts_dir != NULL && !export_charts (store, r, charts_dir, format, dark, &error))
    return fail ("export", error);
  if (student_path != NULL)
    {
      g_autoptr(GBytes) model = distillery_store_get_model (store, run, &error);
      gsize size;
      const void *data;
      if (model == NULL)
        return fail ("export", error);
      data = g_bytes_get_data (model, &size);
      if (!g_file_set_contents (student_path, data, (gssize) size, &error))
        return fail ("export", error);
    }
  return 0;
}

/* The project's only data set, or the one asked for. */
static gint64
pick_dataset (DistilleryStore *store, gint64 asked, GError **error)
{
  g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, error);
  if (datasets == NULL)
    return 0;
  if (asked > 0)
    {
      g_autoptr(DistilleryStoreDataset) d = distillery_store_get_dataset (store, asked, error);
      return d ? d->id : 0;
    }
  if (datasets->len != 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           datasets->len == 0 ? _("The project has no data set; import one first.")
                                              : _("The project has several data sets; say which with --dataset."));
      return 0;
    }
  return ((DistilleryStoreDataset *) datasets->pdata[0])->id;
}

/* "1,2.5,0" -> n numbers; NULL (and a usage message) on anything else. */
static double *
parse_weights (const char *text, guint *n)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autofree double *weights = g_new (double, MAX (g_strv_length (parts), 1));

  *n = g_strv_length (parts);
  for (guint i = 0; i < *n; i++)
    {
      char *end = NULL;
      weights[i] = g_ascii_strtod (g_strstrip (parts[i]), &end);
      if (end == parts[i] || *end != '\0')
        return NULL;
    }
  return g_steal_pointer (&weights);
}

/* --change ID: an ensemble's weights, or a program's command and time-out. */
static int
change_teacher (DistilleryStore *store, gint64 id, const char *weight_list, const char *program, int timeout_ms)
{
  GError *error = NULL;

  if ((weight_list != NULL) == (program != NULL || timeout_ms > 0))
    return usage_error ("teacher", _("with --change, give --weights W,W,... (an ensemble), or --program COMMAND, --timeout MS or both (a program)"));
  if (weight_list != NULL)
    {
      guint n;
      g_autofree double *weights = parse_weights (weight_list, &n);
      if (weights == NULL)
        return usage_error ("teacher", _("--weights takes numbers separated by commas"));
      if (!distillery_project_set_ensemble_weights (store, id, weights, n, &error))
        return fail ("teacher", error);
    }
  else
    {
      g_auto(GStrv) program_argv = NULL;
      if (program != NULL && !g_shell_parse_argv (program, NULL, &program_argv, &error))
        return fail ("teacher", error);
      if (!distillery_project_set_program_command (store, id, (const char *const *) program_argv,
                                                   timeout_ms > 0 ? (guint) timeout_ms : 0, &error))
        return fail ("teacher", error);
    }
  gint64 cached = distillery_project_count_cached_answers (store, id, &error);
  if (cached < 0)
    return fail ("teacher", error);
  printf (g_dngettext (GETTEXT_PACKAGE, "Changed teacher %" PRId64 "; %" PRId64 " answer stays cached.\n",
                       "Changed teacher %" PRId64 "; %" PRId64 " answers stay cached.\n", (gulong) cached),
          id, cached);
  return 0;
}

static int
cmd_teacher (int argc, char **argv)
{
  g_autofree char *answers = NULL, *kind_name = NULL, *id_column = NULL, *name = NULL;
  g_autofree char *ensemble = NULL, *weight_list = NULL, *mode = NULL, *program = NULL;
  gint64 dataset = 0, change = 0;
  int timeout_ms = -1;
  double temperature = 1;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The teacher's name"), N_("NAME") },
    { "answers", 0, 0, G_OPTION_ARG_FILENAME, &answers, N_("Answers recorded elsewhere: a CSV or .npy file, one row per sample"), N_("FILE") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_name, N_("What the recorded answers are: logits or probabilities"), N_("KIND") },
    { "id-column", 0, 0, G_OPTION_ARG_STRING, &id_column, N_("The CSV column that numbers the samples (default: row order)"), N_("NAME") },
    { "dataset", 0, 0, G_OPTION_ARG_INT64, &dataset, N_("The data set they answer about (default: the only one)"), N_("ID") },
    { "ensemble", 0, 0, G_OPTION_ARG_STRING, &ensemble, N_("An ensemble of these teachers"), N_("ID,ID,...") },
    { "weights", 0, 0, G_OPTION_ARG_STRING, &weight_list, N_("Their weights (default: equal)"), N_("W,W,...") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, N_("Average probabilities (default) or logits"), N_("MODE") },
    { "temperature", 'T', 0, G_OPTION_ARG_DOUBLE, &temperature, N_("The ensemble's temperature (default 1)"), N_("T") },
    { "program", 0, 0, G_OPTION_ARG_STRING, &program, N_("A program that answers (docs/teacher-protocol.md); run without a shell"), N_("COMMAND") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_ms, N_("Milliseconds the program may take per batch (default 10000)"), N_("MS") },
    { "change", 0, 0, G_OPTION_ARG_INT64, &change, N_("Change this teacher instead of adding one: an ensemble's --weights, or a program's --program or --timeout"), N_("ID") },
    { NULL }
  };
  if (!parse ("teacher", "FILE", _("Add a teacher: answers recorded elsewhere, an ensemble, or a program."),
              entries, &argc, &argv, 1, 1, &error))
    return fail ("teacher", error);
  if (timeout_ms == 0 || timeout_ms < -1)
    return usage_error ("teacher", _("--timeout is a number of milliseconds above zero"));
  if (change == 0 && ((answers != NULL) + (ensemble != NULL) + (program != NULL) != 1 || name == NULL))
    return usage_error ("teacher", _("give --name and one of --answers FILE --kind KIND, --ensemble ID,ID or --program COMMAND"));
  if (change != 0 && (answers != NULL || ensemble != NULL || name != NULL))
    return usage_error ("teacher", _("--change changes a teacher's weights or program; it takes no --name, --answers or --ensemble"));
  g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
  if (store == NULL)
    return fail ("teacher", error);
  if (change != 0)
    return change_teacher (store, change, weight_list, program, timeout_ms);

  gint64 id = 0;
  if (program != NULL)
    {
      g_auto(GStrv) program_argv = NULL;
      /* Split as a shell would, but it is never run by one. */
      if (!g_shell_parse_argv (program, NULL, &program_argv, &error)
          || (dataset = pick_dataset (store, dataset, &error)) == 0
          || (id = distillery_project_add_program_teacher (store, name, dataset, (const char *const *) program_argv,
                                                           timeout_ms > 0 ? (guint) timeout_ms : 10000, &error)) == 0)
        return fail ("teacher", error);
    }
  else if (answers != NULL)
    {
      DistilleryAnswerKind kind;
      if (!distillery_answer_kind_from_string (kind_name, &kind)
          || (kind != DISTILLERY_ANSWER_LOGITS && kind != DISTILLERY_ANSWER_PROBABILITIES))
        return usage_error ("teacher", _("--kind is “logits” or “probabilities”"));
      if ((dataset = pick_dataset (store, dataset, &error)) == 0
          || (id = distillery_project_import_answers (store, dataset, name, answers, kind, id_column, &error)) == 0)
        return fail ("teacher", error);
    }
  else
    {
      g_auto(GStrv) ids = g_strsplit (ensemble, ",", -1);
      guint n = g_strv_length (ids), n_weights = n;
      g_autofree gint64 *members = g_new (gint64, MAX (n, 1));
      g_autofree double *weights = weight_list ? parse_weights (weight_list, &n_weights) : NULL;
      if (weight_list != NULL && weights == NULL)
        return usage_error ("teacher", _("--weights takes numbers separated by commas"));
      if (n_weights != n)
        return usage_error ("teacher", _("give one weight per teacher"));
      for (guint i = 0; i < n; i++)
        {
          guint64 v;
          if (!g_ascii_string_to_unsigned (g_strstrip (ids[i]), 10, 1, G_MAXINT64, &v, NULL))
            return usage_error ("teacher", _("--ensemble takes teacher numbers, as “distillery-cli list” shows"));
          members[i] = (gint64) v;
        }
      if (mode != NULL && !g_str_equal (mode, "probabilities") && !g_str_equal (mode, "logits"))
        return usage_error ("teacher", _("--mode is “probabilities” or “logits”"));
      id = distillery_project_add_ensemble (store, name, members, weights, n, g_strcmp0 (mode, "logits") == 0,
                                            temperature, &error);
      if (id == 0)
        return fail ("teacher", error);
    }
  printf (_("Added teacher %" PRId64 ".\n"), id);
  return 0;
}

static int
cmd_experiment (int argc, char **argv)
{
  g_autofree char *name = NULL, *teacher = NULL, *reveals = NULL, *settings_path = NULL, *seeds = NULL;
  g_autofree char *selection = NULL;
  gint64 dataset = 0, budget = 0;
  int digits = -1;
  GError *error = NULL;
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The experiment's name"), N_("NAME") },
    { "teacher", 't', 0, G_OPTION_ARG_STRING, &teacher, N_("The teacher it distils from, or “none”"), N_("ID") },
    { "dataset", 0, 0, G_OPTION_ARG_INT64, &dataset, N_("The data set (default: the teacher's, or the only one)"), N_("ID") },
    { "reveals", 0, 0, G_OPTION_ARG_STRING, &reveals, N_("What the teacher reveals: logits, probabilities, probabilities:N, top-k:K or labels"), N_("POLICY") },
    { "budget", 0, 0, G_OPTION_ARG_INT64, &budget, N_("Questions the teacher may be asked (default: no limit)"), N_("N") },
    { "select", 0, 0, G_OPTION_ARG_STRING, &selection, N_("Which samples a budget pays for: random (default) or uncertain (the most uncertain first)"), N_("HOW") },
    { "experiment", 'e', 0, G_OPTION_ARG_FILENAME, &settings_path, N_("Settings, as experiment JSON"), N_("FILE") },
    { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds, N_("Seeds, one run each"), N_("1,2,3") },
    { NULL }
  };
  if (!parse ("experiment", "FILE", _("Add an experiment: a student, the teacher it learns from and what it is shown."),
              entries, &argc, &argv, 1, 1, &error))
    return fail ("experiment", error);
  if (name == NULL || teacher == NULL)
    return usage_error ("experiment", _("give --name and --teacher (a teacher's number, or “none”)"));
  g_autoptr(DistilleryStore) store = open_project (argv[1], FALSE, &error);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  if (store == NULL)
    return fail ("experiment", error);

  gint64 teacher_id = 0;
  if (!g_str_equal (teacher, "none"))
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (teacher, 10, 1, G_MAXINT64, &v, NULL))
        return usage_error ("experiment", _("--teacher takes a teacher's number, as “distillery-cli list” shows, or “none”"));
      g_autoptr(DistilleryStoreTeacher) t = distillery_store_get_teacher (store, (gint64) v, &error);
      if (t == NULL)
        return fail ("experiment", error);
      teacher_id = t->id;
      if (dataset == 0)
        dataset = t->dataset_id;
    }
  if ((dataset = pick_dataset (store, dataset, &error)) == 0
      || (settings_path != NULL && !distillery_experiment_merge_file (settings, settings_path, &error))
      || (seeds != NULL && !distillery_parse_seeds (seeds, settings, &error)))
    return fail ("experiment", error);
  if (reveals != NULL)
    {
      static const KdTeacherKind engine[] = { KD_TEACHER_LOGITS, KD_TEACHER_PROBS, KD_TEACHER_TOPK, KD_TEACHER_LABEL };
      DistilleryDisclosure policy;
      distillery_disclosure_init_full (&policy);
      if (!distillery_disclosure_parse (&policy, reveals, &error))
        return fail ("experiment", error);
      settings->student.teacher_kind = engine[policy.reveals];
      settings->student.top_k = policy.top_k;
      digits = policy.digits;
      settings->round_digits = digits;
    }
  if (budget < 0)
    return usage_error ("experiment", _("--budget is a number of questions"));
  settings->budget = budget;
  if (selection != NULL && !g_str_equal (selection, "random") && !g_str_equal (selection, "uncertain"))
    return usage_error ("experiment", _("--select is “random” or “uncertain”"));
  if (selection != NULL)
    settings->selection = g_str_equal (selection, "uncertain") ? DISTILLERY_SELECT_UNCERTAIN : DISTILLERY_SELECT_RANDOM;
  gint64 id = distillery_project_add_experiment (store, name, dataset, teacher_id, settings, &error);
  if (id == 0)
    return fail ("experiment", error);
  printf (_("Added experiment %" PRId64 ".\n"), id);
  return 0;
}

int
distillery_cli_project (const char *verb, int argc, char **argv)
{
  static const struct { const char *name; int (*run) (int, char **); } verbs[] = {
    { "new", cmd_new }, { "import", cmd_import }, { "list", cmd_list }, { "run", cmd_run },
    { "resume", cmd_resume }, { "report", cmd_report }, { "export", cmd_export },
    { "teacher", cmd_teacher }, { "experiment", cmd_experiment }, { "sweep", cmd_sweep },
  };
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (verb, verbs[i].name))
      return verbs[i].run (argc, argv);
  return -1;
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * distillery-cli: the workbench without a window, for scripts, servers,
 * CI and benchmarks. It runs on the same layers as the application.
 *
 *   distillery-cli train [--experiment FILE] [flags]   teacher + two students
 *   distillery-cli bench [--compare]                   training throughput
 *   distillery-cli new|import|list|run|resume|report|export FILE ...
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "distillery-bench.h"
#include "distillery-cli-project.h"
#include "distillery-training.h"
#include "kd-blas.h"

static void
print_row (const DistilleryModelResult *r, gboolean is_teacher)
{
  g_autofree char *acc = distillery_cli_percent (r->accuracy);
  g_autofree char *agree = is_teacher ? g_strdup ("—") : distillery_cli_percent (r->agreement);
  g_autofree char *kl = is_teacher ? g_strdup ("—") : g_strdup_printf ("%.4f", r->kl);

  printf ("%-20s %-18s %9" G_GSIZE_FORMAT " %9s %10s %8s %7.4f %8.2f %10.0f\n",
          r->name, r->architecture, r->n_params, acc, agree, kl, r->ece,
          r->seconds, r->samples_per_second);
}

static int
cmd_train (int argc, char **argv)
{
  g_autofree char *experiment_path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *label_column = NULL;
  g_autofree char *teacher_hidden = NULL;
  g_autofree char *student_hidden = NULL;
  g_autofree char *dump = NULL;
  int epochs = 0, teacher_epochs = 0, threads = 0;
  double temperature = 0, alpha = -1, seed = -1;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "experiment", 'e', 0, G_OPTION_ARG_FILENAME, &experiment_path, N_("Read settings from an experiment JSON file"), N_("FILE") },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &data, N_("Data set: demo (default) or fashion-mnist"), N_("NAME") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, N_("Train on a CSV file (header row, numeric features)"), N_("FILE") },
    { "label-column", 0, 0, G_OPTION_ARG_STRING, &label_column, N_("Name of the CSV column holding the class (default: the last)"), N_("NAME") },
    { "teacher-hidden", 0, 0, G_OPTION_ARG_STRING, &teacher_hidden, N_("Teacher hidden layer sizes"), "256,256" },
    { "student-hidden", 0, 0, G_OPTION_ARG_STRING, &student_hidden, N_("Student hidden layer sizes"), "32" },
    { "epochs", 0, 0, G_OPTION_ARG_INT, &epochs, N_("Student epochs"), N_("N") },
    { "teacher-epochs", 0, 0, G_OPTION_ARG_INT, &teacher_epochs, N_("Teacher epochs"), N_("N") },
    { "temperature", 'T', 0, G_OPTION_ARG_DOUBLE, &temperature, N_("Distillation temperature"), "T" },
    { "alpha", 'a', 0, G_OPTION_ARG_DOUBLE, &alpha, N_("Weight of the teacher's soft targets, 0 to 1"), N_("ALPHA") },
    { "seed", 's', 0, G_OPTION_ARG_DOUBLE, &seed, N_("Random seed"), N_("N") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("BLAS threads (default: all cores)"), N_("N") },
    { "dump-experiment", 0, 0, G_OPTION_ARG_FILENAME, &dump, N_("Write the settings used as experiment JSON to FILE"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— train a teacher, then a distilled and a plain student"));
  g_autoptr(DistilleryExperiment) e = distillery_experiment_new_demo ();
  DistilleryComparison result;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("Unexpected argument “%s”."), argv[1]);
      goto fail;
    }

  if (experiment_path != NULL && !distillery_experiment_merge_file (e, experiment_path, &error))
    goto fail;
  if (data != NULL)
    {
      if (g_str_equal (data, "demo"))
        e->data.kind = DISTILLERY_SOURCE_DEMO;
      else if (g_str_equal (data, "fashion-mnist"))
        e->data.kind = DISTILLERY_SOURCE_FASHION_MNIST;
      else
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("Unknown data set “%s”: use demo, fashion-mnist, or --csv FILE."), data);
          goto fail;
        }
    }
  if (csv != NULL)
    {
      e->data.kind = DISTILLERY_SOURCE_CSV;
      g_free (e->data.csv_path);
      e->data.csv_path = g_steal_pointer (&csv);
    }
  if (label_column != NULL)
    {
      g_free (e->data.label_column);
      e->data.label_column = g_steal_pointer (&label_column);
    }
  if ((teacher_hidden != NULL && !distillery_parse_hidden (teacher_hidden, &e->teacher.model, &error))
      || (student_hidden != NULL && !distillery_parse_hidden (student_hidden, &e->student.model, &error)))
    goto fail;
  if (epochs > 0)
    e->student.epochs = epochs;
  if (teacher_epochs > 0)
    e->teacher.epochs = teacher_epochs;
  if (temperature > 0)
    e->student.temperature = (float) temperature;
  if (alpha >= 0)
    e->student.alpha = (float) alpha;
  if (seed >= 0)
    e->seed = (guint64) seed;
  kd_blas_set_threads (threads);

  if (dump != NULL)
    {
      g_autoptr(JsonNode) node = distillery_experiment_to_json (e);
      g_autofree char *text = json_to_string (node, TRUE);
      if (!g_file_set_contents (dump, text, -1, &error))
        goto fail;
    }

  if (!distillery_run_comparison (e, distillery_cli_progress, NULL, &result, &error))
    goto fail;

  printf (_("Trained on %u samples, tested on %u; seed %" PRIu64 ", T = %g, alpha = %g.\n\n"),
          result.n_train, result.n_test, e->seed, e->student.temperature, e->student.alpha);
  printf ("%-20s %-18s %9s %9s %10s %8s %7s %8s %10s\n",
          _("Model"), _("Architecture"), _("Params"), _("Test acc"), _("Agreement"),
          _("KL(T‖S)"), _("ECE"), _("Train s"), _("Samples/s"));
  print_row (&result.teacher, TRUE);
  print_row (&result.distilled, FALSE);
  print_row (&result.plain, FALSE);
  distillery_comparison_clear (&result);
  return 0;

fail:
  g_printerr ("distillery-cli train: %s\n", error->message);
  return 1;
}

static void
usage (FILE *out)
{
  fprintf (out, "%s",
           _("Usage: distillery-cli COMMAND [OPTIONS]\n"
             "\n"
             "Knowledge distillation without a window.\n"
             "\n"
             "Commands:\n"
             "  train     Train a teacher, then a student distilled from it and the same\n"
             "            student trained plainly; print their test accuracy, agreement\n"
             "            with the teacher and KL divergence\n"
             "  bench     Measure training throughput against the BLAS peak, and against\n"
             "            PyTorch with --compare\n"
             "\n"
             "Project files (.distillery):\n"
             "  new       Create a project; --demo fills it with the demo, --recipe\n"
             "            hinton-2015 with the experiments of Hinton et al. (2015)\n"
             "  import    Embed a data set (IDX or CSV) in a project\n"
             "  list      List a project's data sets, teachers, experiments and runs\n"
             "  teacher   Add a teacher: recorded answers, or an ensemble\n"
             "  experiment  Add an experiment: student, teacher, what it is shown\n"
             "  run       Run experiments (every one by default) to their end, a run\n"
             "            for each seed\n"
             "  sweep     One student per query budget: how much does each question buy?\n"
             "  resume    Continue an interrupted run from its last finished epoch\n"
             "  report    Every run's final metrics, as text, CSV or JSON\n"
             "  export    A run's metrics as CSV, or its trained model\n"
             "\n"
             "Options:\n"
             "  -h, --help      Show this help, or a command's with COMMAND --help\n"
             "  --version       Show the version\n"));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("distillery-cli %s (%s)\n", PACKAGE_VERSION, kd_blas_describe ());
      return 0;
    }
  if (g_str_equal (argv[1], "train"))
    return cmd_train (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "bench"))
    return distillery_cli_bench (argc - 1, argv + 1);
  int status = distillery_cli_project (argv[1], argc - 1, argv + 1);
  if (status >= 0)
    return status;

  g_printerr (_("distillery-cli: unknown command “%s”. Try “distillery-cli --help”.\n"), argv[1]);
  return 2;
}

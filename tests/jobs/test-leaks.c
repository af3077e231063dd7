/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 1000 runs started and cancelled at different moments leak nothing. This
 * program is linked with AddressSanitizer, whose leak checker looks at
 * every allocation in the process when it exits (the project's libraries
 * need no instrumentation for that) and fails the test on any block no
 * longer reachable. Each cycle also checks the job ended as cancelled, or
 * finished when the cancel came too late to matter.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "distillery-project.h"
#include "distillery-run-queue.h"

#define CYCLES 1000

static void
test_start_cancel_cycles (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("distillery-leaks-XXXXXX", &error);
  g_autofree char *template = g_build_filename (dir, "template.distillery", NULL);
  g_autofree char *path = NULL;
  gint64 experiment;
  int cancelled = 0, finished = 0;

  g_assert_no_error (error);
  {
    g_autoptr(DistilleryStore) store = distillery_project_new_demo (template, NULL, &error);
    g_assert_no_error (error);
    g_autoptr(DistilleryStoreExperiment) x = distillery_store_find_experiment (store, "Plain student", &error);
    g_assert_no_error (error);
    experiment = x->id;
  }

  g_autoptr(DistilleryRunQueue) queue = distillery_run_queue_new (2);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  for (int i = 0; i < CYCLES; i++)
    {
      /* A fresh copy of the project every 50 cycles keeps the file, and
       * the integrity check each worker's open makes, small. */
      if (i % 50 == 0)
        {
          while (distillery_run_queue_get_n_pending (queue) > 0)
            g_main_context_iteration (NULL, TRUE);
          g_free (path);
          path = g_strdup_printf ("%s/copy-%d.distillery", dir, i / 50);
          g_autoptr(GFile) from = g_file_new_for_path (template);
          g_autoptr(GFile) to = g_file_new_for_path (path);
          g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
          g_assert_no_error (error);
        }
      g_autoptr(DistilleryJob) job = distillery_job_new_run (path, experiment, i);
      distillery_run_queue_add (queue, job);
      /* Cancel a third before they start, a third at their first step and
       * a third a few steps later (or when they end, if sooner). */
      gint64 until_step = i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 2 + g_rand_int_range (rand, 0, 30);
      while (distillery_job_get_step (job) < until_step
             && distillery_job_get_status (job) <= DISTILLERY_RUN_RUNNING)
        g_main_context_iteration (NULL, TRUE);
      distillery_job_cancel (job);
      while (distillery_run_queue_get_n_pending (queue) > 1)
        g_main_context_iteration (NULL, TRUE);
    }
  while (distillery_run_queue_get_n_pending (queue) > 0)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (queue)); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (G_LIST_MODEL (queue), i);
      DistilleryRunStatus status = distillery_job_get_status (job);
      g_assert_true (status == DISTILLERY_RUN_CANCELLED || status == DISTILLERY_RUN_FINISHED);
      cancelled += status == DISTILLERY_RUN_CANCELLED;
      finished += status == DISTILLERY_RUN_FINISHED;
    }
  g_test_message ("%d cancelled, %d finished before the cancel arrived", cancelled, finished);
  g_assert_cmpint (cancelled, >, CYCLES / 2);
  g_rand_free (rand);
  (void) finished;

  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jobs/leaks/start-cancel-cycles", test_start_cancel_cycles);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project survives a training process killed at any moment. A real
 * distillery-cli child runs an experiment into a project file and is
 * killed with SIGKILL at random moments, at least 20 times. After each
 * kill the file passes SQLite's integrity check, every epoch committed
 * before the kill is there and equal to the same epoch of an uninterrupted
 * run with the same seed, the run reads as interrupted, and resuming it
 * ends with the very weights of the uninterrupted run.
 *
 * The random delay before each kill is what is under test (where in the
 * run the process dies), not a stand-in for waiting on something.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "distillery-project.h"
#include "distillery-run-queue.h"

#define KILLS 20

static const char *cli_path;

static GBytes *
final_model (DistilleryStore *store, gint64 run)
{
  g_autoptr(GError) error = NULL;
  GBytes *model = distillery_store_get_model (store, run, &error);
  g_assert_no_error (error);
  return model;
}

static gint64
latest_run (DistilleryStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = distillery_store_list_runs (store, -1, &error);
  g_assert_no_error (error);
  gint64 latest = 0;
  for (guint i = 0; i < runs->len; i++)
    latest = MAX (latest, ((DistilleryStoreRun *) runs->pdata[i])->id);
  return latest;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Resumes as the application and the CLI do, through a queue of one: the
 * same BLAS thread setting as the killed run had, which the last bits of
 * its products depend on. */
static void
resume (const char *project, gint64 run)
{
  g_autoptr(DistilleryRunQueue) queue = distillery_run_queue_new (1);
  g_autoptr(DistilleryJob) job = distillery_job_new_resume (project, run);

  distillery_run_queue_add (queue, job);
  while (distillery_run_queue_get_n_pending (queue) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (distillery_job_get_status (job), ==, DISTILLERY_RUN_FINISHED);
}

static GPid
spawn_run (const char *project)
{
  const char *argv[] = { cli_path, "run", project, "Crash", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static void
test_kill_and_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("distillery-crash-XXXXXX", &error);
  g_autofree char *project = g_build_filename (dir, "crash.distillery", NULL);
  g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
  int status;

  g_assert_no_error (error);
  {
    g_autoptr(DistilleryStore) store = distillery_project_new_demo (project, NULL, &error);
    g_assert_no_error (error);
    settings->student.model.hidden[0] = 256;
    settings->student.epochs = 120;
    g_autoptr(DistilleryStoreExperiment) demo = distillery_store_find_experiment (store, "Distilled student", &error);
    g_assert_no_error (error);
    g_assert_cmpint (distillery_project_add_experiment (store, "Crash", demo->dataset_id, demo->teacher_id,
                                                        settings, &error), >, 0);
    g_assert_no_error (error);
  }

  /* The uninterrupted run, by the same program the kills hit. */
  gint64 start = g_get_monotonic_time ();
  GPid pid = spawn_run (project);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  gint64 duration = g_get_monotonic_time () - start;
  g_spawn_close_pid (pid);

  g_autoptr(DistilleryStore) store = distillery_store_open (project, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  gint64 reference = latest_run (store);
  g_autoptr(GBytes) expected = final_model (store, reference);
  g_autoptr(GArray) expected_epochs = distillery_store_get_epochs (store, reference, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected_epochs->len, ==, 120);
  g_clear_pointer (&store, distillery_store_close);
  g_test_message ("uninterrupted run: %.2f s", duration / 1e6);

  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  int interrupted = 0, mid_epoch = 0, before_start = 0, after_end = 0;
  for (int kill_n = 0; kill_n < KILLS; kill_n++)
    {
      gint64 before = 0;
      store = distillery_store_open (project, DISTILLERY_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      before = latest_run (store);
      g_clear_pointer (&store, distillery_store_close);

      pid = spawn_run (project);
      g_usleep ((gulong) (g_rand_double_range (rand, 0.02, 0.98) * duration));
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_spawn_close_pid (pid);

      assert_integrity (project);
      store = distillery_store_open (project, DISTILLERY_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      gint64 run = latest_run (store);
      if (run == before)
        {
          /* Killed before it created its run: nothing to check but the file. */
          before_start++;
          g_clear_pointer (&store, distillery_store_close);
          continue;
        }
      g_autoptr(DistilleryStoreRun) r = distillery_store_get_run (store, run, &error);
      g_assert_no_error (error);
      if (r->status == DISTILLERY_RUN_FINISHED)
        {
          g_autoptr(GBytes) model = final_model (store, run);
          g_assert_true (g_bytes_equal (model, expected));
          after_end++;
          g_clear_pointer (&store, distillery_store_close);
          continue;
        }
      g_assert_cmpstr (distillery_run_status_to_string (r->status), ==,
                       distillery_run_status_to_string (DISTILLERY_RUN_INTERRUPTED));
      interrupted++;

      /* Every committed epoch is whole and equal to the reference's. */
      g_autoptr(GArray) epochs = distillery_store_get_epochs (store, run, &error);
      g_assert_no_error (error);
      g_assert_cmpint (epochs->len, ==, r->epochs_done);
      for (guint e = 0; e < epochs->len; e++)
        {
          DistilleryEpochRow *got = &g_array_index (epochs, DistilleryEpochRow, e);
          DistilleryEpochRow *want = &g_array_index (expected_epochs, DistilleryEpochRow, e);
          g_assert_cmpint (got->epoch, ==, (int) e);
          g_assert_cmpint (got->step, ==, want->step);
          g_assert_cmpfloat (got->val_accuracy, ==, want->val_accuracy);
          g_assert_cmpfloat (got->val_kl, ==, want->val_kl);
          g_assert_cmpfloat (got->train_loss, ==, want->train_loss);
        }
      g_autoptr(GArray) steps = distillery_store_get_steps (store, run, &error);
      g_assert_no_error (error);
      if (epochs->len > 0)
        {
          DistilleryEpochRow *last = &g_array_index (epochs, DistilleryEpochRow, epochs->len - 1);
          g_assert_cmpuint (steps->len, >=, last->step + 1);
          int checkpoint_epoch = -2;
          g_autoptr(GBytes) checkpoint = distillery_store_get_checkpoint (store, run, "last", &checkpoint_epoch, &error);
          g_assert_no_error (error);
          g_assert_nonnull (checkpoint);
          g_assert_cmpint (checkpoint_epoch, ==, last->epoch);
          mid_epoch += steps->len > last->step + 1;
        }

      g_clear_pointer (&store, distillery_store_close);
      resume (project, run);
      store = distillery_store_open (project, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
      g_assert_no_error (error);
      g_autoptr(GBytes) model = final_model (store, run);
      g_assert_true (g_bytes_equal (model, expected));
      g_autoptr(GArray) resumed_epochs = distillery_store_get_epochs (store, run, &error);
      g_assert_cmpuint (resumed_epochs->len, ==, 120);
      g_clear_pointer (&store, distillery_store_close);
    }
  g_test_message ("%d of %d kills interrupted a run (%d with steps logged past the last epoch), "
                  "%d came before it started, %d after it finished",
                  interrupted, KILLS, mid_epoch, before_start, after_end);
  /* The kills are spread over the run, so most of them land inside it. */
  g_assert_cmpint (interrupted, >=, KILLS / 2);
  g_rand_free (rand);

  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cli_path = g_getenv ("DISTILLERY_CLI");
  g_assert_nonnull (cli_path);
  g_test_add_func ("/project/crash/kill-and-resume", test_kill_and_resume);
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An open project as the window holds it, on a plain GMainLoop: opening
 * in a thread (refusals included), changes committed by the writer and
 * announced, runs queued and ended, and every run paused at once before a
 * window closes.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "distillery-project.h"
#include "distillery-session.h"

static char *dir, *path;
static gint64 long_run;   /* an experiment that trains for seconds */

static void
wait_for (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

typedef struct
{
  gboolean           done;
  DistillerySession *session;
  GError            *error;
} Opened;

static void
opened (GObject *source, GAsyncResult *result, gpointer data)
{
  Opened *o = data;
  o->session = distillery_session_open_finish (result, &o->error);
  o->done = TRUE;
}

static DistillerySession *
open_session (const char *file, GError **error)
{
  Opened o = { 0 };
  distillery_session_open_async (file, NULL, opened, &o);
  wait_for (&o.done);
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.session;
}

static void
test_open_refuses (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_build_filename (dir, "notes.distillery", NULL);

  g_assert_true (g_file_set_contents (text, "not a project\n", -1, NULL));
  g_assert_null (open_session (text, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_SQLITE);
  g_unlink (text);
}

static void
count (gpointer instance, guint *n)
{
  (*n)++;
}

typedef struct
{
  gint64 id;
  char  *name;
} Rename;

static gboolean
write_rename (DistilleryStore *store, gpointer data, GError **error)
{
  Rename *r = data;
  return distillery_store_rename_experiment (store, r->id, r->name, error);
}

static void
rename_free (gpointer data)
{
  Rename *r = data;
  g_free (r->name);
  g_free (r);
}

typedef struct
{
  gboolean done;
  GError  *error;
} Written;

static void
written (GObject *source, GAsyncResult *result, gpointer data)
{
  Written *w = data;
  distillery_session_write_finish (DISTILLERY_SESSION (source), result, &w->error);
  w->done = TRUE;
}

/* A change made from the main thread is committed by the writer, then
 * announced; the session's own reader sees it. */
static void
test_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistillerySession) session = open_session (path, &error);
  g_assert_no_error (error);
  DistilleryStore *store = distillery_session_get_store (session);
  g_autoptr(DistilleryStoreExperiment) plain = distillery_store_find_experiment (store, "Plain student", &error);
  g_assert_no_error (error);
  guint changes = 0;
  Written w = { 0 };

  g_assert_cmpstr (distillery_session_get_name (session), ==, "Demo project");
  g_signal_connect (session, "changed", G_CALLBACK (count), &changes);
  Rename *r = g_new0 (Rename, 1);
  *r = (Rename) { plain->id, g_strdup ("Plain student, renamed") };
  distillery_session_write_async (session, write_rename, r, rename_free, written, &w);
  g_assert_cmpuint (changes, ==, 0);
  wait_for (&w.done);
  g_assert_no_error (w.error);
  g_assert_cmpuint (changes, ==, 1);
  g_autoptr(DistilleryStoreExperiment) renamed = distillery_store_get_experiment (store, plain->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renamed->name, ==, "Plain student, renamed");

  /* A refused change comes back with the store's error, and nothing is
   * announced. */
  Written refused = { 0 };
  r = g_new0 (Rename, 1);
  *r = (Rename) { plain->id, g_strdup ("Distilled student") };
  distillery_session_write_async (session, write_rename, r, rename_free, written, &refused);
  wait_for (&refused.done);
  g_assert_error (refused.error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS);
  g_clear_error (&refused.error);
  g_assert_cmpuint (changes, ==, 1);
}

static void
set_flag (gpointer instance, gboolean *flag)
{
  *flag = TRUE;
}

static void
paused (GObject *source, GAsyncResult *result, gpointer data)
{
  g_assert_true (distillery_session_pause_all_finish (DISTILLERY_SESSION (source), result, NULL));
  *(gboolean *) data = TRUE;
}

static void
set_when_stepping (DistilleryJob *job, GParamSpec *pspec, gboolean *flag)
{
  if (distillery_job_get_step (job) > 0)
    *flag = TRUE;
}

/* Two runs started, one trains and one waits; pausing all stops the one
 * training (it reads as paused, with its checkpoint) and drops the one
 * waiting, and the session says when it is done. */
static void
test_pause_all (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistillerySession) session = open_session (path, &error);
  g_assert_no_error (error);
  DistilleryStore *store = distillery_session_get_store (session);
  gboolean stepping = FALSE, done = FALSE;

  DistilleryJob *first = distillery_session_start_run (session, long_run, 1);
  DistilleryJob *second = distillery_session_start_run (session, long_run, 2);
  g_assert_cmpuint (distillery_session_get_n_active (session), ==, 2);
  g_signal_connect (first, "notify::step", G_CALLBACK (set_when_stepping), &stepping);
  wait_for (&stepping);
  distillery_session_pause_all_async (session, paused, &done);
  wait_for (&done);

  g_assert_cmpuint (distillery_session_get_n_active (session), ==, 0);
  g_assert_cmpint (distillery_job_get_status (second), ==, DISTILLERY_RUN_CANCELLED);
  gint64 run_id = distillery_job_get_run_id (first);
  g_assert_cmpint (distillery_job_get_status (first), ==, DISTILLERY_RUN_PAUSED);
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_PAUSED);

  /* It resumes to the end, and its end is announced. */
  gboolean changed = FALSE;
  g_signal_connect (session, "changed", G_CALLBACK (set_flag), &changed);
  DistilleryJob *resumed = distillery_session_resume_run (session, run_id);
  g_assert_true (distillery_session_find_job (session, run_id) == NULL
                 || distillery_session_find_job (session, run_id) == resumed);
  changed = FALSE;
  while (distillery_session_get_n_active (session) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (changed);
  g_assert_cmpint (distillery_job_get_status (resumed), ==, DISTILLERY_RUN_FINISHED);
  g_autoptr(DistilleryStoreRun) finished = distillery_store_get_run (store, run_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (finished->status, ==, DISTILLERY_RUN_FINISHED);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("distillery-session-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "session.distillery", NULL);
  {
    g_autoptr(DistilleryStore) store = distillery_project_new_demo (path, NULL, &error);
    g_assert_no_error (error);
    g_autoptr(DistilleryStoreExperiment) plain = distillery_store_find_experiment (store, "Plain student", &error);
    g_autoptr(DistilleryExperiment) settings = distillery_experiment_new_demo ();
    g_assert_no_error (error);
    g_assert_true (distillery_parse_hidden ("512,512", &settings->student.model, NULL));
    settings->student.epochs = 40;
    long_run = distillery_project_add_experiment (store, "Long", plain->dataset_id, 0, settings, &error);
    g_assert_no_error (error);
  }
  g_test_add_func ("/jobs/session/open-refuses", test_open_refuses);
  g_test_add_func ("/jobs/session/write", test_write);
  g_test_add_func ("/jobs/session/pause-all", test_pause_all);
  status = g_test_run ();

  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  for (const char *name; d != NULL && (name = g_dir_read_name (d)) != NULL;)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
  return status;
}

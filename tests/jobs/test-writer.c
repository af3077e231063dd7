/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project writer: one per file, writes from many threads committed in
 * batches, each write atomic on its own inside its batch, failures
 * reported to the run they belong to, and committed writes visible to
 * readers on their own connections.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "distillery-writer.h"

typedef struct
{
  char   *dir;
  char   *path;
  gint64  runs[2];
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("distillery-writer-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "writer.distillery", NULL);
  g_autoptr(DistilleryStore) store = distillery_store_create (f->path, "Writer", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (f->runs); i++)
    {
      f->runs[i] = distillery_store_add_run (store, 0, 0, i, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

typedef struct
{
  gint64            run_id;
  DistilleryStepRow row;
} StepWrite;

static gboolean
write_step (DistilleryStore *store, gpointer data, GError **error)
{
  StepWrite *w = data;
  return distillery_store_append_steps (store, w->run_id, &w->row, 1, error);
}

static void
post_step (DistilleryWriter *writer, gint64 run_id, gint64 step)
{
  StepWrite *w = g_new0 (StepWrite, 1);
  w->run_id = run_id;
  w->row = (DistilleryStepRow) { .step = step, .loss = (float) step, .wall = step };
  distillery_writer_post (writer, run_id, write_step, w, g_free, sizeof *w);
}

static guint
count_steps (const char *path, gint64 run_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) reader = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_autoptr(GArray) steps = distillery_store_get_steps (reader, run_id, &error);
  g_assert_no_error (error);
  return steps->len;
}

static void
test_one_per_file (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir_name = g_path_get_basename (f->dir);
  g_autofree char *roundabout = g_build_filename (f->dir, ".", "..", dir_name, "writer.distillery", NULL);
  g_autoptr(DistilleryWriter) a = distillery_writer_open (f->path, &error);
  g_autoptr(DistilleryWriter) b = distillery_writer_open (roundabout, &error);

  g_assert_no_error (error);
  g_assert_true (a == b);
  distillery_writer_unref (b);
  b = NULL;

  g_autoptr(DistilleryWriter) missing = distillery_writer_open ("/nonexistent/x.distillery", &error);
  g_assert_null (missing);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

typedef struct
{
  DistilleryWriter *writer;
  gint64            run_id;
  guint             n;
} Poster;

static gpointer
post_many (gpointer data)
{
  Poster *p = data;
  for (guint i = 0; i < p->n; i++)
    post_step (p->writer, p->run_id, i);
  return NULL;
}

/* Two threads hand over a thousand writes each: all reach the file, in
 * far fewer transactions than writes. */
static void
test_batches (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (f->path, &error);
  Poster posters[2] = { { writer, f->runs[0], 1000 }, { writer, f->runs[1], 1000 } };
  GThread *threads[2];

  g_assert_no_error (error);
  guint64 before = distillery_writer_get_n_batches (writer);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("poster", post_many, &posters[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  g_assert_true (distillery_writer_sync (writer, f->runs[0], &error));
  g_assert_true (distillery_writer_sync (writer, f->runs[1], &error));
  g_assert_no_error (error);

  guint64 batches = distillery_writer_get_n_batches (writer) - before;
  g_test_message ("2000 writes in %" G_GUINT64_FORMAT " transactions", batches);
  g_assert_cmpuint (batches, <, 2000);
  g_assert_cmpuint (count_steps (f->path, f->runs[0]), ==, 1000);
  g_assert_cmpuint (count_steps (f->path, f->runs[1]), ==, 1000);
}

/* Holds the writer thread inside a batch until the test lets it go, so
 * that everything posted meanwhile lands in the next batch together. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean entered, released;
} Gate;

static gboolean
wait_at_gate (DistilleryStore *store, gpointer data, GError **error)
{
  Gate *g = data;
  g_mutex_lock (&g->lock);
  g->entered = TRUE;
  g_cond_broadcast (&g->cond);
  while (!g->released)
    g_cond_wait (&g->cond, &g->lock);
  g_mutex_unlock (&g->lock);
  return TRUE;
}

static void
gate_close (DistilleryWriter *writer, Gate *g)
{
  g_mutex_init (&g->lock);
  g_cond_init (&g->cond);
  g->entered = g->released = FALSE;
  distillery_writer_post (writer, 0, wait_at_gate, g, NULL, 0);
  g_mutex_lock (&g->lock);
  while (!g->entered)
    g_cond_wait (&g->cond, &g->lock);
  g_mutex_unlock (&g->lock);
}

static void
gate_open (Gate *g)
{
  g_mutex_lock (&g->lock);
  g->released = TRUE;
  g_cond_broadcast (&g->cond);
  g_mutex_unlock (&g->lock);
}

/* In one batch: good writes of run A, a write for a run that does not
 * exist, more good writes. The bad one fails alone and is reported to
 * its own run only; the others commit. */
static void
test_failure_stays_with_its_run (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (f->path, &error);
  const gint64 missing_run = 999;
  Gate gate;

  g_assert_no_error (error);
  gate_close (writer, &gate);
  guint64 before = distillery_writer_get_n_batches (writer);
  for (gint64 i = 0; i < 5; i++)
    post_step (writer, f->runs[0], i);
  post_step (writer, missing_run, 0);
  for (gint64 i = 5; i < 10; i++)
    post_step (writer, f->runs[0], i);
  gate_open (&gate);

  g_assert_true (distillery_writer_sync (writer, f->runs[0], &error));
  g_assert_no_error (error);
  /* The gate's batch, then everything queued behind it, then the sync. */
  g_assert_cmpuint (distillery_writer_get_n_batches (writer) - before, <=, 3);
  g_assert_cmpuint (count_steps (f->path, f->runs[0]), ==, 10);

  g_assert_false (distillery_writer_check (writer, missing_run, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Reported once. */
  g_assert_true (distillery_writer_check (writer, missing_run, &error));
  g_assert_no_error (error);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

typedef struct
{
  gint64 run_id;
} StatusWrite;

static gboolean
write_finished (DistilleryStore *store, gpointer data, GError **error)
{
  StatusWrite *w = data;
  return distillery_store_set_run_status (store, w->run_id, DISTILLERY_RUN_FINISHED, NULL, error);
}

/* A call returns once its write is committed: another connection sees
 * it; and writes handed over before it are committed before it. */
static void
test_call_is_committed (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (f->path, &error);
  StatusWrite w = { f->runs[1] };

  g_assert_no_error (error);
  for (gint64 i = 0; i < 100; i++)
    post_step (writer, f->runs[1], i);
  g_assert_true (distillery_writer_call (writer, write_finished, &w, &error));
  g_assert_no_error (error);

  g_autoptr(DistilleryStore) reader = distillery_store_open (f->path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (reader, f->runs[1], &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FINISHED);
  g_assert_cmpuint (count_steps (f->path, f->runs[1]), ==, 100);

  /* A call's own failure comes back to its caller. */
  StatusWrite nowhere = { 999 };
  g_assert_false (distillery_writer_call (writer, write_finished, &nowhere, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

/* The last reference commits what is still queued. */
static void
test_unref_flushes (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DistilleryWriter *writer = distillery_writer_open (f->path, &error);
  Gate gate;

  g_assert_no_error (error);
  gate_close (writer, &gate);
  for (gint64 i = 0; i < 50; i++)
    post_step (writer, f->runs[0], i);
  gate_open (&gate);
  distillery_writer_unref (writer);
  g_assert_cmpuint (count_steps (f->path, f->runs[0]), ==, 50);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
}

typedef struct
{
  gboolean      done;
  GError       *error;
  GMainContext *context;   /* where the callback ran */
} Callback;

static void
call_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Callback *c = data;
  distillery_writer_call_finish (result, &c->error);
  c->context = g_main_context_get_thread_default ();
  c->done = TRUE;
}

/* The main thread's way: the callback comes in its own context once the
 * write is committed, with the write's own error if it failed. */
static void
test_call_async (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (f->path, &error);
  StatusWrite *w = g_new0 (StatusWrite, 1);
  Callback c = { 0 };

  g_assert_no_error (error);
  w->run_id = f->runs[0];
  distillery_writer_call_async (writer, write_finished, w, g_free, call_done, &c);
  while (!c.done)
    g_main_context_iteration (context, TRUE);
  g_assert_no_error (c.error);
  g_assert_true (c.context == context);
  {
    g_autoptr(DistilleryStore) reader = distillery_store_open (f->path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
    g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (reader, f->runs[0], &error);
    g_assert_no_error (error);
    g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FINISHED);
  }

  Callback failed = { 0 };
  w = g_new0 (StatusWrite, 1);
  w->run_id = 999;
  distillery_writer_call_async (writer, write_finished, w, g_free, call_done, &failed);
  while (!failed.done)
    g_main_context_iteration (context, TRUE);
  g_assert_error (failed.error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&failed.error);
  g_main_context_pop_thread_default (context);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/jobs/writer/one-per-file", test_one_per_file);
  ADD ("/jobs/writer/batches", test_batches);
  ADD ("/jobs/writer/failure-stays-with-its-run", test_failure_stays_with_its_run);
  ADD ("/jobs/writer/call-is-committed", test_call_is_committed);
  ADD ("/jobs/writer/unref-flushes", test_unref_flushes);
  ADD ("/jobs/writer/call-async", test_call_async);
#undef ADD
  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An open project; see distillery-session.h.
 */
#include "config.h"

#include "distillery-session.h"

#include <glib/gi18n-lib.h>

struct _DistillerySession
{
  GObject             parent_instance;

  char               *path;
  char               *name;
  DistilleryStore    *store;     /* read-only, main thread */
  DistilleryWriter   *writer;
  DistilleryRunQueue *queue;
  GPtrArray          *pausing;   /* GTasks of pause_all_async waiting for the queue */
};

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DistillerySession, distillery_session, G_TYPE_OBJECT)

static void
distillery_session_dispose (GObject *object)
{
  DistillerySession *self = DISTILLERY_SESSION (object);

  if (self->queue != NULL)
    {
      /* A session let go with runs active cancels them; the window asks
       * first and pauses them instead. */
      distillery_run_queue_cancel_all (self->queue);
      g_signal_handlers_disconnect_by_data (self->queue, self);
      g_clear_object (&self->queue);
    }
  G_OBJECT_CLASS (distillery_session_parent_class)->dispose (object);
}

static void
distillery_session_finalize (GObject *object)
{
  DistillerySession *self = DISTILLERY_SESSION (object);

  g_clear_pointer (&self->store, distillery_store_close);
  g_clear_pointer (&self->writer, distillery_writer_unref);
  g_clear_pointer (&self->pausing, g_ptr_array_unref);
  g_free (self->path);
  g_free (self->name);
  G_OBJECT_CLASS (distillery_session_parent_class)->finalize (object);
}

static void
distillery_session_class_init (DistillerySessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_session_dispose;
  object_class->finalize = distillery_session_finalize;

  /* ::changed: something in the project changed (a write committed, a
   * run ended); views read what they show again. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
distillery_session_init (DistillerySession *self)
{
  self->pausing = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
finish_pausing (DistillerySession *self)
{
  if (distillery_run_queue_get_n_pending (self->queue) > 0)
    return;
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->pausing);
  self->pausing = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (tasks->pdata[i], TRUE);
}

static void
job_ended (DistilleryRunQueue *queue, DistilleryJob *job, GError *error, DistillerySession *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
  finish_pausing (self);
}

DistillerySession *
distillery_session_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The writer opens first: its writable open migrates the file and
   * marks runs of dead processes interrupted, which the reader then sees. */
  g_autoptr(DistilleryWriter) writer = distillery_writer_open (path, error);
  if (writer == NULL)
    return NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, error);
  if (store == NULL)
    return NULL;

  DistillerySession *self = g_object_new (DISTILLERY_TYPE_SESSION, NULL);
  self->path = g_strdup (path);
  self->name = distillery_store_get_name (store);
  self->store = g_steal_pointer (&store);
  self->writer = g_steal_pointer (&writer);
  self->queue = distillery_run_queue_new (1);
  g_signal_connect (self->queue, "job-ended", G_CALLBACK (job_ended), self);
  return self;
}

static void
open_in_thread (GTask *task, gpointer source, gpointer path, GCancellable *cancellable)
{
  GError *error = NULL;
  DistillerySession *session = distillery_session_open (path, &error);

  if (session == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, g_object_unref);
}

void
distillery_session_open_async (const char *path, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (path != NULL);

  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, distillery_session_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_in_thread);
}

DistillerySession *
distillery_session_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
distillery_session_get_path (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return self->path;
}

const char *
distillery_session_get_name (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return self->name;
}

DistilleryStore *
distillery_session_get_store (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return self->store;
}

DistilleryWriter *
distillery_session_get_writer (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return self->writer;
}

DistilleryRunQueue *
distillery_session_get_queue (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return self->queue;
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  DistillerySession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (distillery_writer_call_finish (result, &error))
    {
      g_signal_emit (self, signals[CHANGED], 0);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
distillery_session_write_async (DistillerySession *self, DistilleryWriteFunc func,
                                gpointer data, GDestroyNotify free_data,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (DISTILLERY_IS_SESSION (self));

  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, distillery_session_write_async);
  distillery_writer_call_async (self->writer, func, data, free_data, write_done, task);
}

gboolean
distillery_session_write_finish (DistillerySession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
run_created (DistilleryJob *job, GParamSpec *pspec, DistillerySession *self)
{
  /* The worker made the run's row: views can show it. */
  g_signal_emit (self, signals[CHANGED], 0);
}

static DistilleryJob *
queue_job (DistillerySession *self, DistilleryJob *job)
{
  g_signal_connect_object (job, "notify::run-id", G_CALLBACK (run_created), self, 0);
  distillery_run_queue_add (self->queue, job);
  g_object_unref (job);
  g_signal_emit (self, signals[CHANGED], 0);
  return job;
}

DistilleryJob *
distillery_session_start_run (DistillerySession *self, gint64 experiment_id, gint64 seed)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return queue_job (self, distillery_job_new_run (self->path, experiment_id, seed));
}

DistilleryJob *
distillery_session_train_teacher (DistillerySession *self, gint64 teacher_id)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return queue_job (self, distillery_job_new_teacher (self->path, teacher_id));
}

DistilleryJob *
distillery_session_resume_run (DistillerySession *self, gint64 run_id)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);
  return queue_job (self, distillery_job_new_resume (self->path, run_id));
}

DistilleryJob *
distillery_session_find_job (DistillerySession *self, gint64 run_id)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), NULL);

  DistilleryJob *job = distillery_run_queue_find_run (self->queue, run_id);
  if (job == NULL)
    return NULL;
  DistilleryRunStatus status = distillery_job_get_status (job);
  return status == DISTILLERY_RUN_RUNNING || status == DISTILLERY_RUN_QUEUED ? job : NULL;
}

guint
distillery_session_get_n_active (DistillerySession *self)
{
  g_return_val_if_fail (DISTILLERY_IS_SESSION (self), 0);
  return distillery_run_queue_get_n_pending (self->queue);
}

void
distillery_session_pause_all_async (DistillerySession *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (DISTILLERY_IS_SESSION (self));

  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, distillery_session_pause_all_async);
  g_ptr_array_add (self->pausing, task);
  distillery_run_queue_pause_all (self->queue);
  finish_pausing (self);
}

gboolean
distillery_session_pause_all_finish (DistillerySession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

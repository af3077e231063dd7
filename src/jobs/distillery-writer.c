/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project writer; see distillery-writer.h.
 *
 * Writes wait in a queue under `lock`. The thread takes everything queued,
 * runs it inside one transaction, commits, and only then tells waiting
 * callers and records failures: a write is reported done when a reader's
 * connection can see it.
 */
#include "config.h"

#include "distillery-writer.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* A worker that hands over writes faster than the disk takes them waits
 * once this much is queued, rather than filling memory with checkpoints. */
#define BACKLOG_LIMIT ((gsize) 256 << 20)

typedef struct
{
  gboolean done;
  GError  *error;
} Waiter;

typedef struct
{
  DistilleryWriteFunc func;      /* NULL: nothing to write (a sync point) */
  gpointer            data;
  GDestroyNotify      free_data;
  gsize               cost;
  gint64              run_id;
  Waiter             *waiter;    /* a caller waiting for this write, or NULL */
  GTask              *task;      /* a caller to call back, or NULL */
  GError             *error;
} Write;

struct _DistilleryWriter
{
  gint             ref_count;    /* under the registry lock */
  char            *path;
  GThread         *thread;
  DistilleryStore *store;        /* the writer thread's own connection */

  GMutex           lock;         /* guards what follows */
  GCond            changed;      /* a batch ended or a write was queued */
  GQueue           queue;        /* of Write */
  gsize            backlog;      /* queued cost */
  gboolean         quit;
  GHashTable      *failures;     /* run id -> GError, first failure of queued writes */
  guint64          n_batches;
};

/* One writer per file: paths as given, made absolute and canonical. */
G_LOCK_DEFINE_STATIC (registry);
static GHashTable *registry;

static void
write_free (Write *w)
{
  if (w->free_data != NULL)
    w->free_data (w->data);
  g_clear_object (&w->task);
  g_clear_error (&w->error);
  g_free (w);
}

/* Runs one batch; returns FALSE when asked to quit and nothing is left. */
static gboolean
run_batch (DistilleryWriter *self)
{
  GQueue batch = G_QUEUE_INIT;
  GError *commit_error = NULL;

  g_mutex_lock (&self->lock);
  while (self->queue.length == 0 && !self->quit)
    g_cond_wait (&self->changed, &self->lock);
  batch = self->queue;
  g_queue_init (&self->queue);
  g_mutex_unlock (&self->lock);

  if (batch.length == 0)
    return FALSE;

  if (distillery_store_begin_batch (self->store, &commit_error))
    {
      for (GList *l = batch.head; l != NULL; l = l->next)
        {
          Write *w = l->data;
          if (w->func != NULL)
            w->func (self->store, w->data, &w->error);
        }
      distillery_store_end_batch (self->store, &commit_error);
    }

  g_mutex_lock (&self->lock);
  for (GList *l = batch.head; l != NULL; l = l->next)
    {
      Write *w = l->data;
      GError *failure = w->error != NULL ? w->error : commit_error;
      self->backlog -= w->cost;
      if (w->waiter != NULL)
        {
          w->waiter->error = failure != NULL ? g_error_copy (failure) : NULL;
          w->waiter->done = TRUE;
        }
      else if (w->task != NULL)
        {
          /* Returned in the caller's main context, by GTask. */
          if (failure != NULL)
            g_task_return_error (w->task, g_error_copy (failure));
          else
            g_task_return_boolean (w->task, TRUE);
        }
      else if (failure != NULL && w->func != NULL
               && !g_hash_table_contains (self->failures, &w->run_id))
        {
          gint64 *key = g_new (gint64, 1);
          *key = w->run_id;
          g_hash_table_insert (self->failures, key, g_error_copy (failure));
        }
    }
  self->n_batches++;
  g_cond_broadcast (&self->changed);
  g_mutex_unlock (&self->lock);

  g_clear_error (&commit_error);
  g_queue_clear_full (&batch, (GDestroyNotify) write_free);
  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  DistilleryWriter *self = data;

#ifdef __linux__
  /* Background work, like the training it serves: the window's thread
   * goes first. Failure is harmless. */
  (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 19);
#endif

  while (run_batch (self))
    ;
  return NULL;
}

DistilleryWriter *
distillery_writer_open (const char *path, GError **error)
{
  g_autofree char *key = NULL;
  DistilleryWriter *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  key = g_canonicalize_filename (path, NULL);
  G_LOCK (registry);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  if ((self = g_hash_table_lookup (registry, key)) != NULL)
    {
      self->ref_count++;
      G_UNLOCK (registry);
      return self;
    }

  /* Opened under the lock, so two workers never open two writers. */
  DistilleryStore *store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, error);
  if (store == NULL)
    {
      G_UNLOCK (registry);
      return NULL;
    }
  self = g_new0 (DistilleryWriter, 1);
  self->ref_count = 1;
  self->path = g_steal_pointer (&key);
  self->store = store;
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  self->failures = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_error_free);
  self->thread = g_thread_new ("distillery-writer", writer_thread, self);
  g_hash_table_insert (registry, self->path, self);
  G_UNLOCK (registry);
  return self;
}

DistilleryWriter *
distillery_writer_ref (DistilleryWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  G_LOCK (registry);
  self->ref_count++;
  G_UNLOCK (registry);
  return self;
}

void
distillery_writer_unref (DistilleryWriter *self)
{
  g_return_if_fail (self != NULL);

  /* The writer leaves the registry only once its last write committed:
   * a writer opened afterwards for the same file starts after it. */
  G_LOCK (registry);
  if (--self->ref_count > 0)
    {
      G_UNLOCK (registry);
      return;
    }
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_broadcast (&self->changed);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_hash_table_remove (registry, self->path);
  G_UNLOCK (registry);

  distillery_store_close (self->store);
  g_hash_table_unref (self->failures);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changed);
  g_free (self->path);
  g_free (self);
}

static void
enqueue (DistilleryWriter *self, Write *w)
{
  g_mutex_lock (&self->lock);
  /* A write larger than the limit still goes when the queue is empty. */
  while (self->backlog > 0 && self->backlog + w->cost > BACKLOG_LIMIT)
    g_cond_wait (&self->changed, &self->lock);
  self->backlog += w->cost;
  g_queue_push_tail (&self->queue, w);
  g_cond_broadcast (&self->changed);
  g_mutex_unlock (&self->lock);
}

void
distillery_writer_post (DistilleryWriter   *self,
                        gint64              run_id,
                        DistilleryWriteFunc func,
                        gpointer            data,
                        GDestroyNotify      free_data,
                        gsize               cost)
{
  g_return_if_fail (self != NULL && func != NULL);

  Write *w = g_new0 (Write, 1);
  *w = (Write) { func, data, free_data, cost, run_id, NULL, NULL, NULL };
  enqueue (self, w);
}

static gboolean
wait_for (DistilleryWriter *self, DistilleryWriteFunc func, gpointer data, GError **error)
{
  Waiter waiter = { FALSE, NULL };
  Write *w = g_new0 (Write, 1);

  *w = (Write) { func, data, NULL, 0, 0, &waiter, NULL, NULL };
  enqueue (self, w);
  g_mutex_lock (&self->lock);
  while (!waiter.done)
    g_cond_wait (&self->changed, &self->lock);
  g_mutex_unlock (&self->lock);
  if (waiter.error != NULL)
    {
      g_propagate_error (error, waiter.error);
      return FALSE;
    }
  return TRUE;
}

gboolean
distillery_writer_call (DistilleryWriter   *self,
                        DistilleryWriteFunc func,
                        gpointer            data,
                        GError            **error)
{
  g_return_val_if_fail (self != NULL && func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return wait_for (self, func, data, error);
}

void
distillery_writer_call_async (DistilleryWriter   *self,
                              DistilleryWriteFunc func,
                              gpointer            data,
                              GDestroyNotify      free_data,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_return_if_fail (self != NULL && func != NULL);

  Write *w = g_new0 (Write, 1);
  *w = (Write) { func, data, free_data, 0, 0, NULL, g_task_new (NULL, NULL, callback, user_data), NULL };
  g_task_set_source_tag (w->task, distillery_writer_call_async);
  enqueue (self, w);
}

gboolean
distillery_writer_call_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
distillery_writer_check (DistilleryWriter *self, gint64 run_id, GError **error)
{
  GError *failure = NULL;
  gpointer key = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->failures, &run_id, &key, (gpointer *) &failure))
    g_free (key);
  g_mutex_unlock (&self->lock);
  if (failure != NULL)
    {
      g_propagate_error (error, failure);
      return FALSE;
    }
  return TRUE;
}

gboolean
distillery_writer_sync (DistilleryWriter *self, gint64 run_id, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A sync point writes nothing; once its batch is through, everything
   * queued before it is too. */
  if (!wait_for (self, NULL, NULL, error))
    return FALSE;
  return distillery_writer_check (self, run_id, error);
}

guint64
distillery_writer_get_n_batches (DistilleryWriter *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->n_batches;
  g_mutex_unlock (&self->lock);
  return n;
}

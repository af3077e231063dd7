/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The run queue; see distillery-run-queue.h.
 *
 * BLAS threads: OpenBLAS 0.3.21 has one process-wide thread count, and a
 * product's last bits depend on it (the threads split the work
 * differently). So the queue sets it once, to the cores shared out
 * among max-active runs (at least one each), and changes it only while
 * nothing runs: a run's numbers then depend on that setting, never on how
 * many other runs happen to be active. docs/threads.md says more.
 */
#include "config.h"

#include "distillery-run-queue.h"

#include "kd-blas.h"

struct _DistilleryRunQueue
{
  GObject     parent_instance;
  GListStore *jobs;         /* every job added, in order */
  GQueue      waiting;      /* jobs not yet started */
  guint       n_active;
  guint       max_active;
  guint       blas_threads;       /* asked for; 0: the cores shared out */
  guint       blas_threads_set;   /* what OpenBLAS was last set to; 0: not yet */
  guint       n_pending;
};

enum
{
  PROP_0,
  PROP_N_ACTIVE,
  PROP_MAX_ACTIVE,
  PROP_N_PENDING,
  PROP_BLAS_THREADS,
  N_PROPS
};

enum
{
  JOB_ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DistilleryRunQueue, distillery_run_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return DISTILLERY_TYPE_JOB;
}

static guint
get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (DISTILLERY_RUN_QUEUE (model)->jobs));
}

static gpointer
get_item (GListModel *model, guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (DISTILLERY_RUN_QUEUE (model)->jobs), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
forward_items_changed (GListModel *jobs, guint position, guint removed, guint added, gpointer self)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
share_blas_threads (DistilleryRunQueue *self)
{
  guint threads = self->blas_threads > 0 ? self->blas_threads
                                         : MAX (1u, g_get_num_processors () / self->max_active);
  if (self->n_active > 0 || self->blas_threads_set == threads)
    return;
  kd_blas_set_threads ((int) threads);
  self->blas_threads_set = threads;
}

static void start_waiting (DistilleryRunQueue *self);

static void
job_ended (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryRunQueue *self = data;
  DistilleryJob *job = DISTILLERY_JOB (source);
  g_autoptr(GError) error = NULL;

  distillery_job_run_finish (job, result, &error);
  self->n_active--;
  self->n_pending--;
  g_signal_emit (self, signals[JOB_ENDED], 0, job, error);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  start_waiting (self);
  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
}

static void
start_waiting (DistilleryRunQueue *self)
{
  share_blas_threads (self);
  /* Jobs cancelled while they waited leave the line. */
  for (GList *l = self->waiting.head, *next; l != NULL; l = next)
    {
      next = l->next;
      if (distillery_job_get_status (l->data) != DISTILLERY_RUN_QUEUED)
        {
          g_object_unref (l->data);
          g_queue_delete_link (&self->waiting, l);
          self->n_pending--;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
        }
    }
  while (self->n_active < self->max_active && !g_queue_is_empty (&self->waiting))
    {
      g_autoptr(DistilleryJob) job = g_queue_pop_head (&self->waiting);
      self->n_active++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
      distillery_job_run_async (job, NULL, job_ended, g_object_ref (self));
    }
}

static void
distillery_run_queue_dispose (GObject *object)
{
  DistilleryRunQueue *self = DISTILLERY_RUN_QUEUE (object);

  g_queue_clear_full (&self->waiting, g_object_unref);
  g_clear_object (&self->jobs);
  G_OBJECT_CLASS (distillery_run_queue_parent_class)->dispose (object);
}

static void
distillery_run_queue_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryRunQueue *self = DISTILLERY_RUN_QUEUE (object);

  switch (prop_id)
    {
    case PROP_N_ACTIVE:
      g_value_set_uint (value, self->n_active);
      break;
    case PROP_MAX_ACTIVE:
      g_value_set_uint (value, self->max_active);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_BLAS_THREADS:
      g_value_set_uint (value, self->blas_threads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_run_queue_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DistilleryRunQueue *self = DISTILLERY_RUN_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_ACTIVE:
      distillery_run_queue_set_max_active (self, g_value_get_uint (value));
      break;
    case PROP_BLAS_THREADS:
      distillery_run_queue_set_blas_threads (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_run_queue_class_init (DistilleryRunQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_run_queue_dispose;
  object_class->get_property = distillery_run_queue_get_property;
  object_class->set_property = distillery_run_queue_set_property;

  properties[PROP_N_ACTIVE] =
    g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_ACTIVE] =
    g_param_spec_uint ("max-active", NULL, NULL, 1, 64, 1,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* OpenBLAS threads while runs are active; 0 shares the cores out among
   * max-active runs. Takes effect when no run is active. */
  properties[PROP_BLAS_THREADS] =
    g_param_spec_uint ("blas-threads", NULL, NULL, 0, 256, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::job-ended (job, error): error is NULL when the run finished. */
  signals[JOB_ENDED] = g_signal_new ("job-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     DISTILLERY_TYPE_JOB, G_TYPE_ERROR);
}

static void
distillery_run_queue_init (DistilleryRunQueue *self)
{
  self->jobs = g_list_store_new (DISTILLERY_TYPE_JOB);
  g_signal_connect_object (self->jobs, "items-changed", G_CALLBACK (forward_items_changed), self, 0);
  g_queue_init (&self->waiting);
  self->max_active = 1;
}

DistilleryRunQueue *
distillery_run_queue_new (guint max_active)
{
  return g_object_new (DISTILLERY_TYPE_RUN_QUEUE, "max-active", MAX (max_active, 1u), NULL);
}

void
distillery_run_queue_add (DistilleryRunQueue *self, DistilleryJob *job)
{
  g_return_if_fail (DISTILLERY_IS_RUN_QUEUE (self));
  g_return_if_fail (DISTILLERY_IS_JOB (job));

  g_list_store_append (self->jobs, job);
  g_queue_push_tail (&self->waiting, g_object_ref (job));
  self->n_pending++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  start_waiting (self);
}

guint
distillery_run_queue_get_n_active (DistilleryRunQueue *self)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_QUEUE (self), 0);
  return self->n_active;
}

guint
distillery_run_queue_get_n_pending (DistilleryRunQueue *self)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_QUEUE (self), 0);
  return self->n_pending;
}

guint
distillery_run_queue_get_max_active (DistilleryRunQueue *self)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_QUEUE (self), 0);
  return self->max_active;
}

void
distillery_run_queue_set_max_active (DistilleryRunQueue *self, guint max_active)
{
  g_return_if_fail (DISTILLERY_IS_RUN_QUEUE (self));
  max_active = CLAMP (max_active, 1u, 64u);
  if (self->max_active == max_active)
    return;
  self->max_active = max_active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ACTIVE]);
  start_waiting (self);
}

void
distillery_run_queue_set_blas_threads (DistilleryRunQueue *self, guint threads)
{
  g_return_if_fail (DISTILLERY_IS_RUN_QUEUE (self));
  threads = MIN (threads, 256u);
  if (self->blas_threads == threads)
    return;
  self->blas_threads = threads;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLAS_THREADS]);
  share_blas_threads (self);
}

guint
distillery_run_queue_get_blas_threads (DistilleryRunQueue *self)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_QUEUE (self), 0);
  return self->blas_threads;
}

/* The job of this run among those added, or NULL. */
DistilleryJob *
distillery_run_queue_find_run (DistilleryRunQueue *self, gint64 run_id)
{
  g_return_val_if_fail (DISTILLERY_IS_RUN_QUEUE (self), NULL);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->jobs)); run_id > 0 && i > 0; i--)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i - 1);
      if (distillery_job_get_run_id (job) == run_id)
        return job;
    }
  return NULL;
}

void
distillery_run_queue_pause_all (DistilleryRunQueue *self)
{
  g_return_if_fail (DISTILLERY_IS_RUN_QUEUE (self));

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      /* A run that has not started has nothing to pause. */
      if (distillery_job_get_status (job) == DISTILLERY_RUN_QUEUED)
        distillery_job_cancel (job);
      else
        distillery_job_pause (job);
    }
  start_waiting (self);
}

void
distillery_run_queue_cancel_all (DistilleryRunQueue *self)
{
  g_return_if_fail (DISTILLERY_IS_RUN_QUEUE (self));

  /* Waiting jobs end at once, running ones at their next step. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->jobs)); i++)
    {
      g_autoptr(DistilleryJob) job = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);
      distillery_job_cancel (job);
    }
  start_waiting (self);
}

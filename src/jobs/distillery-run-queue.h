/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queue of a project's runs: jobs wait in order and start while fewer
 * than max-active are running. The queue is a GListModel of its jobs,
 * queued, running and ended, for lists in the window to bind to.
 */
#pragma once

#include "distillery-job.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_RUN_QUEUE (distillery_run_queue_get_type ())
G_DECLARE_FINAL_TYPE (DistilleryRunQueue, distillery_run_queue, DISTILLERY, RUN_QUEUE, GObject)

DistilleryRunQueue *distillery_run_queue_new            (guint max_active);
/* Queues a job; the queue keeps a reference and starts it when a slot is free. */
void                distillery_run_queue_add            (DistilleryRunQueue *queue, DistilleryJob *job);
guint               distillery_run_queue_get_n_active   (DistilleryRunQueue *queue);
guint               distillery_run_queue_get_max_active (DistilleryRunQueue *queue);
void                distillery_run_queue_set_max_active (DistilleryRunQueue *queue, guint max_active);
/* Jobs queued or running. */
guint               distillery_run_queue_get_n_pending  (DistilleryRunQueue *queue);
void                distillery_run_queue_cancel_all     (DistilleryRunQueue *queue);
/* Pauses the running jobs and drops the waiting ones. */
void                distillery_run_queue_pause_all      (DistilleryRunQueue *queue);
/* 0: the cores shared out among max-active runs (the default). */
void                distillery_run_queue_set_blas_threads (DistilleryRunQueue *queue, guint threads);
guint               distillery_run_queue_get_blas_threads (DistilleryRunQueue *queue);
/* The latest job added whose run this is (known once it started), or NULL. */
DistilleryJob      *distillery_run_queue_find_run       (DistilleryRunQueue *queue, gint64 run_id);

G_END_DECLS

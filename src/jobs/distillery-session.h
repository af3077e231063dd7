/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An open project, as the window holds it: a connection that reads on the
 * main thread, the project's writer for every change, and the queue of its
 * runs. Changes are made asynchronously (the main thread never waits on
 * the disk) and announced with ::changed once committed, so views read
 * the project again; runs that end announce it too.
 */
#pragma once

#include "distillery-run-queue.h"
#include "distillery-writer.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_SESSION (distillery_session_get_type ())
G_DECLARE_FINAL_TYPE (DistillerySession, distillery_session, DISTILLERY, SESSION, GObject)

/* Opens (migrating and recovering as a writable open does) in a worker
 * thread; damaged, foreign or newer files fail with the store's error. */
void               distillery_session_open_async  (const char *path, GCancellable *cancellable,
                                                   GAsyncReadyCallback callback, gpointer user_data);
DistillerySession *distillery_session_open_finish (GAsyncResult *result, GError **error);
DistillerySession *distillery_session_open        (const char *path, GError **error);

const char         *distillery_session_get_path   (DistillerySession *session);
const char         *distillery_session_get_name   (DistillerySession *session);
/* For short reads on the main thread. */
DistilleryStore    *distillery_session_get_store  (DistillerySession *session);
DistilleryWriter   *distillery_session_get_writer (DistillerySession *session);
DistilleryRunQueue *distillery_session_get_queue  (DistillerySession *session);

/* Runs func on the writer; ::changed follows its commit, then the
 * callback (which may be NULL; its result is for
 * distillery_session_write_finish). */
void               distillery_session_write_async  (DistillerySession *session, DistilleryWriteFunc func,
                                                    gpointer data, GDestroyNotify free_data,
                                                    GAsyncReadyCallback callback, gpointer user_data);
gboolean           distillery_session_write_finish (DistillerySession *session, GAsyncResult *result,
                                                    GError **error);

/* Queues a new run of an experiment, a teacher's training, or the
 * continuation of a run; returns the job (owned by the queue). */
DistilleryJob     *distillery_session_start_run     (DistillerySession *session, gint64 experiment_id, gint64 seed);
DistilleryJob     *distillery_session_train_teacher (DistillerySession *session, gint64 teacher_id);
DistilleryJob     *distillery_session_resume_run    (DistillerySession *session, gint64 run_id);
/* The job training this run, queued or active, or NULL. */
DistilleryJob     *distillery_session_find_job      (DistillerySession *session, gint64 run_id);
guint              distillery_session_get_n_active  (DistillerySession *session);

/* Pauses every run still going (each keeps a checkpoint at the step it
 * stopped after, and reads as paused) and calls back once all have
 * stopped and the writer has committed what they logged. */
void               distillery_session_pause_all_async  (DistillerySession *session,
                                                        GAsyncReadyCallback callback, gpointer user_data);
gboolean           distillery_session_pause_all_finish (DistillerySession *session, GAsyncResult *result,
                                                        GError **error);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project's writer: the one thread through which every write of a
 * running project reaches its file. Workers hand it their writes and go
 * back to training; it takes whatever has queued up meanwhile and commits
 * it as one transaction (each write a savepoint inside it), so four runs
 * logging steps cost one commit, not four, and no worker ever waits on
 * another's transaction. Readers keep their own connections.
 *
 * There is one writer per project file in a process: opening the same
 * path again returns the same writer, so writes are committed in the
 * order they were handed over, whichever worker handed them.
 */
#pragma once

#include <gio/gio.h>

#include "distillery-store.h"

G_BEGIN_DECLS

typedef struct _DistilleryWriter DistilleryWriter;

/* Runs on the writer thread, inside the batch's transaction. */
typedef gboolean (*DistilleryWriteFunc) (DistilleryStore *store, gpointer data, GError **error);

DistilleryWriter *distillery_writer_open  (const char *path, GError **error);
DistilleryWriter *distillery_writer_ref   (DistilleryWriter *writer);
/* The last reference commits what is queued and ends the thread. */
void              distillery_writer_unref (DistilleryWriter *writer);

/* Queues a write and returns at once, unless more than the writer's
 * backlog limit is queued (then it waits for room). `cost` is roughly the
 * bytes it will write. Its failure is kept for `run_id` and reported by
 * distillery_writer_check or distillery_writer_sync. free_data is called
 * on data after the write, on the writer thread. */
void              distillery_writer_post  (DistilleryWriter *writer, gint64 run_id,
                                           DistilleryWriteFunc func, gpointer data,
                                           GDestroyNotify free_data, gsize cost);
/* Runs func on the writer thread and returns once its batch committed. */
gboolean          distillery_writer_call  (DistilleryWriter *writer, DistilleryWriteFunc func,
                                           gpointer data, GError **error);
/* For the main thread, which must not wait on the disk: runs func on the
 * writer thread and calls back in the caller's thread-default main
 * context once its batch committed. free_data is called on data after
 * the write, on the writer thread. */
void              distillery_writer_call_async  (DistilleryWriter *writer, DistilleryWriteFunc func,
                                                 gpointer data, GDestroyNotify free_data,
                                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean          distillery_writer_call_finish (GAsyncResult *result, GError **error);
/* Waits until everything queued so far is committed, then reports (and
 * forgets) the first queued write of `run_id` that failed. */
gboolean          distillery_writer_sync  (DistilleryWriter *writer, gint64 run_id, GError **error);
/* The same report without waiting. */
gboolean          distillery_writer_check (DistilleryWriter *writer, gint64 run_id, GError **error);

/* How many transactions the writer committed: for tests and benchmarks. */
guint64           distillery_writer_get_n_batches (DistilleryWriter *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryWriter, distillery_writer_unref)

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checkpoints away from the thread that writes. In WAL mode a commit only
 * appends to the -wal file; copying the log back into the project file (a
 * checkpoint) is by default done by the connection that commits, once the
 * log passes 1000 pages, and with synchronous = NORMAL that is where the
 * writer waits for the disk, twice (the log, then the file). For a
 * training thread that logs steps as it goes, those waits are most of
 * what logging costs.
 *
 * So a writable store replaces SQLite's automatic checkpoint with a WAL
 * hook: when a commit leaves CHECKPOINT_BYTES or more in the log, the
 * hook wakes a thread of the store's own, which runs a PASSIVE checkpoint
 * on its own connection. A passive checkpoint never blocks the writer,
 * which goes on appending while it runs; the log starts over from its
 * beginning at the first commit after a checkpoint that copied all of it.
 * Durability is SQLite's, as before. The thread and its connection are
 * made the first time they are needed, so stores that write little never
 * have them; if they cannot be made, the writer checkpoints as SQLite
 * would have.
 *
 * A connection learns that its file is in WAL mode only when it first
 * reads it; until then sqlite3_wal_checkpoint_v2() finds no log, does
 * nothing and says so only through pnLog = -1. So the checkpoint
 * connection reads the schema once when it is made. (Without that read,
 * no checkpoint ran while a store was open: the log of a recipe run grew
 * to 3.9 GB and was copied back only at close.)
 */
#include "config.h"

#include "distillery-store-private.h"

/* Checkpoint when the log holds this much, as SQLite's default does with
 * its default 4 KiB pages. */
#define CHECKPOINT_BYTES (4 << 20)

struct _StoreCheckpointer
{
  char      *uri;
  int        threshold;   /* log pages */
  GMutex     mutex;
  GCond      cond;
  gboolean   pending;     /* a checkpoint is wanted */
  gboolean   running;     /* one is being done */
  guint      n_done;      /* checkpoints done, for the tests */
  gboolean   stopping;
  gboolean   failed;      /* the thread could not be made */
  GThread   *thread;
  sqlite3   *db;          /* the thread's connection */
};

static gpointer
checkpoint_thread (gpointer data)
{
  StoreCheckpointer *checkpointer = data;

  g_mutex_lock (&checkpointer->mutex);
  for (;;)
    {
      while (!checkpointer->pending && !checkpointer->stopping)
        g_cond_wait (&checkpointer->cond, &checkpointer->mutex);
      if (checkpointer->stopping)
        break;
      checkpointer->pending = FALSE;
      checkpointer->running = TRUE;
      g_mutex_unlock (&checkpointer->mutex);
      /* One that fails (a full disk, say) leaves the log as it is, for
       * the next one or the final checkpoint at close to copy; the
       * writes themselves report such errors. */
      sqlite3_wal_checkpoint_v2 (checkpointer->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      g_mutex_lock (&checkpointer->mutex);
      checkpointer->running = FALSE;
      checkpointer->n_done++;
      g_cond_broadcast (&checkpointer->cond);
    }
  g_mutex_unlock (&checkpointer->mutex);
  return NULL;
}

/* Makes the thread and its connection; FALSE if either cannot be made. */
static gboolean
start_thread (StoreCheckpointer *checkpointer)
{
  if (_distillery_store_open_connection (checkpointer->uri, SQLITE_OPEN_READWRITE, &checkpointer->db) != SQLITE_OK
      || sqlite3_exec (checkpointer->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_clear_pointer (&checkpointer->db, sqlite3_close);
      return FALSE;
    }
  checkpointer->thread = g_thread_try_new ("store-checkpoint", checkpoint_thread, checkpointer, NULL);
  if (checkpointer->thread == NULL)
    {
      g_clear_pointer (&checkpointer->db, sqlite3_close);
      return FALSE;
    }
  return TRUE;
}

/* Called by SQLite on the writer's thread after each commit, the write
 * lock already released. */
static int
wal_hook (void       *data,
          sqlite3    *db,
          const char *name,
          int         n_pages)
{
  StoreCheckpointer *checkpointer = data;

  if (n_pages < checkpointer->threshold)
    return SQLITE_OK;
  if (checkpointer->thread == NULL && !checkpointer->failed && !start_thread (checkpointer))
    checkpointer->failed = TRUE;
  if (checkpointer->failed)
    {
      /* What SQLite's own hook does. */
      sqlite3_wal_checkpoint_v2 (db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      return SQLITE_OK;
    }
  g_mutex_lock (&checkpointer->mutex);
  checkpointer->pending = TRUE;
  g_cond_broadcast (&checkpointer->cond);
  g_mutex_unlock (&checkpointer->mutex);
  return SQLITE_OK;
}

void
_distillery_store_start_checkpoints (DistilleryStore *store,
                                     const char      *uri,
                                     int              page_size)
{
  StoreCheckpointer *checkpointer = g_new0 (StoreCheckpointer, 1);

  checkpointer->uri = g_strdup (uri);
  checkpointer->threshold = MAX (CHECKPOINT_BYTES / page_size, 1);
  g_mutex_init (&checkpointer->mutex);
  g_cond_init (&checkpointer->cond);
  store->checkpointer = checkpointer;
  sqlite3_wal_hook (store->db, wal_hook, checkpointer);
}

void
_distillery_store_stop_checkpoints (DistilleryStore *store)
{
  StoreCheckpointer *checkpointer = store->checkpointer;

  if (checkpointer == NULL)
    return;
  sqlite3_wal_hook (store->db, NULL, NULL);
  if (checkpointer->thread != NULL)
    {
      g_mutex_lock (&checkpointer->mutex);
      checkpointer->stopping = TRUE;
      g_cond_broadcast (&checkpointer->cond);
      g_mutex_unlock (&checkpointer->mutex);
      g_thread_join (checkpointer->thread);
      sqlite3_close (checkpointer->db);
    }
  g_mutex_clear (&checkpointer->mutex);
  g_cond_clear (&checkpointer->cond);
  g_free (checkpointer->uri);
  g_free (checkpointer);
  store->checkpointer = NULL;
}

/* Waits until no checkpoint is wanted or being done; returns how many
 * have been done. For the tests. */
guint
_distillery_store_sync_checkpoints (DistilleryStore *store)
{
  StoreCheckpointer *checkpointer = store->checkpointer;
  guint n;

  if (checkpointer == NULL)
    return 0;
  g_mutex_lock (&checkpointer->mutex);
  while (checkpointer->thread != NULL && (checkpointer->pending || checkpointer->running))
    g_cond_wait (&checkpointer->cond, &checkpointer->mutex);
  n = checkpointer->n_done;
  g_mutex_unlock (&checkpointer->mutex);
  return n;
}

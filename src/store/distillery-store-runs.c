/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs: their status, timings, result and trained model, and the recovery
 * of runs whose process is gone. A run marked running records its owner
 * (process id, the process's start time, the kernel's boot id and the
 * host name); when a project is opened, a running run whose owner no
 * longer exists was cut off by a crash or a kill and reads as interrupted.
 * Nothing else is needed from the process that died: every finished epoch
 * is already committed.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const status_names[] = {
  [DISTILLERY_RUN_QUEUED] = "queued",
  [DISTILLERY_RUN_RUNNING] = "running",
  [DISTILLERY_RUN_PAUSED] = "paused",
  [DISTILLERY_RUN_FINISHED] = "finished",
  [DISTILLERY_RUN_FAILED] = "failed",
  [DISTILLERY_RUN_CANCELLED] = "cancelled",
  [DISTILLERY_RUN_INTERRUPTED] = "interrupted",
};

const char *
distillery_run_status_to_string (DistilleryRunStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), NULL);

  return status_names[status];
}

static gboolean
status_from_string (const char          *text,
                    DistilleryRunStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (text, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }
  return FALSE;
}

/* When a process started, in clock ticks after boot (field 22 of
 * /proc/PID/stat), or -1 where that cannot be read. With the boot id it
 * tells a live owner from a new process that was given a dead one's id. */
static gint64
process_start_time (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%lld/stat", (long long) pid);
  g_autofree char *stat = NULL;
  const char *p;

  if (!g_file_get_contents (path, &stat, NULL, NULL)
      || (p = strrchr (stat, ')')) == NULL)
    return -1;
  /* After the command name in parentheses come fields 3, 4, ... */
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p + 1, ' ');
      if (p == NULL)
        return -1;
    }
  return g_ascii_strtoll (p + 1, NULL, 10);
}

static const char *
boot_id (void)
{
  static char *id;

  if (g_once_init_enter (&id))
    {
      char *contents = NULL;

      if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL))
        g_strstrip (contents);
      else
        contents = g_strdup ("");
      g_once_init_leave (&id, contents);
    }
  return id;
}

static gboolean
owner_alive (sqlite3_stmt *stmt,
             int           column)
{
  gint64 pid = sqlite3_column_int64 (stmt, column);
  const char *host = (const char *) sqlite3_column_text (stmt, column + 2);
  const char *boot = (const char *) sqlite3_column_text (stmt, column + 3);
  gint64 started, start_now;

  /* WAL needs every connection on one machine: an owner elsewhere is
   * impossible, so a file from another host was moved while running. */
  if (pid <= 0 || pid > G_MAXINT || g_strcmp0 (host, g_get_host_name ()) != 0)
    return FALSE;
  if (boot != NULL && *boot != '\0' && *boot_id () != '\0' && strcmp (boot, boot_id ()) != 0)
    return FALSE;
  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  started = sqlite3_column_type (stmt, column + 1) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, column + 1);
  start_now = process_start_time (pid);
  return started < 0 || start_now < 0 || started == start_now;
}

static gboolean
is_terminal (DistilleryRunStatus status)
{
  return status == DISTILLERY_RUN_FINISHED || status == DISTILLERY_RUN_FAILED
         || status == DISTILLERY_RUN_CANCELLED || status == DISTILLERY_RUN_INTERRUPTED;
}

/* Running records this process as the owner and the first start; the
 * end states record when the run stopped. */
static gboolean
update_status (DistilleryStore     *store,
               gint64               run_id,
               DistilleryRunStatus  status,
               const char          *error_message,
               GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 now = _distillery_store_now ();

  stmt = _distillery_store_statement (store,
                                      "UPDATE runs SET status = ?2, error = ?3, started = coalesce (started, ?4),"
                                      " finished = ?5, owner_pid = ?6, owner_start = ?7, owner_boot_id = ?8, owner_host = ?9"
                                      " WHERE id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_text (stmt, 2, status_names[status], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, error_message, -1, SQLITE_STATIC);
  if (status == DISTILLERY_RUN_RUNNING)
    {
      gint64 start = process_start_time (getpid ());

      sqlite3_bind_int64 (stmt, 4, now);
      sqlite3_bind_int64 (stmt, 6, getpid ());
      if (start >= 0)
        sqlite3_bind_int64 (stmt, 7, start);
      sqlite3_bind_text (stmt, 8, boot_id (), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, g_get_host_name (), -1, SQLITE_STATIC);
    }
  if (is_terminal (status))
    sqlite3_bind_int64 (stmt, 5, now);
  if (!_distillery_store_run (store, stmt, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    return _distillery_store_require (store, STORE_RUN, run_id, error);
  return TRUE;
}

/* The ids of running runs whose owner is gone. */
static GArray *
find_orphans (DistilleryStore *store,
              GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) orphans = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = _distillery_store_statement (store,
                                      "SELECT id, owner_pid, owner_start, owner_host, owner_boot_id"
                                      " FROM runs WHERE status = 'running'",
                                      error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!owner_alive (stmt, 1))
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (orphans, id);
      }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&orphans);
}

int
distillery_store_recover_runs (DistilleryStore  *store,
                               GError          **error)
{
  g_autoptr(GArray) orphans = NULL;

  g_return_val_if_fail (store != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_distillery_store_writable (store, error))
    return -1;
  /* Looked for first without the write lock, which opening a project
   * then takes only when there is something to mark; and again under it,
   * as a run may have finished in between. */
  orphans = find_orphans (store, error);
  if (orphans == NULL)
    return -1;
  if (orphans->len == 0)
    return 0;

  g_clear_pointer (&orphans, g_array_unref);
  if (!_distillery_store_begin (store, error))
    return -1;
  orphans = find_orphans (store, error);
  for (guint i = 0; orphans != NULL && i < orphans->len; i++)
    if (!update_status (store, g_array_index (orphans, gint64, i), DISTILLERY_RUN_INTERRUPTED, NULL, error))
      g_clear_pointer (&orphans, g_array_unref);
  if (orphans == NULL || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return -1;
    }
  return orphans->len;
}

gint64
distillery_store_add_run (DistilleryStore  *store,
                          gint64            experiment_id,
                          gint64            teacher_id,
                          guint64           seed,
                          GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!_distillery_store_writable (store, error)
      || (experiment_id != 0 && !_distillery_store_require (store, STORE_EXPERIMENT, experiment_id, error))
      || (teacher_id != 0 && !_distillery_store_require (store, STORE_TEACHER, teacher_id, error)))
    return 0;
  stmt = _distillery_store_statement (store,
                                      "INSERT INTO runs (experiment_id, teacher_id, seed, created) VALUES (?1, ?2, ?3, ?4)",
                                      error);
  if (stmt == NULL)
    return 0;
  _distillery_store_bind_id (stmt, 1, experiment_id);
  _distillery_store_bind_id (stmt, 2, teacher_id);
  /* Seeds are 64-bit unsigned; SQLite's integers are signed. */
  sqlite3_bind_int64 (stmt, 3, (gint64) seed);
  sqlite3_bind_int64 (stmt, 4, _distillery_store_now ());
  if (!_distillery_store_run (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

#define RUN_COLUMNS \
  "id, experiment_id, teacher_id, seed, status, error, created, started, finished," \
  " epochs_done, steps_done, seconds, final_metrics"

static gpointer
read_run (DistilleryStore *store,
          sqlite3_stmt    *stmt,
          GError         **error)
{
  g_autoptr(DistilleryStoreRun) run = g_new0 (DistilleryStoreRun, 1);

  run->id = sqlite3_column_int64 (stmt, 0);
  run->experiment_id = sqlite3_column_int64 (stmt, 1);
  run->teacher_id = sqlite3_column_int64 (stmt, 2);
  run->seed = (guint64) sqlite3_column_int64 (stmt, 3);
  run->error = _distillery_store_column_text (stmt, 5);
  run->created = sqlite3_column_int64 (stmt, 6);
  run->started = sqlite3_column_int64 (stmt, 7);
  run->finished = sqlite3_column_int64 (stmt, 8);
  run->epochs_done = sqlite3_column_int (stmt, 9);
  run->steps_done = sqlite3_column_int64 (stmt, 10);
  run->seconds = sqlite3_column_double (stmt, 11);
  run->final_metrics = _distillery_store_column_text (stmt, 12);
  if (!status_from_string ((const char *) sqlite3_column_text (stmt, 4), &run->status))
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The project file “%s” is damaged: run number %lld has an unknown status. Distillery leaves it as it is; open a backup copy if you have one."),
                   store->display_name, (long long) run->id);
      return NULL;
    }
  return g_steal_pointer (&run);
}

DistilleryStoreRun *
distillery_store_get_run (DistilleryStore  *store,
                          gint64            id,
                          GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_distillery_store_step_one (store, stmt, STORE_RUN, id, error))
    return NULL;
  return read_run (store, stmt, error);
}

GPtrArray *
distillery_store_list_runs (DistilleryStore  *store,
                            gint64            experiment_id,
                            GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store,
                                      "SELECT " RUN_COLUMNS " FROM runs WHERE ?2 OR experiment_id IS ?1 ORDER BY id",
                                      error);
  if (stmt == NULL)
    return NULL;
  _distillery_store_bind_id (stmt, 1, experiment_id);
  sqlite3_bind_int (stmt, 2, experiment_id < 0);
  return _distillery_store_list (store, stmt, read_run, (GDestroyNotify) distillery_store_run_free, error);
}

gboolean
distillery_store_set_run_status (DistilleryStore      *store,
                                 gint64                run_id,
                                 DistilleryRunStatus   status,
                                 const char           *error_message,
                                 GError              **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _distillery_store_writable (store, error)
         && update_status (store, run_id, status, error_message, error);
}

static gboolean
store_result (DistilleryStore *store,
              gint64           run_id,
              const char      *final_metrics_json,
              GBytes          *model,
              GError         **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  gsize size;
  const void *data;
  int rc;

  update = _distillery_store_statement (store, "UPDATE runs SET final_metrics = ?2 WHERE id = ?1", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, run_id);
  sqlite3_bind_text (update, 2, final_metrics_json, -1, SQLITE_STATIC);
  if (!_distillery_store_run (store, update, error))
    return FALSE;
  if (sqlite3_changes (store->db) == 0)
    return _distillery_store_require (store, STORE_RUN, run_id, error);
  if (model == NULL)
    return TRUE;

  insert = _distillery_store_statement (store,
                                        "INSERT OR REPLACE INTO models (run_id, created, data) VALUES (?1, ?2, ?3)",
                                        error);
  if (insert == NULL)
    return FALSE;
  data = g_bytes_get_data (model, &size);
  sqlite3_bind_int64 (insert, 1, run_id);
  sqlite3_bind_int64 (insert, 2, _distillery_store_now ());
  /* A zero-length blob, not NULL, when the model is empty. */
  rc = sqlite3_bind_blob64 (insert, 3, size > 0 ? data : "", size, SQLITE_STATIC);
  if (rc != SQLITE_OK)
    return _distillery_store_fail (store, rc, error);
  return _distillery_store_run (store, insert, error);
}

gboolean
distillery_store_set_run_result (DistilleryStore  *store,
                                 gint64            run_id,
                                 const char       *final_metrics_json,
                                 GBytes           *model,
                                 GError          **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || (final_metrics_json != NULL
          && !_distillery_store_check_json (store, final_metrics_json,
                                            _("The final metrics of a run are not valid JSON, so the project “%s” cannot keep them."),
                                            error))
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!store_result (store, run_id, final_metrics_json, model, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GBytes *
distillery_store_get_model (DistilleryStore  *store,
                            gint64            run_id,
                            GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT data FROM models WHERE run_id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _distillery_store_column_bytes (stmt, 0);
  if (rc != SQLITE_DONE)
    _distillery_store_fail (store, rc, error);
  else if (_distillery_store_require (store, STORE_RUN, run_id, error))
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                 _("Run number %lld of the project “%s” has no trained model yet."),
                 (long long) run_id, store->display_name);
  return NULL;
}

void
distillery_store_run_free (DistilleryStoreRun *run)
{
  if (run == NULL)
    return;
  g_free (run->error);
  g_free (run->final_metrics);
  g_free (run);
}

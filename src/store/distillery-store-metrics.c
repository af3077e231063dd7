/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a run writes at the end of each epoch: one transaction with the
 * step rows still pending, the epoch's evaluation, the "last" checkpoint
 * (and "best") and the run's progress counters, so that a crash loses
 * nothing of a finished epoch and a resume finds metrics and checkpoint
 * in agreement; truncating a run back to such an epoch; and reading the
 * epochs and checkpoints back. Step rows themselves are kept as packed
 * chunks by distillery-store-steps.c.
 */
#include "config.h"

#include <inttypes.h>

#include "distillery-store-private.h"

#include <glib/gi18n-lib.h>

static gboolean
insert_epoch (DistilleryStore          *store,
              gint64                    run_id,
              const DistilleryEpochRow *epoch,
              GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree guint64 *matrix = NULL;
  gsize size = 0;

  stmt = _distillery_store_statement (store,
                                      "INSERT OR REPLACE INTO epochs (run_id, epoch, step, wall, train_loss, val_loss,"
                                      " val_accuracy, val_agreement, val_kl, val_ece, agreement_matrix)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int (stmt, 2, epoch->epoch);
  sqlite3_bind_int64 (stmt, 3, epoch->step);
  sqlite3_bind_double (stmt, 4, epoch->wall);
  sqlite3_bind_double (stmt, 5, epoch->train_loss);
  sqlite3_bind_double (stmt, 6, epoch->val_loss);
  sqlite3_bind_double (stmt, 7, epoch->val_accuracy);
  sqlite3_bind_double (stmt, 8, epoch->val_agreement);
  sqlite3_bind_double (stmt, 9, epoch->val_kl);
  sqlite3_bind_double (stmt, 10, epoch->val_ece);
  if (epoch->agreement_matrix != NULL)
    {
      const void *data = g_bytes_get_data (epoch->agreement_matrix, &size);

      if (size % sizeof (guint64) != 0)
        return _distillery_store_invalid (store, error,
                                          _("The agreement matrix of an epoch is %zu bytes long, which is not a whole number of counts, so the project “%s” cannot keep it."),
                                          size, store->display_name);
      matrix = g_malloc (MAX (size, 1));
      _distillery_store_copy_le64 (matrix, data, size / sizeof (guint64));
      sqlite3_bind_blob64 (stmt, 11, matrix, size, SQLITE_STATIC);
    }
  return _distillery_store_run (store, stmt, error);
}

static gboolean
insert_checkpoint (DistilleryStore          *store,
                   gint64                    run_id,
                   const char               *kind,
                   const DistilleryEpochRow *epoch,
                   GBytes                   *checkpoint,
                   GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gsize size;
  const void *data = g_bytes_get_data (checkpoint, &size);
  int rc;

  stmt = _distillery_store_statement (store,
                                      "INSERT OR REPLACE INTO checkpoints (run_id, kind, epoch, step, created, data)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, epoch->epoch);
  sqlite3_bind_int64 (stmt, 4, epoch->step);
  sqlite3_bind_int64 (stmt, 5, _distillery_store_now ());
  rc = sqlite3_bind_blob64 (stmt, 6, size > 0 ? data : "", size, SQLITE_STATIC);
  if (rc != SQLITE_OK)
    return _distillery_store_fail (store, rc, error);
  return _distillery_store_run (store, stmt, error);
}

/* epochs_done counts finished epochs only; a pause mid-epoch moves the
 * steps and the time on. */
static gboolean
update_progress (DistilleryStore          *store,
                 gint64                    run_id,
                 int                       epochs_done,
                 gint64                    steps_done,
                 double                    seconds,
                 GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _distillery_store_statement (store,
                                      "UPDATE runs SET epochs_done = ?2, steps_done = ?3, seconds = ?4 WHERE id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int (stmt, 2, epochs_done);
  sqlite3_bind_int64 (stmt, 3, steps_done);
  sqlite3_bind_double (stmt, 4, seconds);
  return _distillery_store_run (store, stmt, error);
}

gboolean
distillery_store_commit_epoch (DistilleryStore           *store,
                               gint64                     run_id,
                               const DistilleryStepRow   *pending,
                               guint                      n_pending,
                               const DistilleryEpochRow  *epoch,
                               double                     seconds,
                               GBytes                    *checkpoint,
                               gboolean                   is_best,
                               GError                   **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (pending != NULL || n_pending == 0, FALSE);
  g_return_val_if_fail (epoch != NULL && epoch->epoch >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!_distillery_store_require (store, STORE_RUN, run_id, error)
      || !_distillery_store_insert_steps (store, run_id, pending, n_pending, error)
      || !insert_epoch (store, run_id, epoch, error)
      || (checkpoint != NULL && !insert_checkpoint (store, run_id, "last", epoch, checkpoint, error))
      || (checkpoint != NULL && is_best && !insert_checkpoint (store, run_id, "best", epoch, checkpoint, error))
      || !update_progress (store, run_id, epoch->epoch + 1, epoch->step + 1, seconds, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
distillery_store_commit_pause (DistilleryStore         *store,
                               gint64                   run_id,
                               const DistilleryStepRow *pending,
                               guint                    n_pending,
                               int                      epoch,
                               gint64                   step,
                               double                   seconds,
                               GBytes                  *checkpoint,
                               GError                 **error)
{
  DistilleryEpochRow at = { .epoch = epoch, .step = step };

  g_return_val_if_fail (store != NULL && checkpoint != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!_distillery_store_require (store, STORE_RUN, run_id, error)
      || !_distillery_store_insert_steps (store, run_id, pending, n_pending, error)
      || !insert_checkpoint (store, run_id, "last", &at, checkpoint, error)
      || !update_progress (store, run_id, epoch, step + 1, seconds, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GBytes *
distillery_store_get_checkpoint (DistilleryStore  *store,
                                 gint64            run_id,
                                 const char       *kind,
                                 int              *epoch,
                                 GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT epoch, data FROM checkpoints WHERE run_id = ?1 AND kind = ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (epoch != NULL)
        *epoch = sqlite3_column_int (stmt, 0);
      return _distillery_store_column_bytes (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    _distillery_store_fail (store, rc, error);
  else if (_distillery_store_require (store, STORE_RUN, run_id, error))
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                 _("Run number %lld of the project “%s” has no “%s” checkpoint."),
                 (long long) run_id, store->display_name, kind);
  return NULL;
}

static gboolean
truncate_rows (DistilleryStore *store,
               gint64           run_id,
               int              epoch,
               GError         **error)
{
  static const char *const sql[] = {
    "DELETE FROM epochs WHERE run_id = ?1 AND epoch > ?2",
    "DELETE FROM checkpoints WHERE run_id = ?1 AND epoch > ?2",
    "UPDATE runs SET epochs_done = ?2 + 1,"
    " steps_done = coalesce ((SELECT step + 1 FROM epochs WHERE run_id = ?1 AND epoch = ?2), 0)"
    " WHERE id = ?1",
  };

  if (!_distillery_store_truncate_steps (store, run_id, epoch, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, sql[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_int (stmt, 2, epoch);
      if (!_distillery_store_run (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
distillery_store_truncate_run (DistilleryStore  *store,
                               gint64            run_id,
                               int               epoch,
                               GError          **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (epoch >= -1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!_distillery_store_require (store, STORE_RUN, run_id, error)
      || !truncate_rows (store, run_id, epoch, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static void
clear_epoch_row (gpointer data)
{
  DistilleryEpochRow *row = data;

  g_clear_pointer (&row->agreement_matrix, g_bytes_unref);
}

static GBytes *
read_matrix (sqlite3_stmt *stmt,
             int           column)
{
  gsize size;
  guint64 *matrix;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  size = sqlite3_column_bytes (stmt, column);
  matrix = g_malloc (MAX (size, 1));
  _distillery_store_copy_le64 (matrix, sqlite3_column_blob (stmt, column), size / sizeof (guint64));
  return g_bytes_new_take (matrix, size / sizeof (guint64) * sizeof (guint64));
}

GArray *
distillery_store_get_epochs (DistilleryStore  *store,
                             gint64            run_id,
                             GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) epochs = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_distillery_store_require (store, STORE_RUN, run_id, error))
    return NULL;
  stmt = _distillery_store_statement (store,
                                      "SELECT epoch, step, wall, train_loss, val_loss, val_accuracy, val_agreement,"
                                      " val_kl, val_ece, agreement_matrix FROM epochs WHERE run_id = ?1 ORDER BY epoch",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  epochs = g_array_new (FALSE, FALSE, sizeof (DistilleryEpochRow));
  g_array_set_clear_func (epochs, clear_epoch_row);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      DistilleryEpochRow row = {
        .epoch = sqlite3_column_int (stmt, 0),
        .step = sqlite3_column_int64 (stmt, 1),
        .wall = _distillery_store_column_double (stmt, 2),
        .train_loss = _distillery_store_column_double (stmt, 3),
        .val_loss = _distillery_store_column_double (stmt, 4),
        .val_accuracy = _distillery_store_column_double (stmt, 5),
        .val_agreement = _distillery_store_column_double (stmt, 6),
        .val_kl = _distillery_store_column_double (stmt, 7),
        .val_ece = _distillery_store_column_double (stmt, 8),
        .agreement_matrix = read_matrix (stmt, 9),
      };

      g_array_append_val (epochs, row);
    }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&epochs);
}

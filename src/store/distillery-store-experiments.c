/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Experiments: a name, the data set and teacher they use, and their
 * settings as the jobs layer writes them (JSON with its own "version", so
 * the jobs layer can read settings from older releases). Names are unique
 * within a project.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <glib/gi18n-lib.h>

#define EXPERIMENT_COLUMNS "id, name, settings, dataset_id, teacher_id, created"

static gpointer
read_experiment (DistilleryStore *store,
                 sqlite3_stmt    *stmt,
                 GError         **error)
{
  DistilleryStoreExperiment *experiment = g_new0 (DistilleryStoreExperiment, 1);

  experiment->id = sqlite3_column_int64 (stmt, 0);
  experiment->name = _distillery_store_column_text (stmt, 1);
  experiment->settings = _distillery_store_column_text (stmt, 2);
  experiment->dataset_id = sqlite3_column_int64 (stmt, 3);
  experiment->teacher_id = sqlite3_column_int64 (stmt, 4);
  experiment->created = sqlite3_column_int64 (stmt, 5);
  return experiment;
}

static gboolean
check_settings (DistilleryStore                 *store,
                const DistilleryStoreExperiment *e,
                GError                         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _distillery_store_statement (store,
                                      "SELECT CASE WHEN json_valid (?1) THEN json_type (?1, '$.version') END",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, e->settings, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _distillery_store_fail (store, rc, error);
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "integer") == 0)
    return TRUE;
  return _distillery_store_invalid (store, error,
                                    _("The settings of the experiment “%s” are not JSON with a “version” number, so the project “%s” cannot keep them."),
                                    e->name, store->display_name);
}

gint64
distillery_store_add_experiment (DistilleryStore                  *store,
                                 const DistilleryStoreExperiment  *e,
                                 GError                          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (e != NULL && e->name != NULL && e->settings != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!_distillery_store_writable (store, error)
      || !check_settings (store, e, error)
      || !_distillery_store_require (store, STORE_DATASET, e->dataset_id, error)
      || (e->teacher_id != 0 && !_distillery_store_require (store, STORE_TEACHER, e->teacher_id, error)))
    return 0;

  stmt = _distillery_store_statement (store,
                                      "INSERT INTO experiments (" EXPERIMENT_COLUMNS ") VALUES (NULL, ?1, ?2, ?3, ?4, ?5)",
                                      error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, e->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, e->settings, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, e->dataset_id);
  _distillery_store_bind_id (stmt, 4, e->teacher_id);
  sqlite3_bind_int64 (stmt, 5, _distillery_store_now ());
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS,
                   _("The project “%s” already has an experiment named “%s”. Choose another name."),
                   store->display_name, e->name);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return 0;
    }
  return sqlite3_last_insert_rowid (store->db);
}

/* Runs keep no copy of the settings they were trained with: once an
 * experiment has runs its settings and teacher stay as they are (a new
 * experiment takes other settings), so every run's numbers can be traced
 * to the settings that made them and a paused run resumes with them. */
gboolean
distillery_store_update_experiment (DistilleryStore                  *store,
                                    const DistilleryStoreExperiment  *e,
                                    GError                          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (e != NULL && e->settings != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_require (store, STORE_EXPERIMENT, e->id, error)
      || !check_settings (store, e, error)
      || !_distillery_store_require (store, STORE_DATASET, e->dataset_id, error)
      || (e->teacher_id != 0 && !_distillery_store_require (store, STORE_TEACHER, e->teacher_id, error)))
    return FALSE;
  stmt = _distillery_store_statement (store,
                                      "UPDATE experiments SET settings = ?2, teacher_id = ?3, dataset_id = ?4 WHERE id = ?1"
                                      " AND NOT EXISTS (SELECT 1 FROM runs WHERE experiment_id = ?1)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, e->id);
  sqlite3_bind_text (stmt, 2, e->settings, -1, SQLITE_STATIC);
  _distillery_store_bind_id (stmt, 3, e->teacher_id);
  sqlite3_bind_int64 (stmt, 4, e->dataset_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  if (sqlite3_changes (store->db) == 0)
    return _distillery_store_invalid (store, error,
                                      _("The experiment has runs, which were trained with its settings; "
                                        "duplicate it to try other settings."));
  return TRUE;
}

gboolean
distillery_store_rename_experiment (DistilleryStore  *store,
                                    gint64            id,
                                    const char       *name,
                                    GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL && name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_require (store, STORE_EXPERIMENT, id, error))
    return FALSE;
  stmt = _distillery_store_statement (store, "UPDATE experiments SET name = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS,
                   _("The project “%s” already has an experiment named “%s”. Choose another name."),
                   store->display_name, name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  return TRUE;
}

gboolean
distillery_store_delete_experiment (DistilleryStore  *store,
                                    gint64            id,
                                    GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_require (store, STORE_EXPERIMENT, id, error))
    return FALSE;
  stmt = _distillery_store_statement (store, "DELETE FROM experiments WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  return TRUE;
}

GPtrArray *
distillery_store_list_experiments (DistilleryStore  *store,
                                   GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " EXPERIMENT_COLUMNS " FROM experiments ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  return _distillery_store_list (store, stmt, read_experiment, (GDestroyNotify) distillery_store_experiment_free, error);
}

DistilleryStoreExperiment *
distillery_store_get_experiment (DistilleryStore  *store,
                                 gint64            id,
                                 GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " EXPERIMENT_COLUMNS " FROM experiments WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_distillery_store_step_one (store, stmt, STORE_EXPERIMENT, id, error))
    return NULL;
  return read_experiment (store, stmt, error);
}

DistilleryStoreExperiment *
distillery_store_find_experiment (DistilleryStore  *store,
                                  const char       *name,
                                  GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " EXPERIMENT_COLUMNS " FROM experiments WHERE name = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_experiment (store, stmt, error);
  if (rc != SQLITE_DONE)
    _distillery_store_fail (store, rc, error);
  else
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                 _("The project “%s” has no experiment named “%s”."),
                 store->display_name, name);
  return NULL;
}

void
distillery_store_experiment_free (DistilleryStoreExperiment *experiment)
{
  if (experiment == NULL)
    return;
  g_free (experiment->name);
  g_free (experiment->settings);
  g_free (experiment);
}

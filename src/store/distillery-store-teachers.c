/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Teachers and the cache of their answers. A teacher is a kind and its
 * settings; one trained here points at the run that trained it, whose
 * model is its weights. The cache keeps one row per sample a teacher was
 * asked about, under a disclosure policy, so that no question is asked
 * twice, not even after the project moved to another machine.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define TEACHER_COLUMNS "id, name, kind, settings, dataset_id, run_id, created"

static gpointer
read_teacher (DistilleryStore *store,
              sqlite3_stmt    *stmt,
              GError         **error)
{
  DistilleryStoreTeacher *teacher = g_new0 (DistilleryStoreTeacher, 1);

  teacher->id = sqlite3_column_int64 (stmt, 0);
  teacher->name = _distillery_store_column_text (stmt, 1);
  teacher->kind = _distillery_store_column_text (stmt, 2);
  teacher->settings = _distillery_store_column_text (stmt, 3);
  teacher->dataset_id = sqlite3_column_int64 (stmt, 4);
  teacher->run_id = sqlite3_column_int64 (stmt, 5);
  teacher->created = sqlite3_column_int64 (stmt, 6);
  return teacher;
}

gint64
distillery_store_add_teacher (DistilleryStore               *store,
                              const DistilleryStoreTeacher  *teacher,
                              GError                       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *settings;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (teacher != NULL && teacher->name != NULL && teacher->kind != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  settings = teacher->settings != NULL ? teacher->settings : "{}";
  if (!_distillery_store_writable (store, error)
      || !_distillery_store_check_json (store, settings,
                                        _("The settings of a teacher are not valid JSON, so the project “%s” cannot keep them."),
                                        error)
      || (teacher->dataset_id != 0 && !_distillery_store_require (store, STORE_DATASET, teacher->dataset_id, error))
      || (teacher->run_id != 0 && !_distillery_store_require (store, STORE_RUN, teacher->run_id, error)))
    return 0;

  stmt = _distillery_store_statement (store,
                                      "INSERT INTO teachers (" TEACHER_COLUMNS ") VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6)",
                                      error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, teacher->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, teacher->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, settings, -1, SQLITE_STATIC);
  _distillery_store_bind_id (stmt, 4, teacher->dataset_id);
  _distillery_store_bind_id (stmt, 5, teacher->run_id);
  sqlite3_bind_int64 (stmt, 6, _distillery_store_now ());
  if (!_distillery_store_run (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (store->db);
}

GPtrArray *
distillery_store_list_teachers (DistilleryStore  *store,
                                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " TEACHER_COLUMNS " FROM teachers ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  return _distillery_store_list (store, stmt, read_teacher, (GDestroyNotify) distillery_store_teacher_free, error);
}

DistilleryStoreTeacher *
distillery_store_get_teacher (DistilleryStore  *store,
                              gint64            id,
                              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " TEACHER_COLUMNS " FROM teachers WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_distillery_store_step_one (store, stmt, STORE_TEACHER, id, error))
    return NULL;
  return read_teacher (store, stmt, error);
}

gboolean
distillery_store_set_teacher_run (DistilleryStore  *store,
                                  gint64            teacher_id,
                                  gint64            run_id,
                                  GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_require (store, STORE_TEACHER, teacher_id, error)
      || (run_id != 0 && !_distillery_store_require (store, STORE_RUN, run_id, error)))
    return FALSE;
  stmt = _distillery_store_statement (store, "UPDATE teachers SET run_id = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  _distillery_store_bind_id (stmt, 2, run_id);
  return _distillery_store_run (store, stmt, error);
}

/* Recorded answers are the teacher itself: whatever else is forgotten,
 * a teacher of kind "answers" keeps its rows. */
static gboolean
forget_answers (DistilleryStore *store,
                gint64           teacher_id,
                GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _distillery_store_statement (store,
                                      "DELETE FROM teacher_answers WHERE teacher_id = ?1"
                                      " AND NOT EXISTS (SELECT 1 FROM teachers WHERE id = ?1 AND kind = 'answers')",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  return _distillery_store_run (store, stmt, error);
}

gboolean
distillery_store_change_teacher (DistilleryStore  *store,
                                 gint64            teacher_id,
                                 const char       *settings,
                                 gint64            run_id,
                                 const gint64     *stale,
                                 guint             n_stale,
                                 GError          **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (stale != NULL || n_stale == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_require (store, STORE_TEACHER, teacher_id, error)
      || (settings != NULL
          && !_distillery_store_check_json (store, settings,
                                            _("The settings of a teacher are not valid JSON, so the project “%s” cannot keep them."),
                                            error))
      || (run_id > 0 && !_distillery_store_require (store, STORE_RUN, run_id, error))
      || !_distillery_store_begin (store, error))
    return FALSE;

  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = TRUE;
  if (settings != NULL || run_id >= 0)
    {
      stmt = _distillery_store_statement (store,
                                          "UPDATE teachers SET settings = coalesce (?2, settings),"
                                          " run_id = CASE WHEN ?3 < 0 THEN run_id ELSE nullif (?3, 0) END"
                                          " WHERE id = ?1",
                                          error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, teacher_id);
          if (settings != NULL)
            sqlite3_bind_text (stmt, 2, settings, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 3, run_id);
          ok = _distillery_store_run (store, stmt, error);
        }
    }
  for (guint i = 0; ok && i < n_stale; i++)
    ok = forget_answers (store, stale[i], error);
  if (!ok || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

void
distillery_store_teacher_free (DistilleryStoreTeacher *teacher)
{
  if (teacher == NULL)
    return;
  g_free (teacher->name);
  g_free (teacher->kind);
  g_free (teacher->settings);
  g_free (teacher);
}

static gboolean
insert_answers (DistilleryStore *store,
                gint64           teacher_id,
                gint64           dataset_id,
                const char      *split,
                const char      *policy,
                const guint32   *samples,
                const float     *rows,
                guint            n,
                guint            n_classes,
                GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree float *answer = g_new (float, n_classes);
  int rc;

  stmt = _distillery_store_statement (store,
                                      "INSERT INTO teacher_answers (teacher_id, dataset_id, split, policy, sample, answer)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                      " ON CONFLICT DO UPDATE SET answer = excluded.answer",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  sqlite3_bind_int64 (stmt, 2, dataset_id);
  sqlite3_bind_text (stmt, 3, split, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, policy, -1, SQLITE_STATIC);
  for (guint i = 0; i < n; i++)
    {
      _distillery_store_copy_le32 (answer, rows + (gsize) i * n_classes, n_classes);
      sqlite3_bind_int64 (stmt, 5, samples[i]);
      sqlite3_bind_blob (stmt, 6, answer, sizeof (float) * n_classes, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return _distillery_store_fail (store, rc, error);
    }
  return TRUE;
}

gboolean
distillery_store_put_answers (DistilleryStore  *store,
                              gint64            teacher_id,
                              gint64            dataset_id,
                              const char       *split,
                              const char       *policy,
                              const guint32    *samples,
                              const float      *rows,
                              guint             n,
                              guint             n_classes,
                              GError          **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (split != NULL && policy != NULL, FALSE);
  g_return_val_if_fail (n == 0 || (samples != NULL && rows != NULL), FALSE);
  g_return_val_if_fail (n_classes > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!_distillery_store_require (store, STORE_TEACHER, teacher_id, error)
      || !_distillery_store_require (store, STORE_DATASET, dataset_id, error)
      || !insert_answers (store, teacher_id, dataset_id, split, policy, samples, rows, n, n_classes, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

gint64
distillery_store_get_answers (DistilleryStore  *store,
                              gint64            teacher_id,
                              gint64            dataset_id,
                              const char       *split,
                              const char       *policy,
                              float            *rows,
                              guint             n_samples,
                              guint             n_classes,
                              gboolean         *found,
                              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n_found = 0;
  int rc;

  g_return_val_if_fail (store != NULL, -1);
  g_return_val_if_fail (split != NULL && policy != NULL, -1);
  g_return_val_if_fail (n_samples == 0 || (rows != NULL && found != NULL), -1);
  g_return_val_if_fail (n_classes > 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = _distillery_store_statement (store,
                                      "SELECT sample, answer FROM teacher_answers"
                                      " WHERE teacher_id = ?1 AND dataset_id = ?2 AND split = ?3 AND policy = ?4",
                                      error);
  if (stmt == NULL)
    return -1;
  if (n_samples > 0)
    memset (found, 0, sizeof (gboolean) * n_samples);
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  sqlite3_bind_int64 (stmt, 2, dataset_id);
  sqlite3_bind_text (stmt, 3, split, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, policy, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 sample = sqlite3_column_int64 (stmt, 0);
      const void *answer = sqlite3_column_blob (stmt, 1);
      gsize size = sqlite3_column_bytes (stmt, 1);

      if (sample < 0 || sample >= n_samples)
        continue;
      if (size != sizeof (float) * n_classes)
        {
          g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID,
                       _("The teacher’s answers cached in the project “%s” hold %u values per sample, but %u were asked for. Clear the teacher’s cached answers and ask again."),
                       store->display_name, (guint) (size / sizeof (float)), n_classes);
          return -1;
        }
      _distillery_store_copy_le32 (rows + (gsize) sample * n_classes, answer, n_classes);
      found[sample] = TRUE;
      n_found++;
    }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return -1;
    }
  return n_found;
}

gboolean
distillery_store_clear_answers (DistilleryStore  *store,
                                gint64            teacher_id,
                                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error))
    return FALSE;
  stmt = _distillery_store_statement (store, "DELETE FROM teacher_answers WHERE teacher_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  return _distillery_store_run (store, stmt, error);
}

gint64
distillery_store_count_answers (DistilleryStore  *store,
                                gint64            teacher_id,
                                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (store != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!_distillery_store_require (store, STORE_TEACHER, teacher_id, error))
    return -1;
  stmt = _distillery_store_statement (store, "SELECT count(*) FROM teacher_answers WHERE teacher_id = ?1", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, teacher_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    {
      _distillery_store_fail (store, rc, error);
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

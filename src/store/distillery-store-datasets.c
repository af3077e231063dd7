/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data sets inside the project: the metadata the data layer parsed once,
 * and the original files byte for byte, so that a project opens on a
 * machine that never saw them. Files are deflated with zlib at level 1
 * (Fashion-MNIST's 47 MB of training images in under a second, to 58 %);
 * a file that is already gzipped, or that deflate does not shrink, is kept
 * as it is. A CRC-32 of the original bytes is checked on every read.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>

#define COMPRESSION_LEVEL 1

static const char *const file_roles[] = {
  "train-images", "train-labels", "test-images", "test-labels", "csv", NULL,
};

/* A file as it goes into the table: data points either into the caller's
 * bytes or into `owned`. */
typedef struct
{
  const char   *compression;
  const guchar *data;
  gsize         size;
  guint32       crc;
  guchar       *owned;
} PackedFile;

static gboolean
pack_file (GBytes     *bytes,
           PackedFile *packed)
{
  gsize size;
  const guchar *data = g_bytes_get_data (bytes, &size);
  uLongf length;

  packed->crc = crc32_z (crc32_z (0, NULL, 0), data, size);
  packed->compression = "none";
  packed->data = data;
  packed->size = size;
  packed->owned = NULL;

  /* gzip's magic: deflating deflated data costs time and saves nothing. */
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    return TRUE;

  length = compressBound (size);
  packed->owned = g_try_malloc (length);
  if (packed->owned == NULL)
    return FALSE;
  if (compress2 (packed->owned, &length, data, size, COMPRESSION_LEVEL) == Z_OK && length < size)
    {
      packed->compression = "zlib";
      packed->data = packed->owned;
      packed->size = length;
    }
  else
    g_clear_pointer (&packed->owned, g_free);
  return TRUE;
}

static char *
class_names_to_json (char **names)
{
  GString *json = g_string_new ("[");

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append_c (json, '"');
      for (const char *p = names[i]; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_printf (json, "\\%c", *p);
          else if ((guchar) *p < 0x20)
            g_string_append_printf (json, "\\u%04x", (guchar) *p);
          else
            g_string_append_c (json, *p);
        }
      g_string_append_c (json, '"');
    }
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

static char **
class_names_from_json (DistilleryStore *store,
                       const char      *json,
                       GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, "SELECT value FROM json_each (?1)", error);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  return g_strv_builder_end (names);
}

#define DATASET_COLUMNS \
  "id, name, kind, options, n_samples, n_features, n_classes, class_names, image_width, image_height, created"

static gpointer
read_dataset (DistilleryStore *store,
              sqlite3_stmt    *stmt,
              GError         **error)
{
  g_autoptr(DistilleryStoreDataset) dataset = g_new0 (DistilleryStoreDataset, 1);

  dataset->id = sqlite3_column_int64 (stmt, 0);
  dataset->name = _distillery_store_column_text (stmt, 1);
  dataset->kind = _distillery_store_column_text (stmt, 2);
  dataset->options = _distillery_store_column_text (stmt, 3);
  dataset->n_samples = sqlite3_column_int64 (stmt, 4);
  dataset->n_features = sqlite3_column_int64 (stmt, 5);
  dataset->n_classes = sqlite3_column_int64 (stmt, 6);
  dataset->class_names = class_names_from_json (store, (const char *) sqlite3_column_text (stmt, 7), error);
  dataset->image_width = sqlite3_column_int64 (stmt, 8);
  dataset->image_height = sqlite3_column_int64 (stmt, 9);
  dataset->created = sqlite3_column_int64 (stmt, 10);
  if (dataset->class_names == NULL)
    return NULL;
  return g_steal_pointer (&dataset);
}

static gboolean
check_files (DistilleryStore            *store,
             const char                 *name,
             const DistilleryStoreFile  *files,
             guint                       n_files,
             GError                    **error)
{
  for (guint i = 0; i < n_files; i++)
    {
      g_return_val_if_fail (files[i].role != NULL && files[i].file_name != NULL && files[i].bytes != NULL, FALSE);

      if (!g_strv_contains (file_roles, files[i].role))
        return _distillery_store_invalid (store, error,
                                          _("The data set “%s” has a file in the role “%s”, which the project file does not know."),
                                          name, files[i].role);
      for (guint j = 0; j < i; j++)
        if (strcmp (files[i].role, files[j].role) == 0)
          return _distillery_store_invalid (store, error,
                                            _("The data set “%s” has two files in the role “%s”."),
                                            name, files[i].role);
    }
  return TRUE;
}

static gboolean
insert_dataset (DistilleryStore               *store,
                const DistilleryStoreDataset  *meta,
                const char                    *options,
                const DistilleryStoreFile     *files,
                const PackedFile              *packed,
                guint                          n_files,
                gint64                        *id,
                GError                       **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autofree char *class_names = class_names_to_json (meta->class_names);

  insert = _distillery_store_statement (store,
                                        "INSERT INTO datasets (" DATASET_COLUMNS ")"
                                        " VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                        error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, meta->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, meta->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, options, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 4, meta->n_samples);
  sqlite3_bind_int64 (insert, 5, meta->n_features);
  sqlite3_bind_int64 (insert, 6, meta->n_classes);
  sqlite3_bind_text (insert, 7, class_names, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 8, meta->image_width);
  sqlite3_bind_int64 (insert, 9, meta->image_height);
  sqlite3_bind_int64 (insert, 10, _distillery_store_now ());
  if (!_distillery_store_run (store, insert, error))
    return FALSE;
  *id = sqlite3_last_insert_rowid (store->db);

  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(sqlite3_stmt) file = NULL;
      int rc;

      file = _distillery_store_statement (store,
                                          "INSERT INTO dataset_files (dataset_id, role, file_name, size, crc32, compression, data)"
                                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                          error);
      if (file == NULL)
        return FALSE;
      sqlite3_bind_int64 (file, 1, *id);
      sqlite3_bind_text (file, 2, files[i].role, -1, SQLITE_STATIC);
      sqlite3_bind_text (file, 3, files[i].file_name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (file, 4, g_bytes_get_size (files[i].bytes));
      sqlite3_bind_int64 (file, 5, packed[i].crc);
      sqlite3_bind_text (file, 6, packed[i].compression, -1, SQLITE_STATIC);
      rc = sqlite3_bind_blob64 (file, 7, packed[i].data, packed[i].size, SQLITE_STATIC);
      if (rc != SQLITE_OK)
        return _distillery_store_fail (store, rc, error);
      if (!_distillery_store_run (store, file, error))
        return FALSE;
    }
  return TRUE;
}

gint64
distillery_store_add_dataset (DistilleryStore               *store,
                              const DistilleryStoreDataset  *meta,
                              const DistilleryStoreFile     *files,
                              guint                          n_files,
                              GError                       **error)
{
  g_autofree PackedFile *packed = NULL;
  const char *options;
  gboolean ok = TRUE;
  gint64 id = 0;

  g_return_val_if_fail (store != NULL, 0);
  g_return_val_if_fail (meta != NULL && meta->name != NULL && meta->kind != NULL, 0);
  g_return_val_if_fail (files != NULL || n_files == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  options = meta->options != NULL ? meta->options : "{}";
  if (!_distillery_store_writable (store, error)
      || !check_files (store, meta->name, files, n_files, error)
      || !_distillery_store_check_json (store, options,
                                        _("The parse options of a data set are not valid JSON, so the project “%s” cannot keep them."),
                                        error))
    return 0;

  /* Compressed before the transaction, so the write lock is held only
   * while the bytes are written. */
  packed = g_new0 (PackedFile, n_files);
  for (guint i = 0; i < n_files && ok; i++)
    ok = pack_file (files[i].bytes, &packed[i]);
  if (!ok)
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                 _("There is not enough memory to store the data set “%s” in the project."),
                 meta->name);
  else if (!_distillery_store_begin (store, error))
    ok = FALSE;
  else if (!insert_dataset (store, meta, options, files, packed, n_files, &id, error)
           || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      ok = FALSE;
    }

  for (guint i = 0; i < n_files; i++)
    g_free (packed[i].owned);
  return ok ? id : 0;
}

GPtrArray *
distillery_store_list_datasets (DistilleryStore  *store,
                                GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " DATASET_COLUMNS " FROM datasets ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  return _distillery_store_list (store, stmt, read_dataset, (GDestroyNotify) distillery_store_dataset_free, error);
}

DistilleryStoreDataset *
distillery_store_get_dataset (DistilleryStore  *store,
                              gint64            id,
                              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT " DATASET_COLUMNS " FROM datasets WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_distillery_store_step_one (store, stmt, STORE_DATASET, id, error))
    return NULL;
  return read_dataset (store, stmt, error);
}

static GBytes *
unpack_file (DistilleryStore *store,
             sqlite3_stmt    *stmt,
             GError         **error)
{
  const char *file_name = (const char *) sqlite3_column_text (stmt, 0);
  gint64 size = sqlite3_column_int64 (stmt, 1);
  guint32 crc = sqlite3_column_int64 (stmt, 2);
  const char *compression = (const char *) sqlite3_column_text (stmt, 3);
  const guchar *data = sqlite3_column_blob (stmt, 4);
  gsize length = sqlite3_column_bytes (stmt, 4);
  g_autofree guchar *bytes = NULL;
  gboolean intact;

  if (size < 0 || (guint64) size > G_MAXSIZE || (bytes = g_try_malloc (MAX (size, 1))) == NULL)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("There is not enough memory to read the file “%s” out of the project “%s”."),
                   file_name, store->display_name);
      return NULL;
    }
  if (g_strcmp0 (compression, "zlib") == 0)
    {
      uLongf unpacked = size;

      intact = uncompress (bytes, &unpacked, data, length) == Z_OK && unpacked == (uLongf) size;
    }
  else
    {
      intact = length == (gsize) size;
      if (intact && size > 0)
        memcpy (bytes, data, size);
    }
  if (!intact || crc32_z (crc32_z (0, NULL, 0), bytes, size) != crc)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The copy of the file “%s” inside the project “%s” is damaged. Add the data set to the project again from the original file."),
                   file_name, store->display_name);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&bytes), size);
}

GBytes *
distillery_store_get_dataset_file (DistilleryStore  *store,
                                   gint64            dataset_id,
                                   const char       *role,
                                   char            **file_name,
                                   GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GBytes *bytes;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (role != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _distillery_store_statement (store,
                                      "SELECT file_name, size, crc32, compression, data FROM dataset_files"
                                      " WHERE dataset_id = ?1 AND role = ?2",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, dataset_id);
  sqlite3_bind_text (stmt, 2, role, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      if (_distillery_store_require (store, STORE_DATASET, dataset_id, error))
        g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                     _("Data set number %lld of the project “%s” has no file in the role “%s”."),
                     (long long) dataset_id, store->display_name, role);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  bytes = unpack_file (store, stmt, error);
  if (bytes != NULL && file_name != NULL)
    *file_name = _distillery_store_column_text (stmt, 0);
  return bytes;
}

void
distillery_store_dataset_free (DistilleryStoreDataset *dataset)
{
  if (dataset == NULL)
    return;
  g_free (dataset->name);
  g_free (dataset->kind);
  g_free (dataset->options);
  g_strfreev (dataset->class_names);
  g_free (dataset);
}

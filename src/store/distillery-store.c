/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening, creating and copying project files, and what every other part
 * of the store builds on: the checks that refuse a file before anything is
 * written to it, the forward migrations, the connection's settings, the
 * statement cache, transactions and error messages.
 *
 * A file is judged in two steps. First its 16-byte header is read here,
 * without SQLite, so that an empty file or one that is not SQLite at all
 * never reaches the library. Then a read-only connection looks at the
 * application id, the schema version, the b-tree structure (PRAGMA
 * quick_check) and the tables. Only a file that passes is opened for
 * writing. While no -wal file exists the checking connection is opened
 * "immutable", which takes no locks and creates no -wal or -shm file, so a
 * refused file is left exactly as it was.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* How long a writer waits for another connection's write to finish. */
#define BUSY_TIMEOUT_MS 5000
/* Of new projects; older files keep theirs. */
#define PAGE_SIZE 16384

static const char sqlite_magic[16] = "SQLite format 3";

G_DEFINE_QUARK (distillery-store-error-quark, distillery_store_error)

static void
set_sqlite_error (sqlite3    *db,
                  const char *display_name,
                  int         rc,
                  GError    **error)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The project file “%s” is damaged (%s). Distillery leaves it as it is; open a backup copy if you have one."),
                   display_name, message);
      break;
    case SQLITE_READONLY:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_READ_ONLY,
                   _("The project “%s” cannot be changed because the file or its folder is read-only. Save a copy of the project somewhere else to make changes."),
                   display_name);
      break;
    case SQLITE_FULL:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("The disk that holds the project “%s” is full. Free some space and try again."),
                   display_name);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("The project “%s” is busy in another window or program. Try again in a moment, or close it there."),
                   display_name);
      break;
    case SQLITE_CONSTRAINT:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID,
                   _("The project file “%s” does not accept this change (%s)."),
                   display_name, message);
      break;
    case SQLITE_TOOBIG:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID,
                   _("This is too large to keep inside the project “%s”: one piece of a project may hold at most about 1 GB."),
                   display_name);
      break;
    default:
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("Could not read or write the project file “%s” (%s)."),
                   display_name, message);
      break;
    }
}

gboolean
_distillery_store_fail (DistilleryStore *store,
                        int              rc,
                        GError         **error)
{
  set_sqlite_error (store->db, store->display_name, rc, error);
  return FALSE;
}

gboolean
_distillery_store_invalid (DistilleryStore *store,
                           GError         **error,
                           const char      *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (DISTILLERY_STORE_ERROR,
                                                DISTILLERY_STORE_ERROR_INVALID,
                                                format, args));
  va_end (args);
  return FALSE;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

sqlite3_stmt *
_distillery_store_statement (DistilleryStore *store,
                             const char      *sql,
                             GError         **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (store->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;
  rc = sqlite3_prepare_v3 (store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  g_hash_table_insert (store->statements, (gpointer) sql, stmt);
  return stmt;
}

void
_distillery_store_statement_release (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

gboolean
_distillery_store_run (DistilleryStore *store,
                       sqlite3_stmt    *stmt,
                       GError         **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  return TRUE;
}

static gboolean
run_sql (DistilleryStore *store,
         const char      *sql,
         GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, sql, error);

  return stmt != NULL && _distillery_store_run (store, stmt, error);
}

gboolean
_distillery_store_writable (DistilleryStore *store,
                            GError         **error)
{
  if (!store->read_only)
    return TRUE;
  g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_READ_ONLY,
               _("The project “%s” is open read-only, so this change cannot be saved. Save a copy of the project under another name to make changes."),
               store->display_name);
  return FALSE;
}

/* Inside a batch each write is a savepoint of the batch's transaction:
 * a write that fails is undone alone and the others still commit. */
gboolean
_distillery_store_begin (DistilleryStore *store,
                         GError         **error)
{
  return run_sql (store, store->in_batch ? "SAVEPOINT write" : "BEGIN IMMEDIATE", error);
}

gboolean
_distillery_store_commit (DistilleryStore *store,
                          GError         **error)
{
  return run_sql (store, store->in_batch ? "RELEASE write" : "COMMIT", error);
}

void
_distillery_store_rollback (DistilleryStore *store)
{
  if (sqlite3_get_autocommit (store->db))
    return;
  if (store->in_batch)
    {
      run_sql (store, "ROLLBACK TO write", NULL);
      run_sql (store, "RELEASE write", NULL);
    }
  else
    run_sql (store, "ROLLBACK", NULL);
}

gboolean
distillery_store_begin_batch (DistilleryStore *store,
                              GError         **error)
{
  g_return_val_if_fail (store != NULL && !store->in_batch, FALSE);

  if (!_distillery_store_writable (store, error) || !run_sql (store, "BEGIN IMMEDIATE", error))
    return FALSE;
  store->in_batch = TRUE;
  return TRUE;
}

gboolean
distillery_store_end_batch (DistilleryStore *store,
                            GError         **error)
{
  g_return_val_if_fail (store != NULL && store->in_batch, FALSE);

  store->in_batch = FALSE;
  /* A failure such as a full disk may already have ended the transaction. */
  if (sqlite3_get_autocommit (store->db))
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("%s: the writes were undone after an error."), store->display_name);
      return FALSE;
    }
  if (!run_sql (store, "COMMIT", error))
    {
      run_sql (store, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
not_found (DistilleryStore *store,
           StoreEntity      what,
           gint64           id,
           GError         **error)
{
  const char *format = NULL;

  switch (what)
    {
    case STORE_DATASET:
      format = _("The project “%s” has no data set number %lld; it may have been deleted.");
      break;
    case STORE_TEACHER:
      format = _("The project “%s” has no teacher number %lld; it may have been deleted.");
      break;
    case STORE_EXPERIMENT:
      format = _("The project “%s” has no experiment number %lld; it may have been deleted.");
      break;
    case STORE_RUN:
      format = _("The project “%s” has no run number %lld; it may have been deleted.");
      break;
    }
  g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
               format, store->display_name, (long long) id);
  return FALSE;
}

gboolean
_distillery_store_require (DistilleryStore *store,
                           StoreEntity      what,
                           gint64           id,
                           GError         **error)
{
  static const char *const sql[] = {
    [STORE_DATASET] = "SELECT 1 FROM datasets WHERE id = ?1",
    [STORE_TEACHER] = "SELECT 1 FROM teachers WHERE id = ?1",
    [STORE_EXPERIMENT] = "SELECT 1 FROM experiments WHERE id = ?1",
    [STORE_RUN] = "SELECT 1 FROM runs WHERE id = ?1",
  };
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, sql[what], error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return _distillery_store_step_one (store, stmt, what, id, error);
}

gboolean
_distillery_store_step_one (DistilleryStore *store,
                            sqlite3_stmt    *stmt,
                            StoreEntity      what,
                            gint64           id,
                            GError         **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  return not_found (store, what, id, error);
}

GPtrArray *
_distillery_store_list (DistilleryStore *store,
                        sqlite3_stmt    *stmt,
                        StoreReadRow     read_row,
                        GDestroyNotify   free_row,
                        GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_row);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gpointer row = read_row (store, stmt, error);

      if (row == NULL)
        return NULL;
      g_ptr_array_add (rows, row);
    }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
_distillery_store_check_json (DistilleryStore *store,
                              const char      *text,
                              const char      *message,
                              GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, "SELECT json_valid (?1)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return _distillery_store_fail (store, rc, error);
  if (sqlite3_column_int (stmt, 0))
    return TRUE;
  return _distillery_store_invalid (store, error, message, store->display_name);
}

gint64
_distillery_store_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
_distillery_store_bind_id (sqlite3_stmt *stmt,
                           int           column,
                           gint64        id)
{
  if (id != 0)
    sqlite3_bind_int64 (stmt, column, id);
  else
    sqlite3_bind_null (stmt, column);
}

double
_distillery_store_column_double (sqlite3_stmt *stmt,
                                 int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NAN;
  return sqlite3_column_double (stmt, column);
}

char *
_distillery_store_column_text (sqlite3_stmt *stmt,
                               int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

GBytes *
_distillery_store_column_bytes (sqlite3_stmt *stmt,
                                int           column)
{
  const void *data = sqlite3_column_blob (stmt, column);

  return g_bytes_new (data, sqlite3_column_bytes (stmt, column));
}

void
_distillery_store_copy_le32 (void       *dest,
                             const void *src,
                             gsize       n)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (dest, src, n * 4);
#else
  const guint32 *from = src;
  guint32 *to = dest;

  for (gsize i = 0; i < n; i++)
    to[i] = GUINT32_SWAP_LE_BE (from[i]);
#endif
}

void
_distillery_store_copy_le64 (void       *dest,
                             const void *src,
                             gsize       n)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (dest, src, n * 8);
#else
  const guint64 *from = src;
  guint64 *to = dest;

  for (gsize i = 0; i < n; i++)
    to[i] = GUINT64_SWAP_LE_BE (from[i]);
#endif
}

/* Settings every connection gets before its first read: nothing stored in
 * a file may run code here. Views and triggers are off (the schema has
 * none), functions in the schema must be harmless ones, the schema cannot
 * be written directly, and extensions cannot be loaded. */
static int
configure (sqlite3 *db)
{
  static const int off[] = {
    SQLITE_DBCONFIG_TRUSTED_SCHEMA,
    SQLITE_DBCONFIG_ENABLE_TRIGGER,
    SQLITE_DBCONFIG_ENABLE_VIEW,
    SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
  };
  int rc;

  sqlite3_extended_result_codes (db, 1);
  for (guint i = 0; i < G_N_ELEMENTS (off); i++)
    if ((rc = sqlite3_db_config (db, off[i], 0, NULL)) != SQLITE_OK)
      return rc;
  if ((rc = sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL)) != SQLITE_OK
      || (rc = sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL)) != SQLITE_OK)
    return rc;
  return sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
}

/* A URI, so that the mode and "immutable" can be given; the path is
 * percent-encoded, as SQLite decodes it. */
static char *
make_uri (const char *path,
          const char *mode,
          gboolean    immutable)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *escaped = g_uri_escape_string (absolute, "/", TRUE);

  return g_strdup_printf ("file:%s?mode=%s%s", escaped, mode, immutable ? "&immutable=1" : "");
}

static gboolean
wal_exists (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return g_file_test (wal, G_FILE_TEST_EXISTS);
}

static gboolean
folder_writable (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);

  return access (folder, W_OK) == 0;
}

int
_distillery_store_open_connection (const char *uri,
                                   int         flags,
                                   sqlite3   **db)
{
  int rc = sqlite3_open_v2 (uri, db, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);

  if (rc == SQLITE_OK)
    rc = configure (*db);
  return rc;
}

static int
pragma_int (sqlite3    *db,
            const char *pragma,
            int        *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, pragma, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

static int
exec_printf (sqlite3    *db,
             const char *format,
             int         value)
{
  g_autofree char *sql = g_strdup_printf (format, value);

  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

/* The file's first bytes, read without SQLite. */
static gboolean
check_header (const char *path,
              const char *display_name,
              gint64     *file_size,
              GError    **error)
{
  GStatBuf st;
  char header[sizeof sqlite_magic];
  gssize n = 0;
  int fd, saved_errno;

  if (g_stat (path, &st) != 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND,
                     _("The project file “%s” does not exist. It may have been moved, renamed or deleted."),
                     display_name);
      else
        g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                     _("Could not read the project file “%s” (%s)."),
                     display_name, g_strerror (saved_errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("“%s” is a folder, not a project file. Choose a .distillery file instead."),
                   display_name);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_SQLITE,
                   _("“%s” is not a regular file, so it cannot be a project. Choose a .distillery file instead."),
                   display_name);
      return FALSE;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EMPTY,
                   _("The file “%s” is empty, so it holds no project. It may have been cut short while it was copied; copy it again or open a backup."),
                   display_name);
      return FALSE;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      do
        n = read (fd, header, sizeof header);
      while (n < 0 && errno == EINTR);
    }
  if (fd < 0 || n < 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("Could not read the project file “%s” (%s)."),
                   display_name, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  *file_size = st.st_size;

  if ((gsize) n < sizeof header || memcmp (header, sqlite_magic, sizeof header) != 0)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_SQLITE,
                   _("The file “%s” is not a Distillery project: it is not an SQLite database at all. Choose a .distillery file instead."),
                   display_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_tables (sqlite3    *db,
              const char *display_name,
              GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *missing = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                               -1, &stmt, NULL);

  for (guint i = 0; rc == SQLITE_OK && missing == NULL && _distillery_store_tables[i] != NULL; i++)
    {
      sqlite3_bind_text (stmt, 1, _distillery_store_tables[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        missing = _distillery_store_tables[i];
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc == SQLITE_OK && missing == NULL)
    {
      rc = sqlite3_prepare_v2 (db, "SELECT name FROM project WHERE id = 1", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_DONE)
            missing = "project";
          if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);
    }

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      return FALSE;
    }
  if (missing != NULL)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The project file “%s” is damaged: its “%s” table is missing or empty. Distillery leaves it as it is; open a backup copy if you have one."),
                   display_name, missing);
      return FALSE;
    }
  return TRUE;
}

/* Opening checks the whole file's structure up to this size: PRAGMA
 * quick_check reads every page (about 0.1 s for 64 MiB from the page
 * cache). A larger project is mostly step rows, checkpoints and embedded
 * files, and reading them all would make opening as slow as the disk; its
 * check covers the schema and the tables that opening and listing read,
 * and damage elsewhere is reported as DAMAGED by the read that meets it. */
#define FULL_CHECK_BYTES (64 << 20)

static const char *const listed_tables[] = {
  "project", "datasets", "teachers", "experiments", "runs", NULL,
};

/* Runs one quick_check; problem is its first complaint, if any. */
static int
quick_check (sqlite3    *db,
             const char *sql,
             char      **problem)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *result = (const char *) sqlite3_column_text (stmt, 0);

          /* Without the report's header line. */
          if (g_strcmp0 (result, "ok") != 0)
            {
              const char *line = strrchr (result, '\n');

              *problem = g_strdup (line != NULL ? line + 1 : result);
            }
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  return rc;
}

static int
quick_check_listed (sqlite3  *db,
                    char    **problem)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1, &stmt, NULL);

  for (guint i = 0; rc == SQLITE_OK && *problem == NULL && listed_tables[i] != NULL; i++)
    {
      sqlite3_bind_text (stmt, 1, listed_tables[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_ROW)
        {
          /* A pragma's argument cannot be bound; these names are ours. */
          g_autofree char *sql = g_strdup_printf ("PRAGMA quick_check ('%s')", listed_tables[i]);

          rc = quick_check (db, sql, problem);
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static gboolean
check_structure (sqlite3    *db,
                 const char *display_name,
                 gint64      file_size,
                 GError    **error)
{
  g_autofree char *problem = NULL;
  int rc;

  if (file_size <= FULL_CHECK_BYTES)
    rc = quick_check (db, "PRAGMA quick_check (1)", &problem);
  else
    rc = quick_check_listed (db, &problem);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      return FALSE;
    }
  if (problem != NULL)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The project file “%s” is damaged (%s). Distillery leaves it as it is; open a backup copy if you have one."),
                   display_name, problem);
      return FALSE;
    }
  return TRUE;
}

static gboolean
inspect (sqlite3    *db,
         const char *display_name,
         gint64      file_size,
         int        *version,
         GError    **error)
{
  int application_id = 0, rc;

  if ((rc = pragma_int (db, "PRAGMA application_id", &application_id)) != SQLITE_OK
      || (rc = pragma_int (db, "PRAGMA user_version", version)) != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      return FALSE;
    }
  if ((guint32) application_id != DISTILLERY_STORE_APPLICATION_ID)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_FOREIGN,
                   _("The file “%s” is a database of another application, not a Distillery project. Distillery leaves it as it is; choose a .distillery file instead."),
                   display_name);
      return FALSE;
    }
  if (*version > DISTILLERY_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_TOO_NEW,
                   _("The project “%s” was saved by a newer version of Distillery (file format %d; this version reads formats up to %d). Update Distillery to open it."),
                   display_name, *version, DISTILLERY_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  if (*version < 1)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
                   _("The project file “%s” is damaged: it carries no file format version. Distillery leaves it as it is; open a backup copy if you have one."),
                   display_name);
      return FALSE;
    }
  if (!check_structure (db, display_name, file_size, error))
    return FALSE;
  /* Older files get their tables from the migrations. */
  return *version < DISTILLERY_STORE_SCHEMA_VERSION || check_tables (db, display_name, error);
}

/* Judges the file on a read-only connection. Without a -wal file the
 * main file is the whole database and "immutable" reads it without
 * creating anything; with one (a project open elsewhere, or left by a
 * crash) the connection must go through it and its -shm index. */
static gboolean
check_file (const char *path,
            const char *display_name,
            int        *version,
            GError    **error)
{
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  gint64 file_size = 0;
  gboolean ok;
  int rc;

  if (!check_header (path, display_name, &file_size, error))
    return FALSE;

  uri = make_uri (path, "ro", !wal_exists (path));
  rc = _distillery_store_open_connection (uri, SQLITE_OPEN_READONLY, &db);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      ok = FALSE;
    }
  else
    ok = inspect (db, display_name, file_size, version, error);
  sqlite3_close (db);
  return ok;
}

/* Runs the migrations from the file's version up, each in its own
 * transaction with the version bump. The version is read once more inside
 * each transaction, so two programs opening an old file at once do not
 * both migrate it; a file that is up to date takes no write lock at all.
 * A new file (fresh) also gets the application id. */
static gboolean
migrate (sqlite3    *db,
         const char *display_name,
         gboolean    fresh,
         GError    **error)
{
  gboolean replaced = FALSE;
  int rc;

  for (;;)
    {
      gboolean in_transaction = !sqlite3_get_autocommit (db);
      int version = 0, application_id = 0;

      if ((rc = pragma_int (db, "PRAGMA application_id", &application_id)) != SQLITE_OK
          || (rc = pragma_int (db, "PRAGMA user_version", &version)) != SQLITE_OK)
        break;
      /* The file may have been replaced since it was checked. */
      if (!fresh && ((guint32) application_id != DISTILLERY_STORE_APPLICATION_ID
                     || version > DISTILLERY_STORE_SCHEMA_VERSION))
        {
          replaced = TRUE;
          break;
        }
      if (version == DISTILLERY_STORE_SCHEMA_VERSION)
        {
          if (in_transaction)
            sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return TRUE;
        }
      if (!in_transaction)
        {
          if ((rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
            break;
          continue;
        }

      if ((fresh && version == 0
           && (rc = exec_printf (db, "PRAGMA application_id = %d", (int) DISTILLERY_STORE_APPLICATION_ID)) != SQLITE_OK)
          || (rc = sqlite3_exec (db, _distillery_store_migrations[version].sql, NULL, NULL, NULL)) != SQLITE_OK
          || (_distillery_store_migrations[version].convert != NULL
              && (rc = _distillery_store_migrations[version].convert (db)) != SQLITE_OK)
          || (rc = exec_printf (db, "PRAGMA user_version = %d", version + 1)) != SQLITE_OK
          || (rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
        break;
    }

  if (replaced)
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                 _("The project file “%s” was replaced by another file while it was being opened. Try opening it again."),
                 display_name);
  else
    set_sqlite_error (db, display_name, rc, error);
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static DistilleryStore *
store_new (const char *path,
           gboolean    read_only)
{
  DistilleryStore *store = g_new0 (DistilleryStore, 1);

  store->path = g_strdup (path);
  store->display_name = g_filename_display_name (path);
  store->read_only = read_only;
  store->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  return store;
}

DistilleryStore *
distillery_store_open (const char                *path,
                       DistilleryStoreOpenFlags   flags,
                       GError                   **error)
{
  g_autoptr(DistilleryStore) store = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *uri = NULL;
  gboolean read_only;
  int version = 0, page_size = 0, rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_name (path);
  if (!check_file (path, display_name, &version, error))
    return NULL;

  read_only = (flags & DISTILLERY_STORE_OPEN_READ_ONLY) != 0
              || access (path, W_OK) != 0
              || !folder_writable (path);
  if (read_only && version < DISTILLERY_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_READ_ONLY,
                   _("The project “%s” was saved by an older version of Distillery and must be updated before it can be opened, but it is read-only. Copy it to a folder you can write to and open the copy."),
                   display_name);
      return NULL;
    }

  store = store_new (path, read_only);
  /* A read-only folder cannot hold the -shm index a reader needs; while
   * no -wal file exists nobody can be writing, so immutable is safe. */
  uri = make_uri (path, read_only ? "ro" : "rw",
                  read_only && !folder_writable (path) && !wal_exists (path));
  rc = _distillery_store_open_connection (uri, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, &store->db);
  if (rc != SQLITE_OK)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  if (read_only)
    return g_steal_pointer (&store);

  /* WAL with synchronous=NORMAL: a commit survives the program being
   * killed; a power cut may lose the last commits but never corrupts. A
   * log that grew while readers held it back (checkpoints copy only what
   * no reader still needs) is cut back to 64 MiB once it starts over. */
  if ((rc = sqlite3_exec (store->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                     " PRAGMA journal_size_limit = 67108864",
                          NULL, NULL, NULL)) != SQLITE_OK)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  if (!migrate (store->db, display_name, FALSE, error)
      || distillery_store_recover_runs (store, error) < 0)
    return NULL;
  /* After the migrations, which may rebuild tables. Deleting an experiment
   * takes its runs and all they logged with it (ON DELETE CASCADE). */
  if ((rc = sqlite3_exec (store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL)) != SQLITE_OK)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  if ((rc = pragma_int (store->db, "PRAGMA page_size", &page_size)) != SQLITE_OK)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  _distillery_store_start_checkpoints (store, uri, page_size);
  return g_steal_pointer (&store);
}

static char *
temporary_path_beside (const char *path,
                       GError    **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);
  char *temporary = g_build_filename (folder, name, NULL);
  int fd = g_mkstemp_full (temporary, O_RDWR | O_CLOEXEC, 0666);
  int saved_errno = errno;

  if (fd < 0)
    {
      g_autofree char *display_name = g_filename_display_name (folder);

      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("Could not write a file in the folder “%s” (%s). Choose a folder you can write to."),
                   display_name, g_strerror (saved_errno));
      g_free (temporary);
      return NULL;
    }
  close (fd);
  return temporary;
}

static void
remove_database (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (journal);
}

/* Closes a connection that wrote a file, which checkpoints its WAL into
 * the file, syncs it and removes the -wal and -shm files. */
static gboolean
close_written (sqlite3    *db,
               const char *display_name,
               GError    **error)
{
  int rc = sqlite3_close (db);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      sqlite3_close_v2 (db);
      return FALSE;
    }
  return TRUE;
}

static gboolean
build_project (const char *temporary,
               const char *display_name,
               const char *project_name,
               GError    **error)
{
  g_autofree char *uri = make_uri (temporary, "rw", FALSE);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc = _distillery_store_open_connection (uri, SQLITE_OPEN_READWRITE, &db);

  /* The page size is fixed when the first page is written. Logging steps
   * writes a quarter of the pages it would at SQLite's default of 4 KiB,
   * each a system call or two, which makes it about half as costly; the
   * project is mostly large blobs anyway. */
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, "PRAGMA page_size = " G_STRINGIFY (PAGE_SIZE) "; PRAGMA journal_mode = WAL",
                       NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      sqlite3_close (db);
      return FALSE;
    }
  if (!migrate (db, display_name, TRUE, error))
    {
      sqlite3_close (db);
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO project (id, name, created, app_version, created_schema)"
                           " VALUES (1, ?1, ?2, ?3, ?4)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, project_name, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, _distillery_store_now ());
      sqlite3_bind_text (stmt, 3, PACKAGE_VERSION, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, DISTILLERY_STORE_SCHEMA_VERSION);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      sqlite3_close (db);
      return FALSE;
    }
  return close_written (db, display_name, error);
}

/* Puts a finished file in place without replacing one that appeared in
 * the meantime: link() fails if the name is taken. File systems without
 * hard links fall back to a check and a rename. */
static gboolean
move_into_place (const char *temporary,
                 const char *path,
                 const char *display_name,
                 GError    **error)
{
  GStatBuf st;
  int saved_errno;

  if (link (temporary, path) == 0)
    {
      g_unlink (temporary);
      return TRUE;
    }
  saved_errno = errno;
  if (saved_errno != EEXIST && g_lstat (path, &st) != 0)
    {
      if (g_rename (temporary, path) == 0)
        return TRUE;
      saved_errno = errno;
    }

  if (saved_errno == EEXIST || g_lstat (path, &st) == 0)
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS,
                 _("A file named “%s” already exists. Choose another name, or open that file instead."),
                 display_name);
  else
    g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                 _("Could not save the project file “%s” (%s)."),
                 display_name, g_strerror (saved_errno));
  return FALSE;
}

DistilleryStore *
distillery_store_create (const char  *path,
                         const char  *project_name,
                         GError     **error)
{
  g_autofree char *display_name = NULL;
  g_autofree char *temporary = NULL;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (project_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_name (path);
  if (g_lstat (path, &st) == 0)
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS,
                   _("A file named “%s” already exists. Choose another name, or open that file instead."),
                   display_name);
      return NULL;
    }

  /* The project is built under a hidden name beside its final one, so a
   * crash while creating it never leaves a half-made project behind. */
  temporary = temporary_path_beside (path, error);
  if (temporary == NULL)
    return NULL;
  if (!build_project (temporary, display_name, project_name, error)
      || !move_into_place (temporary, path, display_name, error))
    {
      remove_database (temporary);
      return NULL;
    }
  return distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, error);
}

void
distillery_store_close (DistilleryStore *store)
{
  if (store == NULL)
    return;
  /* The checkpoint thread's connection closes first, so that this one is
   * the last: its close copies the log into the file and removes it. */
  _distillery_store_stop_checkpoints (store);
  g_hash_table_unref (store->statements);
  sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store->display_name);
  g_free (store);
}

const char *
distillery_store_get_path (DistilleryStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  return store->path;
}

gboolean
distillery_store_is_read_only (DistilleryStore *store)
{
  g_return_val_if_fail (store != NULL, TRUE);

  return store->read_only;
}

char *
distillery_store_get_name (DistilleryStore *store)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (store != NULL, NULL);

  stmt = _distillery_store_statement (store, "SELECT name FROM project WHERE id = 1", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return _distillery_store_column_text (stmt, 0);
}

static gboolean
copy_database (DistilleryStore *store,
               const char      *temporary,
               const char      *display_name,
               GError         **error)
{
  g_autofree char *uri = make_uri (temporary, "rw", FALSE);
  sqlite3 *db = NULL;
  sqlite3_backup *backup;
  int rc = _distillery_store_open_connection (uri, SQLITE_OPEN_READWRITE, &db);

  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (db, "main", store->db, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (db);
      else
        {
          rc = sqlite3_backup_step (backup, -1);
          if (rc == SQLITE_DONE)
            rc = sqlite3_backup_finish (backup);
          else
            sqlite3_backup_finish (backup);
        }
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (db, display_name, rc, error);
      sqlite3_close (db);
      return FALSE;
    }
  return close_written (db, display_name, error);
}

gboolean
distillery_store_save_as (DistilleryStore  *store,
                          const char       *path,
                          GError          **error)
{
  g_autofree char *display_name = NULL;
  g_autofree char *temporary = NULL;
  GStatBuf ours, theirs;

  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display_name = g_filename_display_name (path);
  if (g_stat (store->path, &ours) == 0 && g_stat (path, &theirs) == 0
      && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
    return _distillery_store_invalid (store, error,
                                      _("“%s” is this project’s own file. Choose another name for the copy."),
                                      display_name);
  /* Replacing a file whose -wal is still there would marry our copy to
   * that file's journal. */
  if (wal_exists (path))
    {
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS,
                   _("The project “%s” is open in another window or program, or was not closed properly. Close it there, or choose another name."),
                   display_name);
      return FALSE;
    }

  temporary = temporary_path_beside (path, error);
  if (temporary == NULL)
    return FALSE;
  if (!copy_database (store, temporary, display_name, error))
    {
      remove_database (temporary);
      return FALSE;
    }
  if (g_rename (temporary, path) != 0)
    {
      int saved_errno = errno;

      remove_database (temporary);
      g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO,
                   _("Could not save the project file “%s” (%s)."),
                   display_name, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

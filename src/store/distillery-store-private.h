/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the store's source files share: the connection struct, the cache of
 * prepared statements, transactions, the mapping of SQLite's result codes
 * to DISTILLERY_STORE_ERROR, and small helpers for binding and reading the
 * columns the schema uses. Nothing here is visible outside src/store.
 */
#pragma once

#include <sqlite3.h>

#include "distillery-store.h"

G_BEGIN_DECLS

typedef struct _StoreCheckpointer StoreCheckpointer;

struct _DistilleryStore
{
  sqlite3           *db;
  char              *path;
  char              *display_name; /* the path, for messages */
  gboolean           read_only;
  GHashTable        *statements;   /* SQL text (a static string) -> sqlite3_stmt */
  StoreCheckpointer *checkpointer; /* writable stores: see distillery-store-checkpoints.c */
  gboolean           in_batch;     /* distillery_store_begin_batch: writes are savepoints */
};

/* The things that are looked up by id, for NOT_FOUND messages. */
typedef enum
{
  STORE_DATASET,
  STORE_TEACHER,
  STORE_EXPERIMENT,
  STORE_RUN,
} StoreEntity;

/* The schema, in schema-version steps: migration i takes a file from
 * version i to version i + 1 by running sql and then, when there is one,
 * convert, which moves data SQL alone cannot; both in the transaction
 * that bumps the version. convert returns an SQLite result code. */
typedef struct
{
  const char *sql;
  int       (*convert) (sqlite3 *db);
} StoreMigration;

extern const StoreMigration _distillery_store_migrations[DISTILLERY_STORE_SCHEMA_VERSION];
extern const char *const    _distillery_store_tables[];

/* Opens a connection with the settings every connection gets (URI,
 * flags as for sqlite3_open_v2); returns an SQLite result code. */
int           _distillery_store_open_connection   (const char      *uri,
                                                   int              flags,
                                                   sqlite3        **db);

/* Checkpoints on a thread of the store's own instead of the writer's
 * (distillery-store-checkpoints.c): started on a writable store's
 * connection, whose URI and page size are given, and stopped before it
 * closes. */
void          _distillery_store_start_checkpoints (DistilleryStore *store,
                                                   const char      *uri,
                                                   int              page_size);
void          _distillery_store_stop_checkpoints  (DistilleryStore *store);
guint         _distillery_store_sync_checkpoints  (DistilleryStore *store);

/* A statement prepared once per connection; the caller owns it until it is
 * released (reset and unbound) with _distillery_store_statement_release,
 * which g_autoptr(sqlite3_stmt) does at the end of the scope. */
sqlite3_stmt *_distillery_store_statement         (DistilleryStore *store,
                                                   const char      *sql,
                                                   GError         **error);
void          _distillery_store_statement_release (sqlite3_stmt    *stmt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, _distillery_store_statement_release)

/* Sets error from an SQLite result code and the connection's message;
 * always returns FALSE. */
gboolean      _distillery_store_fail       (DistilleryStore *store,
                                            int              rc,
                                            GError         **error);
/* Steps a statement that returns no rows. */
gboolean      _distillery_store_run        (DistilleryStore *store,
                                            sqlite3_stmt    *stmt,
                                            GError         **error);
/* Sets READ_ONLY and returns FALSE when the project cannot be written. */
gboolean      _distillery_store_writable   (DistilleryStore *store,
                                            GError         **error);
/* BEGIN IMMEDIATE: writers take the write lock up front, so that two
 * writers wait for each other instead of failing half-way. */
gboolean      _distillery_store_begin      (DistilleryStore *store,
                                            GError         **error);
gboolean      _distillery_store_commit     (DistilleryStore *store,
                                            GError         **error);
void          _distillery_store_rollback   (DistilleryStore *store);
/* Steps a statement that looks up the row `id` of `what`: TRUE on the
 * row, else FALSE with NOT_FOUND or the SQLite error. */
gboolean      _distillery_store_step_one   (DistilleryStore *store,
                                            sqlite3_stmt    *stmt,
                                            StoreEntity      what,
                                            gint64           id,
                                            GError         **error);
/* Reads every row of stmt into an array with read_row. */
typedef gpointer (*StoreReadRow) (DistilleryStore *store,
                                  sqlite3_stmt    *stmt,
                                  GError         **error);
GPtrArray    *_distillery_store_list       (DistilleryStore *store,
                                            sqlite3_stmt    *stmt,
                                            StoreReadRow     read_row,
                                            GDestroyNotify   free_row,
                                            GError         **error);
/* NOT_FOUND unless the row exists. */
gboolean      _distillery_store_require    (DistilleryStore *store,
                                            StoreEntity      what,
                                            gint64           id,
                                            GError         **error);
/* INVALID with message (a format whose one %s is the project's name)
 * unless text is valid JSON. */
gboolean      _distillery_store_check_json (DistilleryStore *store,
                                            const char      *text,
                                            const char      *message,
                                            GError         **error);
gboolean      _distillery_store_invalid    (DistilleryStore *store,
                                            GError         **error,
                                            const char      *format,
                                            ...) G_GNUC_PRINTF (3, 4);

gint64        _distillery_store_now        (void);

/* Optional references are NULL in the file and 0 in the API. */
void          _distillery_store_bind_id    (sqlite3_stmt    *stmt,
                                            int              column,
                                            gint64           id);
/* NULL reads as NaN: SQLite stores NaN as NULL. */
double        _distillery_store_column_double (sqlite3_stmt *stmt,
                                               int           column);
char         *_distillery_store_column_text   (sqlite3_stmt *stmt,
                                               int           column);
GBytes       *_distillery_store_column_bytes  (sqlite3_stmt *stmt,
                                               int           column);

/* Step metrics as packed chunks (distillery-store-steps.c), inside a
 * transaction the caller holds. Inserting replaces rows of the same
 * steps; truncating drops the rows of epochs after `epoch`. */
gboolean      _distillery_store_insert_steps   (DistilleryStore         *store,
                                                gint64                   run_id,
                                                const DistilleryStepRow *rows,
                                                guint                    n,
                                                GError                 **error);
gboolean      _distillery_store_truncate_steps (DistilleryStore         *store,
                                                gint64                   run_id,
                                                int                      epoch,
                                                GError                 **error);
/* Migration 1 -> 2: the step rows of schema 1 become chunks. */
int           _distillery_store_steps_to_chunks (sqlite3                *db);

/* Blobs hold arrays of little-endian numbers; these copy between that and
 * the host's order (the same swap both ways), n numbers of 4 or 8 bytes. */
void          _distillery_store_copy_le32  (void            *dest,
                                            const void      *src,
                                            gsize            n);
void          _distillery_store_copy_le64  (void            *dest,
                                            const void      *src,
                                            gsize            n);

G_END_DECLS

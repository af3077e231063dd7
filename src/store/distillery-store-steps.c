/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Per-step metrics, kept as packed chunks: one row of step_chunks holds up
 * to CHUNK_ROWS steps of a run as fixed-size little-endian records in a
 * blob, so that logging a batch of thousands of steps costs a few inserts
 * instead of one b-tree insert per step. A training thread logs hundreds
 * of thousands of steps a second through here, on its own time.
 *
 * The chunks of a run never overlap: each covers a range of steps
 * (first_step to last_step) that no other chunk of the run touches, and
 * its records are in increasing step order without repeats. Appending
 * steps that fall inside existing chunks (a run resumed without
 * truncating) rewrites those chunks with the new rows replacing the old,
 * so a step is never read twice. Truncating a run rewrites the chunks
 * that hold steps of the epochs kept as well as steps of later ones.
 *
 * docs/file-format.md describes the blob; the 1 -> 2 migration at the end
 * converts the one-row-per-step table of schema 1.
 */
#include "config.h"

#include "distillery-store-private.h"

#include <float.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* The records are written as IEEE 754 numbers and two's-complement
 * integers in little-endian order, whatever the machine; these are the
 * machines whose numbers that is a plain byte swap (or copy) of. */
G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN || G_BYTE_ORDER == G_BIG_ENDIAN);
G_STATIC_ASSERT (sizeof (float) == 4 && FLT_RADIX == 2 && FLT_MANT_DIG == 24);
G_STATIC_ASSERT (sizeof (double) == 8 && DBL_MANT_DIG == 53);

/* At most this many steps in one chunk: about 144 KiB of blob. */
#define CHUNK_ROWS 4096

/* The blob: a header of the magic "DSTP" and the 32-bit byte-order mark
 * 0x01020304 (bytes 04 03 02 01: little-endian), then one record per
 * step: step i64, epoch i32, loss, loss_kd, loss_ce and learning_rate
 * f32, wall f64, packed without padding. */
#define HEADER_BYTES 8
#define RECORD_BYTES 36
#define BYTE_ORDER_MARK 0x01020304u

static const guint8 chunk_magic[4] = { 'D', 'S', 'T', 'P' };

#define INSERT_CHUNK_SQL \
  "INSERT INTO step_chunks (run_id, first_step, last_step, n_rows, min_epoch, max_epoch, data)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"

/* The columns read_chunk decodes, in its order. */
#define CHUNK_COLUMNS "first_step, last_step, n_rows, min_epoch, max_epoch, data"

static void
put_u32 (guint8  *p,
         guint32  value)
{
  value = GUINT32_TO_LE (value);
  memcpy (p, &value, sizeof value);
}

static void
put_u64 (guint8  *p,
         guint64  value)
{
  value = GUINT64_TO_LE (value);
  memcpy (p, &value, sizeof value);
}

static void
put_f32 (guint8 *p,
         float   value)
{
  guint32 bits;

  memcpy (&bits, &value, sizeof bits);
  put_u32 (p, bits);
}

static void
put_f64 (guint8 *p,
         double  value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  put_u64 (p, bits);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 value;

  memcpy (&value, p, sizeof value);
  return GUINT32_FROM_LE (value);
}

static guint64
get_u64 (const guint8 *p)
{
  guint64 value;

  memcpy (&value, p, sizeof value);
  return GUINT64_FROM_LE (value);
}

static float
get_f32 (const guint8 *p)
{
  guint32 bits = get_u32 (p);
  float value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

static double
get_f64 (const guint8 *p)
{
  guint64 bits = get_u64 (p);
  double value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

static gsize
chunk_size (guint n_rows)
{
  return HEADER_BYTES + (gsize) n_rows * RECORD_BYTES;
}

/* Encodes n rows (1 to CHUNK_ROWS, in increasing step order without
 * repeats) into buffer and inserts them as one chunk with stmt, a
 * statement of INSERT_CHUNK_SQL. Returns an SQLite result code. */
static int
insert_chunk (sqlite3_stmt            *stmt,
              gint64                   run_id,
              const DistilleryStepRow *rows,
              guint                    n,
              guint8                  *buffer)
{
  int min_epoch = rows[0].epoch, max_epoch = rows[0].epoch;
  int rc;

  memcpy (buffer, chunk_magic, sizeof chunk_magic);
  put_u32 (buffer + 4, BYTE_ORDER_MARK);
  for (guint i = 0; i < n; i++)
    {
      const DistilleryStepRow *row = &rows[i];
      guint8 *p = buffer + chunk_size (i);

      put_u64 (p, (guint64) row->step);
      put_u32 (p + 8, (guint32) row->epoch);
      put_f32 (p + 12, row->loss);
      put_f32 (p + 16, row->loss_kd);
      put_f32 (p + 20, row->loss_ce);
      put_f32 (p + 24, row->learning_rate);
      put_f64 (p + 28, row->wall);
      min_epoch = MIN (min_epoch, row->epoch);
      max_epoch = MAX (max_epoch, row->epoch);
    }

  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, rows[0].step);
  sqlite3_bind_int64 (stmt, 3, rows[n - 1].step);
  sqlite3_bind_int (stmt, 4, n);
  sqlite3_bind_int (stmt, 5, min_epoch);
  sqlite3_bind_int (stmt, 6, max_epoch);
  sqlite3_bind_blob64 (stmt, 7, buffer, chunk_size (n), SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Inserts n sorted, distinct rows as chunks of equal size (at most
 * CHUNK_ROWS each). */
static int
insert_chunks (sqlite3_stmt            *stmt,
               gint64                   run_id,
               const DistilleryStepRow *rows,
               guint                    n,
               guint8                  *buffer)
{
  guint n_chunks = (n + CHUNK_ROWS - 1) / CHUNK_ROWS;
  int rc = SQLITE_OK;

  for (guint i = 0; i < n_chunks && rc == SQLITE_OK; i++)
    {
      guint start = (guint) ((guint64) n * i / n_chunks);
      guint end = (guint) ((guint64) n * (i + 1) / n_chunks);

      rc = insert_chunk (stmt, run_id, rows + start, end - start, buffer);
    }
  return rc;
}

static gboolean
damaged (DistilleryStore *store,
         gint64           run_id,
         GError         **error)
{
  g_set_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED,
               _("The project file “%s” is damaged: the step metrics of run number %lld cannot be read. Distillery leaves it as it is; open a backup copy if you have one."),
               store->display_name, (long long) run_id);
  return FALSE;
}

/* Decodes the chunk in the CHUNK_COLUMNS of stmt that start at column
 * `first` and appends its rows to steps. A chunk that does not agree with
 * itself in every respect (size, header, byte order, step order, the
 * ranges in its columns) is DAMAGED: a chunk in the other byte order is
 * refused like any other, not guessed at. */
static gboolean
read_chunk (DistilleryStore *store,
            gint64           run_id,
            sqlite3_stmt    *stmt,
            int              first,
            GArray          *steps,
            GError         **error)
{
  gint64 first_step = sqlite3_column_int64 (stmt, first);
  gint64 last_step = sqlite3_column_int64 (stmt, first + 1);
  gint64 n_rows = sqlite3_column_int64 (stmt, first + 2);
  gint64 min_epoch = sqlite3_column_int64 (stmt, first + 3);
  gint64 max_epoch = sqlite3_column_int64 (stmt, first + 4);
  const guint8 *data = sqlite3_column_blob (stmt, first + 5);
  gsize size = sqlite3_column_bytes (stmt, first + 5);
  guint length = steps->len;
  int low = G_MAXINT, high = G_MININT;
  gboolean ordered = TRUE;

  if (sqlite3_column_type (stmt, first + 5) != SQLITE_BLOB
      || n_rows < 1 || n_rows > CHUNK_ROWS || size != chunk_size (n_rows)
      || memcmp (data, chunk_magic, sizeof chunk_magic) != 0
      || get_u32 (data + 4) != BYTE_ORDER_MARK)
    return damaged (store, run_id, error);

  g_array_set_size (steps, length + n_rows);
  for (guint i = 0; i < n_rows && ordered; i++)
    {
      const guint8 *p = data + chunk_size (i);
      DistilleryStepRow *row = &g_array_index (steps, DistilleryStepRow, length + i);

      row->step = (gint64) get_u64 (p);
      row->epoch = (gint32) get_u32 (p + 8);
      row->loss = get_f32 (p + 12);
      row->loss_kd = get_f32 (p + 16);
      row->loss_ce = get_f32 (p + 20);
      row->learning_rate = get_f32 (p + 24);
      row->wall = get_f64 (p + 28);
      low = MIN (low, row->epoch);
      high = MAX (high, row->epoch);
      ordered = i == 0 || row->step > row[-1].step;
    }
  if (!ordered
      || g_array_index (steps, DistilleryStepRow, length).step != first_step
      || g_array_index (steps, DistilleryStepRow, length + n_rows - 1).step != last_step
      || low != min_epoch || high != max_epoch)
    {
      g_array_set_size (steps, length);
      return damaged (store, run_id, error);
    }
  return TRUE;
}

static int
compare_steps (gconstpointer a,
               gconstpointer b)
{
  gint64 x = ((const DistilleryStepRow *) a)->step, y = ((const DistilleryStepRow *) b)->step;

  return (x > y) - (x < y);
}

/* The rows in increasing step order, a step given twice keeping its later
 * row: as they are when they already are (training logs them that way),
 * else in a sorted copy kept in *copy. */
static const DistilleryStepRow *
sort_rows (const DistilleryStepRow  *rows,
           guint                    *n,
           GArray                  **copy)
{
  GArray *sorted;
  gboolean ordered = TRUE;
  guint kept = 0;

  for (guint i = 1; i < *n && ordered; i++)
    ordered = rows[i].step > rows[i - 1].step;
  if (ordered)
    return rows;

  sorted = g_array_sized_new (FALSE, FALSE, sizeof (DistilleryStepRow), *n);
  g_array_append_vals (sorted, rows, *n);
  /* Stable, so that of equal steps the later row comes last. */
  g_array_sort (sorted, compare_steps);
  for (guint i = 0; i < *n; i++)
    {
      const DistilleryStepRow *row = &g_array_index (sorted, DistilleryStepRow, i);

      if (kept > 0 && g_array_index (sorted, DistilleryStepRow, kept - 1).step == row->step)
        kept--;
      g_array_index (sorted, DistilleryStepRow, kept++) = *row;
    }
  g_array_set_size (sorted, kept);
  *n = kept;
  *copy = sorted;
  return (const DistilleryStepRow *) sorted->data;
}

/* Whether any chunk of the run overlaps the steps first to last, and if
 * so the first step of the earliest such chunk. Chunks do not overlap, so
 * walking them down from the last one that starts at or before `last`
 * can stop at the first that ends before `first`: appending after every
 * step already logged looks at one chunk. */
static gboolean
find_overlapping (DistilleryStore  *store,
                  gint64            run_id,
                  gint64            first,
                  gint64            last,
                  gboolean         *found,
                  gint64           *from,
                  GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _distillery_store_statement (store,
                                      "SELECT first_step, last_step FROM step_chunks"
                                      " WHERE run_id = ?1 AND first_step <= ?2 ORDER BY first_step DESC",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, last);
  *found = FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && sqlite3_column_int64 (stmt, 1) >= first)
    {
      *found = TRUE;
      *from = sqlite3_column_int64 (stmt, 0);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  return TRUE;
}

/* Takes the run's chunks that start at steps from to to out of the file
 * and returns their rows, in step order. */
static GArray *
take_chunks (DistilleryStore  *store,
             gint64            run_id,
             gint64            from,
             gint64            to,
             GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
  int rc;

  stmt = _distillery_store_statement (store,
                                      "SELECT " CHUNK_COLUMNS " FROM step_chunks"
                                      " WHERE run_id = ?1 AND first_step BETWEEN ?2 AND ?3 ORDER BY first_step",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!read_chunk (store, run_id, stmt, 0, rows, error))
      return NULL;
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, _distillery_store_statement_release);

  stmt = _distillery_store_statement (store,
                                      "DELETE FROM step_chunks WHERE run_id = ?1 AND first_step BETWEEN ?2 AND ?3",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  if (!_distillery_store_run (store, stmt, error))
    return NULL;
  return g_steal_pointer (&rows);
}

/* Merges two arrays of rows in step order; of a step in both, the row of
 * `newer` is kept. */
static GArray *
merge_rows (GArray                  *older,
            const DistilleryStepRow *newer,
            guint                    n_newer)
{
  GArray *merged = g_array_sized_new (FALSE, FALSE, sizeof (DistilleryStepRow), older->len + n_newer);
  guint i = 0, j = 0;

  while (i < older->len || j < n_newer)
    {
      const DistilleryStepRow *old = i < older->len ? &g_array_index (older, DistilleryStepRow, i) : NULL;

      if (old != NULL && (j == n_newer || old->step < newer[j].step))
        {
          g_array_append_vals (merged, old, 1);
          i++;
          continue;
        }
      if (old != NULL && old->step == newer[j].step)
        i++;
      g_array_append_vals (merged, &newer[j++], 1);
    }
  return merged;
}

static gboolean
insert_rows (DistilleryStore          *store,
             gint64                    run_id,
             const DistilleryStepRow  *rows,
             guint                     n,
             GError                  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree guint8 *buffer = NULL;
  int rc;

  stmt = _distillery_store_statement (store, INSERT_CHUNK_SQL, error);
  if (stmt == NULL)
    return FALSE;
  buffer = g_malloc (chunk_size (MIN (n, CHUNK_ROWS)));
  rc = insert_chunks (stmt, run_id, rows, n, buffer);
  if (rc != SQLITE_OK)
    return _distillery_store_fail (store, rc, error);
  return TRUE;
}

gboolean
_distillery_store_insert_steps (DistilleryStore          *store,
                                gint64                    run_id,
                                const DistilleryStepRow  *rows,
                                guint                     n,
                                GError                  **error)
{
  g_autoptr(GArray) sorted = NULL;
  g_autoptr(GArray) older = NULL;
  g_autoptr(GArray) merged = NULL;
  gboolean found;
  gint64 from = 0;

  if (n == 0)
    return TRUE;
  rows = sort_rows (rows, &n, &sorted);
  if (!find_overlapping (store, run_id, rows[0].step, rows[n - 1].step, &found, &from, error))
    return FALSE;
  if (!found)
    return insert_rows (store, run_id, rows, n, error);

  /* Steps logged again: the chunks they fall in are rewritten with them. */
  older = take_chunks (store, run_id, from, rows[n - 1].step, error);
  if (older == NULL)
    return FALSE;
  merged = merge_rows (older, rows, n);
  return insert_rows (store, run_id, (const DistilleryStepRow *) merged->data, merged->len, error);
}

static gboolean
delete_chunk (DistilleryStore  *store,
              gint64            rowid,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = _distillery_store_statement (store, "DELETE FROM step_chunks WHERE rowid = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rowid);
  return _distillery_store_run (store, stmt, error);
}

gboolean
_distillery_store_truncate_steps (DistilleryStore  *store,
                                  gint64            run_id,
                                  int               epoch,
                                  GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) straddling = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  int rc;

  /* Chunks wholly after the epoch go at once. */
  stmt = _distillery_store_statement (store, "DELETE FROM step_chunks WHERE run_id = ?1 AND min_epoch > ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int (stmt, 2, epoch);
  if (!_distillery_store_run (store, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, _distillery_store_statement_release);

  /* Chunks with steps on both sides keep the rows of the epoch and
   * before. They are read first and rewritten after, each within its own
   * steps, which no other chunk touches. */
  stmt = _distillery_store_statement (store,
                                      "SELECT rowid, " CHUNK_COLUMNS " FROM step_chunks"
                                      " WHERE run_id = ?1 AND max_epoch > ?2 ORDER BY first_step",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  sqlite3_bind_int (stmt, 2, epoch);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);
      GArray *rows = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
      guint n = 0;

      g_ptr_array_add (kept, rows);
      if (!read_chunk (store, run_id, stmt, 1, rows, error))
        return FALSE;
      for (guint i = 0; i < rows->len; i++)
        if (g_array_index (rows, DistilleryStepRow, i).epoch <= epoch)
          g_array_index (rows, DistilleryStepRow, n++) = g_array_index (rows, DistilleryStepRow, i);
      g_array_set_size (rows, n);
      g_array_append_val (straddling, rowid);
    }
  if (rc != SQLITE_DONE)
    return _distillery_store_fail (store, rc, error);
  g_clear_pointer (&stmt, _distillery_store_statement_release);

  for (guint i = 0; i < straddling->len; i++)
    {
      GArray *rows = g_ptr_array_index (kept, i);

      if (!delete_chunk (store, g_array_index (straddling, gint64, i), error)
          || !insert_rows (store, run_id, (const DistilleryStepRow *) rows->data, rows->len, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
distillery_store_append_steps (DistilleryStore          *store,
                               gint64                    run_id,
                               const DistilleryStepRow  *rows,
                               guint                     n,
                               GError                  **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_distillery_store_writable (store, error)
      || !_distillery_store_begin (store, error))
    return FALSE;
  if (!_distillery_store_require (store, STORE_RUN, run_id, error)
      || !_distillery_store_insert_steps (store, run_id, rows, n, error)
      || !_distillery_store_commit (store, error))
    {
      _distillery_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

GArray *
distillery_store_get_steps (DistilleryStore  *store,
                            gint64            run_id,
                            GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) steps = NULL;
  gint64 previous_last = 0;
  int rc;

  g_return_val_if_fail (store != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_distillery_store_require (store, STORE_RUN, run_id, error))
    return NULL;
  stmt = _distillery_store_statement (store,
                                      "SELECT " CHUNK_COLUMNS " FROM step_chunks WHERE run_id = ?1 ORDER BY first_step",
                                      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, run_id);
  steps = g_array_new (FALSE, FALSE, sizeof (DistilleryStepRow));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* Chunks that overlap would repeat steps. */
      if (steps->len > 0 && sqlite3_column_int64 (stmt, 0) <= previous_last)
        {
          damaged (store, run_id, error);
          return NULL;
        }
      if (!read_chunk (store, run_id, stmt, 0, steps, error))
        return NULL;
      previous_last = sqlite3_column_int64 (stmt, 1);
    }
  if (rc != SQLITE_DONE)
    {
      _distillery_store_fail (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&steps);
}

/* Migration 1 -> 2, after its SQL has made step_chunks: the rows of the
 * old steps table become chunks, CHUNK_ROWS steps each (the last of a run
 * holds the rest), and the old table goes. A NULL metric, as schema 1
 * stored NaN, becomes NaN. In the migration's transaction, so a failure
 * leaves the file at version 1. */
int
_distillery_store_steps_to_chunks (sqlite3 *db)
{
  sqlite3_stmt *select = NULL, *insert = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, CHUNK_ROWS);
  g_autofree guint8 *buffer = g_malloc (chunk_size (CHUNK_ROWS));
  gint64 run_id = 0;
  guint n = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT run_id, step, epoch, loss, loss_kd, loss_ce, learning_rate, wall"
                           " FROM steps ORDER BY run_id, step",
                           -1, &select, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, INSERT_CHUNK_SQL, -1, &insert, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 row_run = sqlite3_column_int64 (select, 0);

      rc = SQLITE_OK;
      if (n > 0 && (row_run != run_id || n == CHUNK_ROWS))
        {
          rc = insert_chunk (insert, run_id, rows, n, buffer);
          n = 0;
        }
      run_id = row_run;
      rows[n++] = (DistilleryStepRow) {
        .step = sqlite3_column_int64 (select, 1),
        .epoch = sqlite3_column_int (select, 2),
        .loss = _distillery_store_column_double (select, 3),
        .loss_kd = _distillery_store_column_double (select, 4),
        .loss_ce = _distillery_store_column_double (select, 5),
        .learning_rate = _distillery_store_column_double (select, 6),
        .wall = _distillery_store_column_double (select, 7),
      };
    }
  if (rc == SQLITE_DONE && n > 0)
    rc = insert_chunk (insert, run_id, rows, n, buffer);
  else if (rc == SQLITE_DONE)
    rc = SQLITE_OK;
  sqlite3_finalize (select);
  sqlite3_finalize (insert);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec (db, "DROP TABLE steps", NULL, NULL, NULL);
  return rc;
}

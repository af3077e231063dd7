/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project file: every kind of file that must be refused, each left
 * byte for byte as it was; a round trip for everything a project holds;
 * read-only projects; recovery of runs whose process died; Save As; step
 * metrics in chunks; and the committed fixture of each schema, which every
 * later build must still open.
 *
 * `test-store --make-fixture PATH` writes a fixture of the current schema;
 * it is run once when a schema is introduced, and never again for an
 * existing fixture (a new schema gets a new fixture beside the old ones).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "distillery-store.h"
#include "distillery-store-private.h"

#define FIXTURE_NAME "Fixture project"
#define FIXTURE_CSV "x0,x1,label\n0.5,1.5,0\n2.5,3.5,1\n4.5,5.5,0\n"
#define FIXTURE_SETTINGS "{\"version\":1,\"student\":{\"hidden\":[8]},\"epochs\":1}"
#define FIXTURE_N_STEPS 3

static char *scratch;

/* A new path in the scratch folder, unique per call. */
static char *
scratch_path (const char *name)
{
  static guint counter;

  return g_strdup_printf ("%s/%u-%s", scratch, ++counter, name);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

/* Runs SQL on a project behind the store's back, as another program (or
 * an attacker) could. */
static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gint64
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  /* Read-write, so that closing removes the -wal and -shm files. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return value;
}

static void
assert_no_side_files (const char *path)
{
  static const char *const suffixes[] = { "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *side = g_strconcat (path, suffixes[i], NULL);

      if (g_file_test (side, G_FILE_TEST_EXISTS))
        g_error ("%s was left behind", side);
    }
}

typedef struct
{
  GBytes          *bytes;
  struct timespec  mtime;
} Snapshot;

static Snapshot
snapshot_take (const char *path)
{
  Snapshot snapshot;
  struct stat st;
  char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint (stat (path, &st), ==, 0);
  snapshot.bytes = g_bytes_new_take (contents, length);
  snapshot.mtime = st.st_mtim;
  return snapshot;
}

/* The file has the same bytes and modification time as before, and no
 * journal of any kind was left beside it. */
static void
snapshot_check (const char *path,
                Snapshot   *snapshot)
{
  Snapshot now = snapshot_take (path);

  g_assert_true (g_bytes_equal (now.bytes, snapshot->bytes));
  g_assert_cmpint (now.mtime.tv_sec, ==, snapshot->mtime.tv_sec);
  g_assert_cmpint (now.mtime.tv_nsec, ==, snapshot->mtime.tv_nsec);
  assert_no_side_files (path);
  g_bytes_unref (now.bytes);
  g_bytes_unref (snapshot->bytes);
}

static void
assert_message_names (const GError *error,
                      const char   *path,
                      const char   *words)
{
  g_autofree char *display_name = g_filename_display_name (path);

  g_test_message ("%s", error->message);
  if (strstr (error->message, display_name) == NULL || strstr (error->message, words) == NULL)
    g_error ("“%s” should name %s and say “%s”", error->message, display_name, words);
  g_assert_true (g_str_has_suffix (error->message, "."));
}

/* Opening fails with `code`, both read-write and read-only, and leaves the
 * file exactly as it was. */
static void
assert_refused (const char *path,
                int         code,
                const char *words)
{
  static const DistilleryStoreOpenFlags modes[] = {
    DISTILLERY_STORE_OPEN_DEFAULT, DISTILLERY_STORE_OPEN_READ_ONLY,
  };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      Snapshot before = snapshot_take (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(DistilleryStore) store = distillery_store_open (path, modes[i], &error);

      g_assert_null (store);
      g_assert_error (error, DISTILLERY_STORE_ERROR, code);
      assert_message_names (error, path, words);
      snapshot_check (path, &before);
    }
}

static GBytes *
bytes_of_string (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

static DistilleryStepRow
step_row (gint64 step)
{
  return (DistilleryStepRow) {
    .step = step,
    .epoch = (int) (step / 100),
    .loss = 2.0f / (1 + step),
    .loss_kd = step % 7 == 0 ? NAN : 1.0f / (2 + step),
    .loss_ce = 1.0f / (3 + step),
    .learning_rate = 0.01f,
    .wall = step * 0.001,
  };
}

static void
assert_steps_equal (const DistilleryStepRow *a,
                    const DistilleryStepRow *b)
{
  g_assert_cmpint (a->step, ==, b->step);
  g_assert_cmpint (a->epoch, ==, b->epoch);
  g_assert_cmpfloat (a->loss, ==, b->loss);
  if (isnan (b->loss_kd))
    g_assert_true (isnan (a->loss_kd));
  else
    g_assert_cmpfloat (a->loss_kd, ==, b->loss_kd);
  g_assert_cmpfloat (a->loss_ce, ==, b->loss_ce);
  g_assert_cmpfloat (a->learning_rate, ==, b->learning_rate);
  g_assert_cmpfloat (a->wall, ==, b->wall);
}

typedef struct
{
  gint64 dataset, experiment, run;
} Project;

/* A small but complete project: the fixture, and the file the refusal
 * tests damage. */
static Project
make_project (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_create (path, FIXTURE_NAME, &error);
  g_autoptr(GBytes) csv = bytes_of_string (FIXTURE_CSV);
  g_autoptr(GBytes) checkpoint = bytes_of_string ("KDCKPT checkpoint stand-in");
  char *class_names[] = { "zero", "one", NULL };
  DistilleryStoreDataset meta = {
    .name = "tiny", .kind = "csv", .options = "{\"label_column\":\"label\",\"has_header\":true}",
    .n_samples = 3, .n_features = 2, .n_classes = 2, .class_names = class_names,
  };
  DistilleryStoreFile file = { "csv", "tiny.csv", csv };
  DistilleryStoreExperiment experiment = { .name = "fixture", .settings = FIXTURE_SETTINGS };
  DistilleryStepRow steps[FIXTURE_N_STEPS];
  DistilleryEpochRow epoch = { .epoch = 0, .step = FIXTURE_N_STEPS - 1, .wall = 0.5, .train_loss = 0.7,
                               .val_loss = 0.8, .val_accuracy = 0.5, .val_agreement = NAN, .val_kl = NAN,
                               .val_ece = 0.1 };
  Project project;

  g_assert_no_error (error);
  project.dataset = distillery_store_add_dataset (store, &meta, &file, 1, &error);
  g_assert_no_error (error);
  experiment.dataset_id = project.dataset;
  project.experiment = distillery_store_add_experiment (store, &experiment, &error);
  g_assert_no_error (error);
  project.run = distillery_store_add_run (store, project.experiment, 0, 42, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_set_run_status (store, project.run, DISTILLERY_RUN_RUNNING, NULL, &error));
  for (int i = 0; i < FIXTURE_N_STEPS; i++)
    steps[i] = step_row (i);
  g_assert_true (distillery_store_append_steps (store, project.run, steps, 2, &error));
  g_assert_true (distillery_store_commit_epoch (store, project.run, steps + 2, 1, &epoch, 0.5,
                                                checkpoint, TRUE, &error));
  g_assert_true (distillery_store_set_run_status (store, project.run, DISTILLERY_RUN_FINISHED, NULL, &error));
  g_assert_no_error (error);
  return project;
}

static void
test_refuses_missing (void)
{
  g_autofree char *path = scratch_path ("missing.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);

  g_assert_null (store);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  assert_message_names (error, path, "does not exist");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_no_side_files (path);
}

static void
test_refuses_directory (void)
{
  g_autofree char *path = scratch_path ("folder.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  GDir *dir;

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO);
  assert_message_names (error, path, "is a folder");
  dir = g_dir_open (path, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
  g_dir_close (dir);
  assert_no_side_files (path);
}

static void
test_refuses_empty (void)
{
  g_autofree char *path = scratch_path ("empty.distillery");

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  assert_refused (path, DISTILLERY_STORE_ERROR_EMPTY, "is empty");
}

static void
test_refuses_not_sqlite (void)
{
  g_autofree char *text = scratch_path ("notes.distillery");
  g_autofree char *tiny = scratch_path ("tiny.distillery");
  g_autofree char *noise = scratch_path ("noise.distillery");
  guchar random[4096];

  for (guint i = 0; i < sizeof random; i++)
    random[i] = g_random_int ();
  g_assert_true (g_file_set_contents (text, "These are notes, not a project.\n", -1, NULL));
  g_assert_true (g_file_set_contents (tiny, "SQLite", -1, NULL));
  g_assert_true (g_file_set_contents (noise, (char *) random, sizeof random, NULL));
  assert_refused (text, DISTILLERY_STORE_ERROR_NOT_SQLITE, "not an SQLite database");
  assert_refused (tiny, DISTILLERY_STORE_ERROR_NOT_SQLITE, "not an SQLite database");
  assert_refused (noise, DISTILLERY_STORE_ERROR_NOT_SQLITE, "not an SQLite database");
}

static void
test_refuses_foreign (void)
{
  g_autofree char *rollback = scratch_path ("addresses.db");
  g_autofree char *wal = scratch_path ("history.sqlite");
  g_autofree char *blank = scratch_path ("blank.sqlite");

  /* Another program's database, in each journal mode; and one with our
   * tables copied in by hand but without our application id. */
  raw_exec (rollback, "CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada');");
  raw_exec (wal, "PRAGMA journal_mode = WAL; CREATE TABLE visits (url TEXT); INSERT INTO visits VALUES ('x');");
  raw_exec (blank, "CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 1;");
  assert_refused (rollback, DISTILLERY_STORE_ERROR_FOREIGN, "another application");
  assert_refused (wal, DISTILLERY_STORE_ERROR_FOREIGN, "another application");
  assert_refused (blank, DISTILLERY_STORE_ERROR_FOREIGN, "another application");
}

static void
test_refuses_too_new (void)
{
  g_autofree char *path = scratch_path ("future.distillery");
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d", DISTILLERY_STORE_SCHEMA_VERSION + 1);

  make_project (path);
  raw_exec (path, sql);
  assert_refused (path, DISTILLERY_STORE_ERROR_TOO_NEW, "newer version of Distillery");
}

/* Overwrites `length` bytes at `offset` with a pattern. */
static void
damage (const char *path,
        gsize       offset,
        gsize       length)
{
  g_autofree char *contents = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpuint (offset + length, <=, size);
  for (gsize i = 0; i < length; i++)
    contents[offset + i] = (char) (0xa5 ^ i);
  g_assert_true (g_file_set_contents (path, contents, size, NULL));
}

static void
test_refuses_damaged (void)
{
  g_autofree char *middle = scratch_path ("middle.distillery");
  g_autofree char *schema = scratch_path ("schema.distillery");
  g_autofree char *table = scratch_path ("table.distillery");
  gint64 page_size, n_pages;

  /* Whole pages in the middle of the file: b-tree pages, overflow chains
   * or both, whatever they are. A new project holds one free page (the
   * first schema's step table, which the second drops); VACUUM leaves
   * only pages in use. */
  make_project (middle);
  raw_exec (middle, "VACUUM");
  page_size = raw_int (middle, "PRAGMA page_size");
  n_pages = raw_int (middle, "PRAGMA page_count");
  g_assert_cmpint (raw_int (middle, "PRAGMA freelist_count"), ==, 0);
  g_assert_cmpint (n_pages, >=, 8);
  damage (middle, page_size * (n_pages / 2), page_size * 2);
  assert_refused (middle, DISTILLERY_STORE_ERROR_DAMAGED, "is damaged");

  /* The schema's own page, just after the header that says "SQLite". */
  make_project (schema);
  damage (schema, 100, 200);
  assert_refused (schema, DISTILLERY_STORE_ERROR_DAMAGED, "is damaged");

  /* Sound pages, but a table gone. */
  make_project (table);
  raw_exec (table, "DROP TABLE models");
  assert_refused (table, DISTILLERY_STORE_ERROR_DAMAGED, "“models” table");
}

/* Past the size opening checks whole (64 MiB), damage in the tables that
 * opening and listing read is still refused, and damage in the bulk is
 * reported by the read that meets it. */
static void
test_refuses_damaged_large (void)
{
  g_autofree char *listed = scratch_path ("large-listed.distillery");
  g_autofree char *bulk = scratch_path ("large-bulk.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GBytes) model = NULL;
  g_autoptr(GArray) steps = NULL;
  gint64 page_size, n_pages, root;
  Project project;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *sql = NULL;

      project = make_project (i == 0 ? listed : bulk);
      sql = g_strdup_printf ("INSERT INTO models (run_id, created, data) VALUES (%lld, 0, zeroblob (70 << 20))",
                             (long long) project.run);
      raw_exec (i == 0 ? listed : bulk, sql);
    }
  page_size = raw_int (listed, "PRAGMA page_size");
  root = raw_int (listed, "SELECT rootpage FROM sqlite_schema WHERE name = 'runs'");
  damage (listed, page_size * (root - 1), page_size);
  assert_refused (listed, DISTILLERY_STORE_ERROR_DAMAGED, "is damaged");

  /* A page of the model, far from anything opening reads. */
  n_pages = raw_int (bulk, "PRAGMA page_count");
  damage (bulk, page_size * (n_pages / 2), page_size);
  store = distillery_store_open (bulk, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  steps = distillery_store_get_steps (store, project.run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
  model = distillery_store_get_model (store, project.run, &error);
  g_assert_null (model);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED);
  assert_message_names (error, bulk, "is damaged");
}

/* A trigger slipped into a project by someone else never fires here. */
static void
test_ignores_stored_code (void)
{
  g_autofree char *path = scratch_path ("trap.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autofree char *name = NULL;
  Project project = make_project (path);

  raw_exec (path,
            "CREATE TRIGGER trap AFTER UPDATE ON runs BEGIN UPDATE project SET name = 'trapped'; END;"
            "CREATE VIEW peek AS SELECT * FROM runs;");
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_set_run_status (store, project.run, DISTILLERY_RUN_QUEUED, NULL, &error));
  g_assert_no_error (error);
  name = distillery_store_get_name (store);
  g_assert_cmpstr (name, ==, FIXTURE_NAME);
}

static void
test_create (void)
{
  g_autofree char *path = scratch_path ("new.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_create (path, "Näme “quoted”", &error);
  g_autoptr(DistilleryStore) again = NULL;
  g_autofree char *name = NULL;
  g_autofree char *folder = g_path_get_dirname (path);
  Snapshot before;

  g_assert_no_error (error);
  g_assert_cmpstr (distillery_store_get_path (store), ==, path);
  g_assert_false (distillery_store_is_read_only (store));
  g_clear_pointer (&store, distillery_store_close);
  assert_no_side_files (path);
  g_assert_cmpint (raw_int (path, "PRAGMA application_id"), ==, DISTILLERY_STORE_APPLICATION_ID);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, DISTILLERY_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (path, "SELECT created_schema FROM project"), ==, DISTILLERY_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (path, "SELECT count (*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  name = distillery_store_get_name (store);
  g_assert_cmpstr (name, ==, "Näme “quoted”");
  g_clear_pointer (&store, distillery_store_close);

  /* Never over an existing file, and no temporary file stays behind. */
  before = snapshot_take (path);
  again = distillery_store_create (path, "Other", &error);
  g_assert_null (again);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS);
  assert_message_names (error, path, "already exists");
  snapshot_check (path, &before);
  {
    GDir *dir = g_dir_open (folder, 0, NULL);
    const char *entry;

    while ((entry = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_prefix (entry, "."));
    g_dir_close (dir);
  }
}

/* SQLite is given URIs: characters that mean something in a URI must
 * reach the file system as they are. */
static void
test_create_odd_name (void)
{
  g_autofree char *path = scratch_path ("a b?c=d#e%20f ü.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_create (path, "Odd", &error);
  g_autofree char *name = NULL;

  g_assert_no_error (error);
  g_clear_pointer (&store, distillery_store_close);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  name = distillery_store_get_name (store);
  g_assert_cmpstr (name, ==, "Odd");
  g_clear_pointer (&store, distillery_store_close);
  assert_no_side_files (path);
}

static GBytes *
random_bytes (gsize size)
{
  guchar *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_random_int ();
  return g_bytes_new_take (data, size);
}

static void
test_datasets (void)
{
  g_autofree char *path = scratch_path ("datasets.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_create (path, "Data sets", &error);
  g_autoptr(GString) text = g_string_new ("a,b,label\n");
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GBytes) gzipped = NULL;
  g_autoptr(GBytes) noise = random_bytes (10000);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(DistilleryStoreDataset) got = NULL;
  guchar gzip_header[300] = { 0x1f, 0x8b, 8, 0 };
  char *class_names[] = { "T-shirt/top", "say \"hi\"\\", "tab\there", "ünï", NULL };
  DistilleryStoreDataset meta = {
    .name = "fashion", .kind = "idx", .options = "{\"validation\":0.1}",
    .n_samples = 70000, .n_features = 784, .n_classes = 4, .class_names = class_names,
    .image_width = 28, .image_height = 28,
  };
  DistilleryStoreFile files[4] = {
    { "csv", "all.csv", NULL },
    { "train-images", "train-images-idx3-ubyte.gz", NULL },
    { "train-labels", "train-labels-idx1-ubyte", NULL },
    { "test-labels", "empty", NULL },
  };
  const char *compression[] = { "zlib", "none", "none", "none" };
  gint64 id;

  g_assert_no_error (error);
  for (int i = 0; i < 2000; i++)
    g_string_append_printf (text, "%d,%d,%d\n", i, i * 2, i % 4);
  csv = g_bytes_new (text->str, text->len);
  gzipped = g_bytes_new (gzip_header, sizeof gzip_header);
  files[0].bytes = csv;
  files[1].bytes = gzipped;
  files[2].bytes = noise;
  files[3].bytes = empty;

  id = distillery_store_add_dataset (store, &meta, files, G_N_ELEMENTS (files), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_clear_pointer (&store, distillery_store_close);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT compression = '%s' FROM dataset_files WHERE role = '%s'",
                                              compression[i], files[i].role);

      g_assert_cmpint (raw_int (path, sql), ==, 1);
    }
  /* Compressible text shrank. */
  g_assert_cmpint (raw_int (path, "SELECT length (data) FROM dataset_files WHERE role = 'csv'"), <, text->len / 2);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *file_name = NULL;
      g_autoptr(GBytes) bytes = distillery_store_get_dataset_file (store, id, files[i].role, &file_name, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, files[i].bytes));
      g_assert_cmpstr (file_name, ==, files[i].file_name);
    }

  list = distillery_store_list_datasets (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  got = distillery_store_get_dataset (store, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      DistilleryStoreDataset *d = i == 0 ? got : g_ptr_array_index (list, 0);

      g_assert_cmpint (d->id, ==, id);
      g_assert_cmpstr (d->name, ==, "fashion");
      g_assert_cmpstr (d->kind, ==, "idx");
      g_assert_cmpstr (d->options, ==, meta.options);
      g_assert_cmpuint (d->n_samples, ==, 70000);
      g_assert_cmpuint (d->n_features, ==, 784);
      g_assert_cmpuint (d->n_classes, ==, 4);
      g_assert_true (g_strv_equal ((const char *const *) d->class_names, (const char *const *) class_names));
      g_assert_cmpuint (d->image_width, ==, 28);
      g_assert_cmpuint (d->image_height, ==, 28);
      g_assert_cmpint (d->created, >, 0);
    }

  /* What is not there, and what is not accepted. */
  g_assert_null (distillery_store_get_dataset_file (store, id, "test-images", NULL, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (distillery_store_get_dataset (store, id + 1, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  files[1].role = "csv";
  g_assert_cmpint (distillery_store_add_dataset (store, &meta, files, 2, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  files[1].role = "weights";
  g_assert_cmpint (distillery_store_add_dataset (store, &meta, files, 2, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  meta.options = "{not json";
  g_assert_cmpint (distillery_store_add_dataset (store, &meta, files, 1, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  meta.options = NULL;
  meta.kind = "parquet";
  g_assert_cmpint (distillery_store_add_dataset (store, &meta, files, 1, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = distillery_store_list_datasets (store, &error);
  g_assert_cmpuint (list->len, ==, 1);

  /* A stored file whose bytes no longer match their checksum. */
  g_clear_pointer (&store, distillery_store_close);
  raw_exec (path, "UPDATE dataset_files SET crc32 = (crc32 + 1) % 4294967296 WHERE role = 'csv'");
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_null (distillery_store_get_dataset_file (store, id, "csv", NULL, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED);
  assert_message_names (error, path, "all.csv");
}

static void
test_teachers (void)
{
  g_autofree char *path = scratch_path ("teachers.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(DistilleryStoreTeacher) got = NULL;
  Project project = make_project (path);
  DistilleryStoreTeacher teacher = {
    .name = "Big MLP", .kind = "mlp", .settings = "{\"hidden\":[512,512]}", .dataset_id = project.dataset,
  };
  DistilleryStoreTeacher program = { .name = "Oracle", .kind = "program", .dataset_id = project.dataset };
  gint64 id, program_id, run;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_teacher (store, &teacher, &error);
  g_assert_no_error (error);
  program_id = distillery_store_add_teacher (store, &program, &error);
  g_assert_no_error (error);
  run = distillery_store_add_run (store, 0, id, 7, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_set_teacher_run (store, id, run, &error));
  g_assert_no_error (error);

  g_clear_pointer (&store, distillery_store_close);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  got = distillery_store_get_teacher (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->name, ==, "Big MLP");
  g_assert_cmpstr (got->kind, ==, "mlp");
  g_assert_cmpstr (got->settings, ==, teacher.settings);
  g_assert_cmpint (got->dataset_id, ==, project.dataset);
  g_assert_cmpint (got->run_id, ==, run);
  g_assert_cmpint (got->created, >, 0);
  list = distillery_store_list_teachers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((DistilleryStoreTeacher *) g_ptr_array_index (list, 1))->settings, ==, "{}");
  g_assert_cmpint (((DistilleryStoreTeacher *) g_ptr_array_index (list, 1))->id, ==, program_id);
  g_assert_cmpint (((DistilleryStoreTeacher *) g_ptr_array_index (list, 1))->run_id, ==, 0);

  teacher.kind = "crystal ball";
  g_assert_cmpint (distillery_store_add_teacher (store, &teacher, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  teacher.kind = "mlp";
  teacher.dataset_id = 999;
  g_assert_cmpint (distillery_store_add_teacher (store, &teacher, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (distillery_store_set_teacher_run (store, id, 999, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (distillery_store_get_teacher (store, 999, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

static void
test_answers (void)
{
  enum { N = 1000, C = 10 };
  g_autofree char *path = scratch_path ("answers.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autofree float *rows = g_new (float, N * C);
  g_autofree float *got = g_new0 (float, N * C);
  g_autofree guint32 *samples = g_new (guint32, N);
  g_autofree gboolean *found = g_new (gboolean, N);
  Project project = make_project (path);
  DistilleryStoreTeacher teacher = { .name = "T", .kind = "answers", .dataset_id = project.dataset };
  gint64 id, n_found;
  guint n = 0;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_teacher (store, &teacher, &error);
  g_assert_no_error (error);

  /* Every third sample was asked about. */
  for (guint s = 0; s < N; s += 3, n++)
    {
      samples[n] = s;
      for (guint c = 0; c < C; c++)
        rows[n * C + c] = s + c / 16.0f;
    }
  g_assert_true (distillery_store_put_answers (store, id, project.dataset, "train", "top-3", samples, rows, n, C, &error));
  g_assert_no_error (error);
  /* Asked again: the new answer replaces the old. */
  rows[0] = -1;
  g_assert_true (distillery_store_put_answers (store, id, project.dataset, "train", "top-3", samples, rows, 1, C, &error));
  g_assert_no_error (error);

  g_clear_pointer (&store, distillery_store_close);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  n_found = distillery_store_get_answers (store, id, project.dataset, "train", "top-3", got, N, C, found, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_found, ==, n);
  for (guint s = 0; s < N; s++)
    {
      g_assert_cmpint (found[s], ==, s % 3 == 0);
      for (guint c = 0; c < C && found[s]; c++)
        g_assert_cmpfloat (got[s * C + c], ==, s == 0 && c == 0 ? -1 : s + c / 16.0f);
    }

  /* Other splits and policies are other questions. */
  g_assert_cmpint (distillery_store_get_answers (store, id, project.dataset, "test", "top-3", got, N, C, found, &error), ==, 0);
  g_assert_cmpint (distillery_store_get_answers (store, id, project.dataset, "train", "label", got, N, C, found, &error), ==, 0);
  g_assert_no_error (error);
  for (guint s = 0; s < N; s++)
    g_assert_false (found[s]);
  /* Fewer samples than cached: those beyond are not written. */
  g_assert_cmpint (distillery_store_get_answers (store, id, project.dataset, "train", "top-3", got, 10, C, found, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (distillery_store_get_answers (store, id, project.dataset, "train", "top-3", got, N, C + 1, found, &error), ==, -1);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (distillery_store_put_answers (store, id, project.dataset, "validation", "top-3", samples, rows, 1, C, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (distillery_store_put_answers (store, id + 1, project.dataset, "train", "top-3", samples, rows, 1, C, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (distillery_store_clear_answers (store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (distillery_store_get_answers (store, id, project.dataset, "train", "top-3", got, N, C, found, &error), ==, 0);
  g_assert_no_error (error);
}

/* A teacher that changes forgets, in the same transaction, the answers
 * of the teachers named stale; recorded answers ("answers" teachers) are
 * never forgotten; a change that is refused forgets nothing. */
static void
test_change_teacher (void)
{
  g_autofree char *path = scratch_path ("change.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  Project project = make_project (path);
  DistilleryStoreTeacher mlp = { .name = "Net", .kind = "mlp", .dataset_id = project.dataset };
  DistilleryStoreTeacher recorded = { .name = "Recorded", .kind = "answers", .dataset_id = project.dataset };
  DistilleryStoreTeacher ensemble = { .name = "Both", .kind = "ensemble", .dataset_id = project.dataset };
  const guint32 samples[] = { 0, 1, 2 };
  const float rows[] = { 1, 0, 0, 1, 1, 0 };
  gint64 ids[3];

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  ids[0] = distillery_store_add_teacher (store, &mlp, &error);
  ids[1] = distillery_store_add_teacher (store, &recorded, &error);
  ids[2] = distillery_store_add_teacher (store, &ensemble, &error);
  g_assert_no_error (error);
  for (guint t = 0; t < 3; t++)
    {
      g_assert_true (distillery_store_put_answers (store, ids[t], project.dataset, "train", "labels", samples, rows,
                                                   3 - t, 2, &error));
      g_assert_no_error (error);
      g_assert_cmpint (distillery_store_count_answers (store, ids[t], &error), ==, 3 - t);
    }
  g_assert_cmpint (distillery_store_count_answers (store, 999, &error), ==, -1);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Refused: settings that are not JSON, a run that is not there. */
  g_assert_false (distillery_store_change_teacher (store, ids[0], "{", -1, ids, 3, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (distillery_store_change_teacher (store, ids[0], NULL, 999, ids, 3, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (distillery_store_count_answers (store, ids[0], &error), ==, 3);

  g_assert_true (distillery_store_change_teacher (store, ids[0], "{\"hidden\":[8]}", project.run, ids, 3, &error));
  g_assert_no_error (error);
  g_autoptr(DistilleryStoreTeacher) got = distillery_store_get_teacher (store, ids[0], &error);
  g_assert_cmpstr (got->settings, ==, "{\"hidden\":[8]}");
  g_assert_cmpint (got->run_id, ==, project.run);
  g_assert_cmpint (distillery_store_count_answers (store, ids[0], &error), ==, 0);
  g_assert_cmpint (distillery_store_count_answers (store, ids[1], &error), ==, 2);
  g_assert_cmpint (distillery_store_count_answers (store, ids[2], &error), ==, 0);

  /* Settings and run as they were, run cleared. */
  g_assert_true (distillery_store_change_teacher (store, ids[0], NULL, 0, NULL, 0, &error));
  g_clear_pointer (&got, distillery_store_teacher_free);
  got = distillery_store_get_teacher (store, ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->settings, ==, "{\"hidden\":[8]}");
  g_assert_cmpint (got->run_id, ==, 0);
}

/* Settings change until the experiment has runs; a name changes always;
 * deleting takes the runs and what they logged with it. */
static void
test_experiments_edit (void)
{
  g_autofree char *path = scratch_path ("experiments-edit.distillery");
  g_autoptr(GError) error = NULL;
  Project project = make_project (path);
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  DistilleryStoreExperiment e = { .name = "edit me", .settings = "{\"version\":1}", .dataset_id = project.dataset };
  g_assert_no_error (error);
  e.id = distillery_store_add_experiment (store, &e, &error);
  g_assert_no_error (error);

  e.settings = "{\"version\":1,\"alpha\":0.25}";
  g_assert_true (distillery_store_update_experiment (store, &e, &error));
  g_assert_true (distillery_store_rename_experiment (store, e.id, "edited", &error));
  g_assert_no_error (error);
  {
    g_autoptr(DistilleryStoreExperiment) got = distillery_store_get_experiment (store, e.id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got->settings, ==, e.settings);
    g_assert_cmpstr (got->name, ==, "edited");
  }
  g_assert_false (distillery_store_rename_experiment (store, e.id, "fixture", &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  gint64 run = distillery_store_add_run (store, e.id, 0, 1, &error);
  DistilleryStepRow row = { .step = 0, .loss = 1 };
  g_assert_true (distillery_store_append_steps (store, run, &row, 1, &error));
  g_assert_no_error (error);
  e.settings = "{\"version\":1,\"alpha\":0.75}";
  g_assert_false (distillery_store_update_experiment (store, &e, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (distillery_store_delete_experiment (store, e.id, &error));
  g_assert_no_error (error);
  g_assert_null (distillery_store_get_run (store, run, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr(GArray) steps = distillery_store_get_steps (store, run, &error);
  g_assert_true (steps == NULL || steps->len == 0);
  g_clear_error (&error);
  g_assert_false (distillery_store_delete_experiment (store, e.id, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

static void
test_experiments (void)
{
  g_autofree char *path = scratch_path ("experiments.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStoreExperiment) found = NULL;
  g_autoptr(DistilleryStoreExperiment) got = NULL;
  g_autoptr(GPtrArray) list = NULL;
  Project project = make_project (path);
  DistilleryStoreTeacher teacher = { .name = "T", .kind = "ensemble", .dataset_id = project.dataset };
  DistilleryStoreExperiment e = { .name = "distil", .settings = "{\"version\":3,\"alpha\":0.5}", .dataset_id = project.dataset };
  gint64 id;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  e.teacher_id = distillery_store_add_teacher (store, &teacher, &error);
  g_assert_no_error (error);
  id = distillery_store_add_experiment (store, &e, &error);
  g_assert_no_error (error);

  found = distillery_store_find_experiment (store, "distil", &error);
  g_assert_no_error (error);
  got = distillery_store_get_experiment (store, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      DistilleryStoreExperiment *x = i == 0 ? found : got;

      g_assert_cmpint (x->id, ==, id);
      g_assert_cmpstr (x->name, ==, "distil");
      g_assert_cmpstr (x->settings, ==, e.settings);
      g_assert_cmpint (x->dataset_id, ==, project.dataset);
      g_assert_cmpint (x->teacher_id, ==, e.teacher_id);
      g_assert_cmpint (x->created, >, 0);
    }
  list = distillery_store_list_experiments (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((DistilleryStoreExperiment *) g_ptr_array_index (list, 0))->name, ==, "fixture");
  g_assert_cmpint (((DistilleryStoreExperiment *) g_ptr_array_index (list, 0))->teacher_id, ==, 0);

  g_assert_cmpint (distillery_store_add_experiment (store, &e, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_EXISTS);
  assert_message_names (error, path, "“distil”");
  g_clear_error (&error);
  e.name = "no version";
  e.settings = "{\"alpha\":0.5}";
  g_assert_cmpint (distillery_store_add_experiment (store, &e, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  e.settings = "{\"version\":";
  g_assert_cmpint (distillery_store_add_experiment (store, &e, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  e.settings = "{\"version\":1}";
  e.dataset_id = 999;
  g_assert_cmpint (distillery_store_add_experiment (store, &e, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (distillery_store_find_experiment (store, "nothing", &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

static void
test_runs (void)
{
  g_autofree char *path = scratch_path ("runs.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStoreRun) run = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GBytes) model = bytes_of_string ("model bytes");
  g_autoptr(GBytes) got = NULL;
  Project project = make_project (path);
  gint64 id, other;
  gint64 started;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, G_MAXUINT64, &error);
  g_assert_no_error (error);
  other = distillery_store_add_run (store, 0, 0, 1, &error);
  g_assert_no_error (error);

  run = distillery_store_get_run (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_QUEUED);
  g_assert_cmpuint (run->seed, ==, G_MAXUINT64);
  g_assert_cmpint (run->experiment_id, ==, project.experiment);
  g_assert_cmpint (run->started, ==, 0);
  g_assert_cmpint (run->finished, ==, 0);
  g_assert_null (run->error);
  g_clear_pointer (&run, distillery_store_run_free);

  /* queued -> running -> paused -> running -> failed -> queued -> running -> finished */
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_RUNNING, NULL, &error));
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_RUNNING);
  g_assert_cmpint (run->started, >, 0);
  g_assert_cmpint (run->finished, ==, 0);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT owner_pid FROM runs WHERE id = %lld", (long long) id);

    g_assert_cmpint (raw_int (path, sql), ==, getpid ());
  }
  started = run->started;
  g_clear_pointer (&run, distillery_store_run_free);
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_PAUSED, NULL, &error));
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_FAILED, "It diverged.", &error));
  g_assert_no_error (error);
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FAILED);
  g_assert_cmpstr (run->error, ==, "It diverged.");
  g_assert_cmpint (run->started, ==, started);
  g_assert_cmpint (run->finished, >=, started);
  g_assert_cmpint (raw_int (path, "SELECT count (*) FROM runs WHERE owner_pid IS NOT NULL"), ==, 0);
  g_clear_pointer (&run, distillery_store_run_free);
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_QUEUED, NULL, &error));
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_QUEUED);
  g_assert_null (run->error);
  g_assert_cmpint (run->finished, ==, 0);
  g_clear_pointer (&run, distillery_store_run_free);
  g_assert_true (distillery_store_set_run_status (store, id, DISTILLERY_RUN_CANCELLED, NULL, &error));
  g_assert_no_error (error);

  /* The result and the trained model. */
  g_assert_null (distillery_store_get_model (store, id, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (distillery_store_set_run_result (store, id, "{\"accuracy\":0.9}", model, &error));
  g_assert_no_error (error);
  g_assert_false (distillery_store_set_run_result (store, id, "{accuracy", NULL, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_clear_pointer (&store, distillery_store_close);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_CANCELLED);
  g_assert_cmpstr (run->final_metrics, ==, "{\"accuracy\":0.9}");
  got = distillery_store_get_model (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, model));

  runs = distillery_store_list_runs (store, -1, &error);
  g_assert_cmpuint (runs->len, ==, 3);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = distillery_store_list_runs (store, project.experiment, &error);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_cmpint (((DistilleryStoreRun *) g_ptr_array_index (runs, 0))->id, ==, project.run);
  g_assert_cmpint (((DistilleryStoreRun *) g_ptr_array_index (runs, 1))->id, ==, id);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = distillery_store_list_runs (store, 0, &error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (((DistilleryStoreRun *) g_ptr_array_index (runs, 0))->id, ==, other);
  g_assert_no_error (error);

  g_assert_null (distillery_store_get_run (store, 999, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (distillery_store_set_run_status (store, 999, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (distillery_store_add_run (store, 999, 0, 1, &error), ==, 0);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  for (int s = DISTILLERY_RUN_QUEUED; s <= DISTILLERY_RUN_INTERRUPTED; s++)
    g_assert_nonnull (distillery_run_status_to_string (s));
  g_assert_cmpstr (distillery_run_status_to_string (DISTILLERY_RUN_INTERRUPTED), ==, "interrupted");
}

static void
test_steps (void)
{
  enum { N = 12345, BATCH = 5000 };
  g_autofree char *path = scratch_path ("steps.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, N);
  g_autoptr(GArray) got = NULL;
  g_autofree char *sql = NULL;
  Project project = make_project (path);
  gint64 id;

  for (int i = 0; i < N; i++)
    rows[i] = step_row (i);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  for (int i = 0; i < N; i += BATCH)
    g_assert_true (distillery_store_append_steps (store, id, rows + i, MIN (BATCH, N - i), &error));
  g_assert_true (distillery_store_append_steps (store, id, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_false (distillery_store_append_steps (store, 999, rows, 1, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_pointer (&store, distillery_store_close);
  /* Each batch in chunks of at most 4096 steps, of equal size. */
  sql = g_strdup_printf ("SELECT count (*) * 1000000 + sum (n_rows) FROM step_chunks"
                         " WHERE run_id = %lld AND n_rows BETWEEN 1 AND 4096", (long long) id);
  g_assert_cmpint (raw_int (path, sql), ==, 5 * 1000000 + N);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT max (n_rows) - min (n_rows) FROM step_chunks WHERE run_id = %lld AND first_step < 5000",
                         (long long) id);
  g_assert_cmpint (raw_int (path, sql), ==, 0);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, N);
  for (int i = 0; i < N; i++)
    assert_steps_equal (&g_array_index (got, DistilleryStepRow, i), &rows[i]);
  g_clear_pointer (&got, g_array_unref);
  got = distillery_store_get_steps (store, project.run, &error);
  g_assert_cmpuint (got->len, ==, FIXTURE_N_STEPS);
  g_clear_pointer (&got, g_array_unref);
  g_assert_null (distillery_store_get_steps (store, 999, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
}

/* No two chunks of any run cover the same step. */
static void
assert_chunks_disjoint (const char *path)
{
  g_assert_cmpint (raw_int (path,
                            "SELECT count (*) FROM step_chunks a JOIN step_chunks b"
                            " ON a.run_id = b.run_id AND a.rowid < b.rowid"
                            " AND a.first_step <= b.last_step AND b.first_step <= a.last_step"), ==, 0);
}

/* The steps read back are from..to, in order, and those in [changed_from,
 * changed_to] carry loss + 1. */
static void
assert_steps_range (GArray *steps,
                    gint64  from,
                    gint64  to,
                    gint64  changed_from,
                    gint64  changed_to)
{
  g_assert_cmpuint (steps->len, ==, to - from + 1);
  for (guint i = 0; i < steps->len; i++)
    {
      DistilleryStepRow expected = step_row (from + i);

      if (expected.step >= changed_from && expected.step <= changed_to)
        expected.loss += 1;
      assert_steps_equal (&g_array_index (steps, DistilleryStepRow, i), &expected);
    }
}

/* Steps logged again, as a run resumed without truncating would, replace
 * the earlier rows: no step is ever read twice. */
static void
test_steps_again (void)
{
  enum { N = 10000 };
  g_autofree char *path = scratch_path ("steps-again.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, N);
  DistilleryStepRow jumbled[5];
  Project project = make_project (path);
  gint64 id;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  g_assert_no_error (error);

  /* 0..99, then 50..149 changed: half the second batch overlaps. */
  for (int i = 0; i < 150; i++)
    {
      rows[i] = step_row (i);
      if (i >= 50)
        rows[i].loss += 1;
    }
  g_assert_true (distillery_store_append_steps (store, id, rows, 50, &error));
  g_assert_true (distillery_store_append_steps (store, id, rows + 50, 50, &error));
  for (int i = 50; i < 100; i++)
    rows[i].loss -= 1;
  g_assert_true (distillery_store_append_steps (store, id, rows, 100, &error));
  for (int i = 50; i < 100; i++)
    rows[i].loss += 1;
  g_assert_true (distillery_store_append_steps (store, id, rows + 50, 100, &error));
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  g_assert_no_error (error);
  assert_steps_range (got, 0, 149, 50, 149);
  g_clear_pointer (&got, g_array_unref);

  /* Out of order and twice in one batch: the later row of a step wins. */
  jumbled[0] = step_row (152);
  jumbled[1] = step_row (150);
  jumbled[2] = step_row (152);
  jumbled[2].loss += 1;
  jumbled[3] = step_row (151);
  jumbled[4] = step_row (149);
  g_assert_true (distillery_store_append_steps (store, id, jumbled, G_N_ELEMENTS (jumbled), &error));
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  g_assert_cmpuint (got->len, ==, 153);
  g_assert_cmpfloat (g_array_index (got, DistilleryStepRow, 149).loss, ==, step_row (149).loss);
  g_assert_cmpfloat (g_array_index (got, DistilleryStepRow, 150).loss, ==, step_row (150).loss);
  g_assert_cmpfloat (g_array_index (got, DistilleryStepRow, 152).loss, ==, step_row (152).loss + 1);
  g_clear_pointer (&got, g_array_unref);

  /* A large batch over everything, twice: whole chunks rewritten. */
  for (int i = 0; i < N; i++)
    rows[i] = step_row (i);
  g_assert_true (distillery_store_append_steps (store, id, rows, N, &error));
  g_assert_true (distillery_store_append_steps (store, id, rows, N, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, distillery_store_close);

  assert_chunks_disjoint (path);
  g_assert_cmpint (raw_int (path, "SELECT max (n_rows) FROM step_chunks"), <=, 4096);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  g_assert_no_error (error);
  assert_steps_range (got, 0, N - 1, 0, -1);
}

/* Truncating to an epoch that ends inside a chunk rewrites the chunk with
 * the steps of that epoch and before; a resumed run then logs the rest
 * again. */
static void
test_steps_truncate (void)
{
  g_autofree char *path = scratch_path ("steps-truncate.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree char *sql = NULL;
  DistilleryStepRow rows[300], odd[4];
  Project project = make_project (path);
  gint64 id, other;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  other = distillery_store_add_run (store, project.experiment, 0, 2, &error);
  g_assert_no_error (error);

  /* Epochs 0 and 1 and half of 2 (100 steps each), in one chunk. */
  for (int i = 0; i < 300; i++)
    rows[i] = step_row (i);
  g_assert_true (distillery_store_append_steps (store, id, rows, 250, &error));
  g_assert_true (distillery_store_truncate_run (store, id, 1, &error));
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  assert_steps_range (got, 0, 199, 0, -1);
  g_clear_pointer (&got, g_array_unref);
  sql = g_strdup_printf ("SELECT count (*) = 1 AND max (last_step) = 199 AND max (max_epoch) = 1"
                         " FROM step_chunks WHERE run_id = %lld", (long long) id);
  g_assert_cmpint (raw_int (path, sql), ==, 1);

  /* The resumed run logs epoch 2 again, in full. */
  g_assert_true (distillery_store_append_steps (store, id, rows + 200, 100, &error));
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  assert_steps_range (got, 0, 299, 0, -1);
  g_clear_pointer (&got, g_array_unref);

  /* Epochs are the rows' own, even out of step order. */
  odd[0] = (DistilleryStepRow) { .step = 0, .epoch = 0 };
  odd[1] = (DistilleryStepRow) { .step = 1, .epoch = 2 };
  odd[2] = (DistilleryStepRow) { .step = 2, .epoch = 1 };
  odd[3] = (DistilleryStepRow) { .step = 3, .epoch = 2 };
  g_assert_true (distillery_store_append_steps (store, other, odd, G_N_ELEMENTS (odd), &error));
  g_assert_true (distillery_store_truncate_run (store, other, 1, &error));
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, other, &error);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_cmpint (g_array_index (got, DistilleryStepRow, 0).step, ==, 0);
  g_assert_cmpint (g_array_index (got, DistilleryStepRow, 1).step, ==, 2);
  g_clear_pointer (&got, g_array_unref);

  /* -1: everything, and nothing of the other runs. */
  g_assert_true (distillery_store_truncate_run (store, id, -1, &error));
  got = distillery_store_get_steps (store, id, &error);
  g_assert_cmpuint (got->len, ==, 0);
  g_clear_pointer (&got, g_array_unref);
  got = distillery_store_get_steps (store, project.run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, FIXTURE_N_STEPS);
  g_clear_pointer (&store, distillery_store_close);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count (*) FROM step_chunks WHERE run_id = %lld", (long long) id);
  g_assert_cmpint (raw_int (path, sql), ==, 0);
  assert_chunks_disjoint (path);
}

/* A chunk that does not agree with itself is refused as damaged: in the
 * other byte order, cut short, or with a count that is not its own. The
 * rest of the project reads on. */
static void
test_steps_damaged (void)
{
  static const char *const damages[] = {
    "UPDATE step_chunks SET data = X'4453545001020304' || substr (data, 9) WHERE run_id = %lld",
    "UPDATE step_chunks SET data = substr (data, 1, length (data) - 1) WHERE run_id = %lld",
    "UPDATE step_chunks SET n_rows = n_rows - 1 WHERE run_id = %lld",
    "UPDATE step_chunks SET last_step = last_step + 1 WHERE run_id = %lld",
    "UPDATE step_chunks SET max_epoch = max_epoch + 1 WHERE run_id = %lld",
    "UPDATE step_chunks SET data = substr (data, 1, 8) || substr (data, 45, 36) || substr (data, 9, 36)"
    " || substr (data, 81) WHERE run_id = %lld",
  };
  g_autofree char *path = scratch_path ("steps-damaged.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) got = NULL;
  DistilleryStepRow rows[10];
  Project project = make_project (path);
  gint64 ids[G_N_ELEMENTS (damages)], overlapping, spare;

  for (int i = 0; i < 10; i++)
    rows[i] = step_row (i);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      ids[i] = distillery_store_add_run (store, project.experiment, 0, i, &error);
      g_assert_true (distillery_store_append_steps (store, ids[i], rows, 10, &error));
      g_assert_no_error (error);
    }
  /* Two chunks, each sound, that cover the same steps. */
  overlapping = distillery_store_add_run (store, project.experiment, 0, 99, &error);
  spare = distillery_store_add_run (store, project.experiment, 0, 99, &error);
  g_assert_true (distillery_store_append_steps (store, overlapping, rows, 10, &error));
  g_assert_true (distillery_store_append_steps (store, spare, rows + 3, 5, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, distillery_store_close);
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree char *sql = g_strdup_printf (damages[i], (long long) ids[i]);

      raw_exec (path, sql);
    }
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE step_chunks SET run_id = %lld WHERE run_id = %lld",
                                            (long long) overlapping, (long long) spare);

    raw_exec (path, sql);
  }

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i <= G_N_ELEMENTS (damages); i++)
    {
      g_assert_null (distillery_store_get_steps (store, i < G_N_ELEMENTS (damages) ? ids[i] : overlapping, &error));
      g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED);
      assert_message_names (error, path, "step metrics");
      g_clear_error (&error);
    }
  /* Writing over a damaged chunk fails too, and changes nothing; starting
   * the run over drops it. */
  g_assert_false (distillery_store_append_steps (store, ids[0], rows, 1, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_null (distillery_store_get_steps (store, ids[0], &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_DAMAGED);
  g_clear_error (&error);
  g_assert_true (distillery_store_truncate_run (store, ids[0], -1, &error));
  got = distillery_store_get_steps (store, ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 0);
  g_clear_pointer (&got, g_array_unref);
  got = distillery_store_get_steps (store, project.run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, FIXTURE_N_STEPS);
}

/* Enough steps for several checkpoints, which a thread of the store runs:
 * all of them read back, and closing leaves the project file alone. */
static void
test_steps_many (void)
{
  enum { BATCH = 8192, N_BATCHES = 40 };
  g_autofree char *path = scratch_path ("steps-many.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStore) reader = NULL;
  g_autoptr(GArray) got = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, BATCH);
  Project project = make_project (path);
  gint64 id;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  reader = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  g_assert_no_error (error);
  for (int b = 0; b < N_BATCHES; b++)
    {
      for (int i = 0; i < BATCH; i++)
        rows[i] = step_row ((gint64) b * BATCH + i);
      g_assert_true (distillery_store_append_steps (store, id, rows, BATCH, &error));
      g_assert_no_error (error);
      /* A reader on its own connection sees each batch once committed. */
      if (b % 10 == 9)
        {
          got = distillery_store_get_steps (reader, id, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (got->len, ==, (b + 1) * BATCH);
          g_clear_pointer (&got, g_array_unref);
        }
    }
  g_clear_pointer (&reader, distillery_store_close);
  g_clear_pointer (&store, distillery_store_close);
  assert_no_side_files (path);
  g_assert_cmpint (raw_int (path, "PRAGMA page_size"), ==, 16384);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  got = distillery_store_get_steps (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, N_BATCHES * BATCH);
  for (guint i = 0; i < got->len; i += 997)
    {
      DistilleryStepRow expected = step_row (i);

      assert_steps_equal (&g_array_index (got, DistilleryStepRow, i), &expected);
    }
}

static GBytes *
matrix_bytes (guint n_classes,
              guint64 scale)
{
  guint64 *matrix = g_new (guint64, n_classes * n_classes);

  for (guint i = 0; i < n_classes * n_classes; i++)
    matrix[i] = i * scale + (G_GUINT64_CONSTANT (1) << 40);
  return g_bytes_new_take (matrix, sizeof (guint64) * n_classes * n_classes);
}

/* Three epochs of 100 steps; epoch 1 is the best. */
static void
commit_epochs (DistilleryStore *store,
               gint64           run)
{
  g_autoptr(GError) error = NULL;

  for (int e = 0; e < 3; e++)
    {
      g_autoptr(GBytes) matrix = matrix_bytes (10, e + 1);
      g_autofree char *text = g_strdup_printf ("checkpoint of epoch %d", e);
      g_autoptr(GBytes) checkpoint = g_bytes_new (text, strlen (text));
      DistilleryStepRow rows[100];
      DistilleryEpochRow epoch = {
        .epoch = e, .step = (e + 1) * 100 - 1, .wall = e + 1.5, .train_loss = 1.0 / (e + 1),
        .val_loss = 1.5 / (e + 1), .val_accuracy = 0.5 + e * 0.1, .val_agreement = e == 0 ? NAN : 0.9,
        .val_kl = 0.25, .val_ece = 0.125, .agreement_matrix = matrix,
      };

      for (int i = 0; i < 100; i++)
        rows[i] = step_row (e * 100 + i);
      /* Most steps were appended already; the rest come with the epoch. */
      g_assert_true (distillery_store_append_steps (store, run, rows, 60, &error));
      g_assert_true (distillery_store_commit_epoch (store, run, rows + 60, 40, &epoch, 10.0 * (e + 1),
                                                    checkpoint, e == 1, &error));
      g_assert_no_error (error);
    }
}

static void
test_epochs (void)
{
  g_autofree char *path = scratch_path ("epochs.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStoreRun) run = NULL;
  g_autoptr(GArray) epochs = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autoptr(GBytes) last = NULL;
  g_autoptr(GBytes) best = NULL;
  Project project = make_project (path);
  int epoch = -1;
  gint64 id;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  id = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  g_assert_null (distillery_store_get_checkpoint (store, id, "last", &epoch, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  commit_epochs (store, id);

  g_clear_pointer (&store, distillery_store_close);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->epochs_done, ==, 3);
  g_assert_cmpint (run->steps_done, ==, 300);
  g_assert_cmpfloat (run->seconds, ==, 30.0);

  epochs = distillery_store_get_epochs (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (epochs->len, ==, 3);
  for (int e = 0; e < 3; e++)
    {
      DistilleryEpochRow *row = &g_array_index (epochs, DistilleryEpochRow, e);
      g_autoptr(GBytes) matrix = matrix_bytes (10, e + 1);

      g_assert_cmpint (row->epoch, ==, e);
      g_assert_cmpint (row->step, ==, (e + 1) * 100 - 1);
      g_assert_cmpfloat (row->wall, ==, e + 1.5);
      g_assert_cmpfloat (row->train_loss, ==, 1.0 / (e + 1));
      g_assert_cmpfloat (row->val_loss, ==, 1.5 / (e + 1));
      g_assert_cmpfloat (row->val_accuracy, ==, 0.5 + e * 0.1);
      if (e == 0)
        g_assert_true (isnan (row->val_agreement));
      else
        g_assert_cmpfloat (row->val_agreement, ==, 0.9);
      g_assert_cmpfloat (row->val_kl, ==, 0.25);
      g_assert_cmpfloat (row->val_ece, ==, 0.125);
      g_assert_true (g_bytes_equal (row->agreement_matrix, matrix));
    }
  steps = distillery_store_get_steps (store, id, &error);
  g_assert_cmpuint (steps->len, ==, 300);

  last = distillery_store_get_checkpoint (store, id, "last", &epoch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (epoch, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (last, NULL), g_bytes_get_size (last), "checkpoint of epoch 2", 21);
  best = distillery_store_get_checkpoint (store, id, "best", &epoch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (epoch, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (best, NULL), g_bytes_get_size (best), "checkpoint of epoch 1", 21);

  /* Resuming from the end of epoch 0 forgets what came after it. */
  g_clear_pointer (&epochs, g_array_unref);
  g_clear_pointer (&steps, g_array_unref);
  g_clear_pointer (&run, distillery_store_run_free);
  g_clear_pointer (&best, g_bytes_unref);
  g_assert_true (distillery_store_truncate_run (store, id, 0, &error));
  g_assert_no_error (error);
  epochs = distillery_store_get_epochs (store, id, &error);
  g_assert_cmpuint (epochs->len, ==, 1);
  steps = distillery_store_get_steps (store, id, &error);
  g_assert_cmpuint (steps->len, ==, 100);
  g_assert_cmpint (g_array_index (steps, DistilleryStepRow, 99).step, ==, 99);
  run = distillery_store_get_run (store, id, &error);
  g_assert_cmpint (run->epochs_done, ==, 1);
  g_assert_cmpint (run->steps_done, ==, 100);
  g_assert_null (distillery_store_get_checkpoint (store, id, "best", NULL, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (distillery_store_get_checkpoint (store, id, "last", NULL, &error));
  g_clear_error (&error);

  /* And from the very start, everything. */
  g_clear_pointer (&epochs, g_array_unref);
  g_clear_pointer (&steps, g_array_unref);
  g_assert_true (distillery_store_truncate_run (store, id, -1, &error));
  epochs = distillery_store_get_epochs (store, id, &error);
  g_assert_cmpuint (epochs->len, ==, 0);
  steps = distillery_store_get_steps (store, id, &error);
  g_assert_cmpuint (steps->len, ==, 0);
  g_assert_no_error (error);

  /* The fixture's own run is untouched. */
  g_clear_pointer (&steps, g_array_unref);
  steps = distillery_store_get_steps (store, project.run, &error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
}

/* Every write is refused with READ_ONLY and a message that says so. */
static void
assert_writes_refused (DistilleryStore *store,
                       const Project   *project)
{
  g_autoptr(GBytes) bytes = bytes_of_string ("x");
  DistilleryStoreDataset meta = { .name = "d", .kind = "csv" };
  DistilleryStoreTeacher teacher = { .name = "t", .kind = "mlp" };
  DistilleryStoreExperiment experiment = { .name = "e", .settings = "{\"version\":1}", .dataset_id = project->dataset };
  DistilleryStepRow step = step_row (99);
  DistilleryEpochRow epoch = { .epoch = 5 };
  guint32 sample = 0;
  float answer = 1;
  GError *errors[14] = { NULL };
  int n = 0;

  g_assert_cmpint (distillery_store_add_dataset (store, &meta, NULL, 0, &errors[n++]), ==, 0);
  g_assert_cmpint (distillery_store_add_teacher (store, &teacher, &errors[n++]), ==, 0);
  g_assert_false (distillery_store_set_teacher_run (store, 1, 0, &errors[n++]));
  g_assert_false (distillery_store_put_answers (store, 1, project->dataset, "train", "p", &sample, &answer, 1, 1, &errors[n++]));
  g_assert_false (distillery_store_clear_answers (store, 1, &errors[n++]));
  g_assert_false (distillery_store_change_teacher (store, 1, "{}", -1, NULL, 0, &errors[n++]));
  g_assert_cmpint (distillery_store_add_experiment (store, &experiment, &errors[n++]), ==, 0);
  g_assert_cmpint (distillery_store_add_run (store, 0, 0, 1, &errors[n++]), ==, 0);
  g_assert_false (distillery_store_set_run_status (store, project->run, DISTILLERY_RUN_RUNNING, NULL, &errors[n++]));
  g_assert_false (distillery_store_set_run_result (store, project->run, NULL, bytes, &errors[n++]));
  g_assert_false (distillery_store_append_steps (store, project->run, &step, 1, &errors[n++]));
  g_assert_false (distillery_store_commit_epoch (store, project->run, NULL, 0, &epoch, 1, bytes, TRUE, &errors[n++]));
  g_assert_false (distillery_store_truncate_run (store, project->run, -1, &errors[n++]));
  g_assert_cmpint (distillery_store_recover_runs (store, &errors[n++]), ==, -1);
  g_assert_cmpint (n, ==, G_N_ELEMENTS (errors));
  for (int i = 0; i < n; i++)
    {
      g_assert_error (errors[i], DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_READ_ONLY);
      assert_message_names (errors[i], distillery_store_get_path (store), "read-only");
      g_error_free (errors[i]);
    }
}

/* The log is copied back while the store is open, not only at close: 24
 * writes of 1 MiB leave a log of about the checkpoint threshold (4 MiB)
 * plus one write, not of 24 MiB. */
static void
test_checkpoints_while_open (void)
{
  g_autofree char *path = scratch_path ("log.distillery");
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  Project project = make_project (path);
  g_autoptr(DistilleryStore) store = distillery_store_open (path, 0, &error);
  g_autofree guint8 *data = g_malloc (1 << 20);
  GStatBuf st;

  g_assert_no_error (error);
  gint64 run = distillery_store_add_run (store, project.experiment, 0, 7, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_set_run_status (store, run, DISTILLERY_RUN_RUNNING, NULL, &error));
  for (int i = 0; i < 24; i++)
    {
      /* Different bytes each time, so that no page is written as it was. */
      for (gsize j = 0; j < (1 << 20); j++)
        data[j] = (guint8) (i * 31 + j * 7);
      g_autoptr(GBytes) checkpoint = g_bytes_new (data, 1 << 20);
      g_assert_true (distillery_store_commit_pause (store, run, NULL, 0, 0, i, i, checkpoint, &error));
      g_assert_no_error (error);
      _distillery_store_sync_checkpoints (store);
    }
  g_assert_cmpuint (_distillery_store_sync_checkpoints (store), >=, 3);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_test_message ("log after 24 MiB written: %.1f MiB", st.st_size / 1048576.0);
  g_assert_cmpint (st.st_size, <, 8 << 20);
}

static void
test_read_only_flag (void)
{
  g_autofree char *path = scratch_path ("read-only.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autofree char *name = NULL;
  Project project = make_project (path);
  Snapshot before = snapshot_take (path);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_is_read_only (store));
  name = distillery_store_get_name (store);
  g_assert_cmpstr (name, ==, FIXTURE_NAME);
  steps = distillery_store_get_steps (store, project.run, &error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
  assert_writes_refused (store, &project);
  g_clear_pointer (&store, distillery_store_close);

  /* The project itself is untouched. SQLite's reader may leave an empty
   * -wal and its -shm index beside it, which is harmless. */
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  snapshot_check (path, &before);
}

static void
test_read_only_file (void)
{
  g_autofree char *folder = scratch_path ("locked");
  g_autofree char *path = g_build_filename (folder, "project.distillery", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) steps = NULL;
  Project project;

  if (getuid () == 0)
    {
      g_test_skip ("Running as root, where file permissions do not stop writes; the read-only path is covered by /store/read-only/flag.");
      return;
    }
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  project = make_project (path);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_cmpint (g_chmod (folder, 0555), ==, 0);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_is_read_only (store));
  steps = distillery_store_get_steps (store, project.run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
  assert_writes_refused (store, &project);
  g_clear_pointer (&store, distillery_store_close);
  assert_no_side_files (path);
  g_chmod (folder, 0755);
}

static GPid
dead_pid (void)
{
  const char *argv[] = { "true", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int status;

  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (kill (pid, 0), !=, 0);
  return pid;
}

static void
test_recover (void)
{
  g_autofree char *path = scratch_path ("recover.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autofree char *sql = NULL;
  Project project = make_project (path);
  gint64 alive, dead, moved, rebooted;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  alive = distillery_store_add_run (store, project.experiment, 0, 1, &error);
  dead = distillery_store_add_run (store, project.experiment, 0, 2, &error);
  moved = distillery_store_add_run (store, project.experiment, 0, 3, &error);
  rebooted = distillery_store_add_run (store, project.experiment, 0, 4, &error);
  g_assert_true (distillery_store_set_run_status (store, alive, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_true (distillery_store_set_run_status (store, dead, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_true (distillery_store_set_run_status (store, moved, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_true (distillery_store_set_run_status (store, rebooted, DISTILLERY_RUN_RUNNING, NULL, &error));
  g_assert_no_error (error);
  /* Nothing to do while every owner lives. */
  g_assert_cmpint (distillery_store_recover_runs (store, &error), ==, 0);
  g_clear_pointer (&store, distillery_store_close);

  /* Owners as a crash or a move leaves them: a process that is gone,
   * another machine, an earlier boot. */
  sql = g_strdup_printf ("UPDATE runs SET owner_pid = %d WHERE id = %lld;"
                         "UPDATE runs SET owner_host = 'elsewhere.invalid' WHERE id = %lld;"
                         "UPDATE runs SET owner_boot_id = '00000000-0000-0000-0000-000000000000' WHERE id = %lld;",
                         dead_pid (), (long long) dead, (long long) moved, (long long) rebooted);
  raw_exec (path, sql);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      gint64 ids[] = { alive, dead, moved, rebooted };
      g_autoptr(DistilleryStoreRun) run = distillery_store_get_run (store, ids[i], &error);

      g_assert_no_error (error);
      if (i == 0)
        {
          g_assert_cmpint (run->status, ==, DISTILLERY_RUN_RUNNING);
          g_assert_cmpint (run->finished, ==, 0);
        }
      else
        {
          g_assert_cmpint (run->status, ==, DISTILLERY_RUN_INTERRUPTED);
          g_assert_cmpint (run->finished, >, 0);
        }
    }
  g_assert_cmpint (distillery_store_recover_runs (store, &error), ==, 0);
  g_assert_no_error (error);
}

/* The files as a killed process leaves them: the WAL still beside the
 * project, uncheckpointed. Opening them needs no clean close. */
static void
test_unclean_copy (void)
{
  g_autofree char *path = scratch_path ("killed.distillery");
  g_autofree char *copy = scratch_path ("killed-copy.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStore) reopened = NULL;
  g_autoptr(GArray) steps = NULL;
  DistilleryStepRow rows[50];
  Project project = make_project (path);

  for (int i = 0; i < 50; i++)
    rows[i] = step_row (1000 + i);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_append_steps (store, project.run, rows, 50, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (copy, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (to, contents, length, NULL));
    }

  reopened = distillery_store_open (copy, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  steps = distillery_store_get_steps (reopened, project.run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS + 50);
  g_clear_pointer (&reopened, distillery_store_close);
  assert_no_side_files (copy);
}

static void
test_save_as (void)
{
  g_autofree char *path = scratch_path ("original.distillery");
  g_autofree char *copy = scratch_path ("copy.distillery");
  g_autofree char *second = scratch_path ("second.distillery");
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStore) opened = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autofree char *name = NULL;
  Project project = make_project (path);

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_save_as (store, copy, &error));
  g_assert_no_error (error);
  /* Over an existing file too. */
  g_assert_true (g_file_set_contents (second, "old contents", -1, NULL));
  g_assert_true (distillery_store_save_as (store, second, &error));
  g_assert_no_error (error);
  g_assert_false (distillery_store_save_as (store, path, &error));
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&store, distillery_store_close);
  assert_no_side_files (copy);

  for (guint i = 0; i < 2; i++)
    {
      opened = distillery_store_open (i == 0 ? copy : second, DISTILLERY_STORE_OPEN_DEFAULT, &error);
      g_assert_no_error (error);
      name = distillery_store_get_name (opened);
      g_assert_cmpstr (name, ==, FIXTURE_NAME);
      csv = distillery_store_get_dataset_file (opened, project.dataset, "csv", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), FIXTURE_CSV, strlen (FIXTURE_CSV));
      steps = distillery_store_get_steps (opened, project.run, &error);
      g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
      g_clear_pointer (&name, g_free);
      g_clear_pointer (&csv, g_bytes_unref);
      g_clear_pointer (&steps, g_array_unref);
      g_clear_pointer (&opened, distillery_store_close);
    }
  g_assert_cmpint (raw_int (copy, "SELECT count (*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), ==, 1);

  /* A read-only project can be saved elsewhere: that is the way out. */
  g_unlink (copy);
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);
  g_assert_no_error (error);
  g_assert_true (distillery_store_save_as (store, copy, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, distillery_store_close);
  opened = distillery_store_open (copy, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (distillery_store_is_read_only (opened));
}

/* A copy of the committed fixture of a schema version, in the scratch
 * folder. */
static char *
copy_fixture (int version)
{
  g_autofree char *name = g_strdup_printf ("schema-%d.distillery", version);
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "store", "fixtures", name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *path = scratch_path (name);
  gsize length;

  g_assert_true (g_file_get_contents (fixture, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, version);
  return path;
}

/* The fixture file of each schema, committed beside this test, opens in
 * this build, is brought up to the current schema, and reads back what it
 * holds. */
static void
test_fixture (gconstpointer data)
{
  int version = GPOINTER_TO_INT (data);
  g_autofree char *path = copy_fixture (version);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(DistilleryStoreExperiment) experiment = NULL;
  g_autoptr(DistilleryStoreDataset) dataset = NULL;
  g_autoptr(DistilleryStoreRun) run = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autoptr(GArray) epochs = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GBytes) checkpoint = NULL;
  g_autofree char *name = NULL;
  DistilleryStepRow more[2] = { step_row (FIXTURE_N_STEPS), step_row (FIXTURE_N_STEPS + 1) };
  int epoch;

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  g_assert_false (distillery_store_is_read_only (store));
  name = distillery_store_get_name (store);
  g_assert_cmpstr (name, ==, FIXTURE_NAME);

  experiment = distillery_store_find_experiment (store, "fixture", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (experiment->settings, ==, FIXTURE_SETTINGS);
  dataset = distillery_store_get_dataset (store, experiment->dataset_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dataset->name, ==, "tiny");
  g_assert_cmpuint (dataset->n_classes, ==, 2);
  g_assert_cmpstr (dataset->class_names[1], ==, "one");
  csv = distillery_store_get_dataset_file (store, dataset->id, "csv", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), FIXTURE_CSV, strlen (FIXTURE_CSV));

  runs = distillery_store_list_runs (store, experiment->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  run = distillery_store_get_run (store, ((DistilleryStoreRun *) g_ptr_array_index (runs, 0))->id, &error);
  g_assert_cmpint (run->status, ==, DISTILLERY_RUN_FINISHED);
  g_assert_cmpuint (run->seed, ==, 42);
  g_assert_cmpint (run->epochs_done, ==, 1);
  /* Schema 1 kept these a row each, schema 2 in chunks; NaN included. */
  steps = distillery_store_get_steps (store, run->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS);
  for (int i = 0; i < FIXTURE_N_STEPS; i++)
    {
      DistilleryStepRow expected = step_row (i);

      assert_steps_equal (&g_array_index (steps, DistilleryStepRow, i), &expected);
    }
  epochs = distillery_store_get_epochs (store, run->id, &error);
  g_assert_cmpuint (epochs->len, ==, 1);
  g_assert_true (isnan (g_array_index (epochs, DistilleryEpochRow, 0).val_agreement));
  checkpoint = distillery_store_get_checkpoint (store, run->id, "best", &epoch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (epoch, ==, 0);

  /* Brought to the current schema, and writable, steps included. */
  g_assert_cmpint (distillery_store_add_run (store, experiment->id, 0, 43, &error), >, 0);
  g_assert_true (distillery_store_append_steps (store, run->id, more, G_N_ELEMENTS (more), &error));
  g_assert_no_error (error);
  g_clear_pointer (&steps, g_array_unref);
  steps = distillery_store_get_steps (store, run->id, &error);
  g_assert_cmpuint (steps->len, ==, FIXTURE_N_STEPS + G_N_ELEMENTS (more));
  assert_steps_equal (&g_array_index (steps, DistilleryStepRow, FIXTURE_N_STEPS + 1), &more[1]);
  g_clear_pointer (&store, distillery_store_close);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, DISTILLERY_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (path, "SELECT count (*) FROM sqlite_schema WHERE name = 'steps'"), ==, 0);
}

/* Migration 1 -> 2 turns every run's step rows into chunks of at most
 * 4096, in one transaction: when it fails, the file stays at schema 1
 * with its rows. */
static void
test_migrate_steps (void)
{
  g_autofree char *path = copy_fixture (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) steps = NULL;

  /* 10000 more steps for the fixture's run (the first without metrics,
   * as schema 1 kept NaN), and a second run of 5. */
  raw_exec (path,
            "WITH RECURSIVE s (i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM s WHERE i < 10002)"
            " INSERT INTO steps SELECT 1, i, i / 1000, CASE WHEN i = 3 THEN NULL ELSE 1.0 / i END,"
            " 0.25, 0.5, 0.001, i * 0.125 FROM s;"
            "INSERT INTO runs (id, experiment_id, seed, created) VALUES (2, 1, 7, 0);"
            "INSERT INTO steps VALUES (2, 0, 0, 1, 2, 3, 4, 5), (2, 1, 0, 1, 2, 3, 4, 5.5), (2, 2, 0, 1, 2, 3, 4, 6),"
            " (2, 3, 1, 1, 2, 3, 4, 6.5), (2, 4, 1, 1, 2, 3, 4, 7);");

  /* A table in the way makes the migration fail half-way. */
  raw_exec (path, "CREATE TABLE step_chunks (x)");
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_null (store);
  g_assert_error (error, DISTILLERY_STORE_ERROR, DISTILLERY_STORE_ERROR_IO);
  assert_message_names (error, path, "step_chunks");
  g_clear_error (&error);
  g_assert_cmpint (raw_int (path, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (raw_int (path, "SELECT count (*) FROM steps"), ==, 10008);
  raw_exec (path, "DROP TABLE step_chunks");

  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  steps = distillery_store_get_steps (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 10003);
  for (guint i = 0; i < steps->len; i++)
    {
      DistilleryStepRow *row = &g_array_index (steps, DistilleryStepRow, i);

      g_assert_cmpint (row->step, ==, i);
      if (i < FIXTURE_N_STEPS)
        continue;
      g_assert_cmpint (row->epoch, ==, i / 1000);
      if (i == 3)
        g_assert_true (isnan (row->loss));
      else
        g_assert_cmpfloat (row->loss, ==, (float) (1.0 / i));
      g_assert_cmpfloat (row->learning_rate, ==, 0.001f);
      g_assert_cmpfloat (row->wall, ==, i * 0.125);
    }
  g_clear_pointer (&steps, g_array_unref);
  steps = distillery_store_get_steps (store, 2, &error);
  g_assert_cmpuint (steps->len, ==, 5);
  g_assert_cmpint (g_array_index (steps, DistilleryStepRow, 4).epoch, ==, 1);
  g_assert_cmpfloat (g_array_index (steps, DistilleryStepRow, 4).wall, ==, 7);
  g_clear_pointer (&store, distillery_store_close);

  g_assert_cmpint (raw_int (path, "SELECT group_concat (n_rows) = '4096,4096,1811,5' FROM"
                                  " (SELECT n_rows FROM step_chunks ORDER BY run_id, first_step)"), ==, 1);
  /* The file keeps its pages of 4 KiB. */
  g_assert_cmpint (raw_int (path, "PRAGMA page_size"), ==, 4096);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (argc == 3 && strcmp (argv[1], "--make-fixture") == 0)
    {
      make_project (argv[2]);
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  scratch = g_dir_make_tmp ("distillery-store-XXXXXX", NULL);
  g_assert_nonnull (scratch);

  g_test_add_func ("/store/open/refuses-missing", test_refuses_missing);
  g_test_add_func ("/store/open/refuses-directory", test_refuses_directory);
  g_test_add_func ("/store/open/refuses-empty", test_refuses_empty);
  g_test_add_func ("/store/open/refuses-not-sqlite", test_refuses_not_sqlite);
  g_test_add_func ("/store/open/refuses-foreign", test_refuses_foreign);
  g_test_add_func ("/store/open/refuses-too-new", test_refuses_too_new);
  g_test_add_func ("/store/open/refuses-damaged", test_refuses_damaged);
  g_test_add_func ("/store/open/refuses-damaged-large", test_refuses_damaged_large);
  g_test_add_func ("/store/open/ignores-stored-code", test_ignores_stored_code);
  g_test_add_func ("/store/open/unclean-copy", test_unclean_copy);
  g_test_add_func ("/store/create/new", test_create);
  g_test_add_func ("/store/create/odd-name", test_create_odd_name);
  g_test_add_func ("/store/datasets/round-trip", test_datasets);
  g_test_add_func ("/store/teachers/round-trip", test_teachers);
  g_test_add_func ("/store/answers/cache", test_answers);
  g_test_add_func ("/store/answers/change-teacher", test_change_teacher);
  g_test_add_func ("/store/experiments/round-trip", test_experiments);
  g_test_add_func ("/store/experiments/edit-and-delete", test_experiments_edit);
  g_test_add_func ("/store/runs/status-and-result", test_runs);
  g_test_add_func ("/store/metrics/steps", test_steps);
  g_test_add_func ("/store/metrics/steps-again", test_steps_again);
  g_test_add_func ("/store/metrics/steps-truncate", test_steps_truncate);
  g_test_add_func ("/store/metrics/steps-damaged", test_steps_damaged);
  g_test_add_func ("/store/metrics/steps-many", test_steps_many);
  g_test_add_func ("/store/metrics/epochs", test_epochs);
  g_test_add_func ("/store/checkpoints/while-open", test_checkpoints_while_open);
  g_test_add_func ("/store/read-only/flag", test_read_only_flag);
  g_test_add_func ("/store/read-only/file", test_read_only_file);
  g_test_add_func ("/store/recover/dead-owners", test_recover);
  g_test_add_func ("/store/save-as/copy", test_save_as);
  g_test_add_data_func ("/store/fixture/schema-1", GINT_TO_POINTER (1), test_fixture);
  g_test_add_data_func ("/store/fixture/schema-2", GINT_TO_POINTER (2), test_fixture);
  g_test_add_func ("/store/fixture/migrate-steps", test_migrate_steps);

  status = g_test_run ();
  remove_tree (scratch);
  g_free (scratch);
  return status;
}

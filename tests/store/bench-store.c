/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How fast the project file is where it matters. A project as a long
 * study leaves it (Fashion-MNIST embedded twice, as the gzipped files came
 * and as raw IDX the store deflates itself; 50 runs of 100000 step rows
 * with epochs, checkpoints and models) is built in a temporary folder;
 * then this prints the rate of append_steps, the time to open the project
 * and to read one run's steps, the time to migrate a schema-1 project of
 * as many step rows, and what logging costs a training loop.
 *
 * That last one is the number the store is held to: a training thread
 * logs at least 200000 step rows a second, in batches of 8192 as the jobs
 * layer does, and trains no more than 2 % slower for it. The loop does a
 * fixed amount of float work per step (dot products over a 1 MiB matrix
 * per thread), calibrated on this machine to a little more than 200000
 * steps a second, and is timed without logging and with one row logged
 * per step; once on one thread, and once with a second thread doing the
 * same work, so that both cores of a 2-core machine are busy and nothing
 * the logging causes (the store's checkpoint thread, the kernel's
 * writing) can run on an idle one. The slowdown is the median of 5 pairs
 * of timings; the process's CPU time, which other programs on a shared
 * machine do not disturb as much, is printed beside it.
 *
 * Numbers only; no thresholds, as they depend on the machine. `meson test
 * --benchmark --suite store`; docs/file-format.md has the results.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "distillery-store.h"

#define FASHION "/usr/share/datasets/fashion-mnist/"
#define BATCH 8192            /* rows per append_steps, as the jobs layer */
#define LOG_RATE 200000       /* rows per second the store must keep up with */
#define TARGET_RATE 220000    /* steps per second of the loop alone */
#define MATRIX_ROWS 512
#define MATRIX_COLS 512       /* a 1 MiB matrix per thread */

static int n_runs = 50;
static int n_rows = 100000;
static int checkpoint_kib = 1024;
static int train_steps = 600000;
static int repeats = 5;
static int migrate_rows = 5000000;
static gboolean keep;

static void
check (gboolean      ok,
       const GError *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static GBytes *
read_file (const char *path,
           gboolean    inflate)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  gzFile file;
  guint8 buffer[1 << 16];
  int n;

  if (!inflate)
    {
      char *contents;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return NULL;
      return g_bytes_new_take (contents, length);
    }
  file = gzopen (path, "rb");
  if (file == NULL)
    return NULL;
  while ((n = gzread (file, buffer, sizeof buffer)) > 0)
    g_byte_array_append (bytes, buffer, n);
  gzclose (file);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* Adds Fashion-MNIST's four files, gzipped as they come or inflated;
 * returns the seconds add_dataset took, or -1 without the data set. */
static double
add_fashion (DistilleryStore *store,
             gboolean         inflate)
{
  static const char *const roles[] = { "train-images", "train-labels", "test-images", "test-labels" };
  static const char *const names[] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
  };
  char *class_names[] = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                          "Shirt", "Sneaker", "Bag", "Ankle boot", NULL };
  DistilleryStoreDataset meta = {
    .name = inflate ? "Fashion-MNIST (raw)" : "Fashion-MNIST", .kind = "idx", .options = "{}",
    .n_samples = 70000, .n_features = 784, .n_classes = 10, .class_names = class_names,
    .image_width = 28, .image_height = 28,
  };
  DistilleryStoreFile files[4];
  g_autoptr(GError) error = NULL;
  gsize total = 0;
  double start;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strconcat (FASHION, names[i], NULL);

      files[i] = (DistilleryStoreFile) { roles[i], names[i], read_file (path, inflate) };
      if (files[i].bytes == NULL)
        {
          for (guint j = 0; j < i; j++)
            g_bytes_unref (files[j].bytes);
          return -1;
        }
      total += g_bytes_get_size (files[i].bytes);
    }
  start = now ();
  check (distillery_store_add_dataset (store, &meta, files, 4, &error) > 0, error);
  start = now () - start;
  g_print ("  add Fashion-MNIST %s (%.1f MB): %.2f s\n",
           inflate ? "as raw IDX, deflated by the store" : "as the gzipped files",
           total / 1e6, start);
  for (guint i = 0; i < 4; i++)
    g_bytes_unref (files[i].bytes);
  return start;
}

static void
fill_rows (DistilleryStepRow *rows,
           gint64             first,
           guint              n,
           int                steps_per_epoch)
{
  for (guint i = 0; i < n; i++)
    {
      gint64 step = first + i;

      rows[i] = (DistilleryStepRow) {
        .step = step, .epoch = (int) (step / steps_per_epoch),
        .loss = 2.3f * expf (-step / 20000.0f), .loss_kd = 1.1f * expf (-step / 30000.0f),
        .loss_ce = 1.2f * expf (-step / 25000.0f), .learning_rate = 0.001f, .wall = step * 0.002,
      };
    }
}

/* One run as the jobs layer writes it: step rows in batches of BATCH,
 * the rows left at the end of an epoch committed with it (with a
 * checkpoint; one epoch is a tenth of the run), a model at the end.
 * Adds the rows that went through append_steps to *appended and returns
 * the seconds they took. */
static double
fill_run (DistilleryStore *store,
          gint64           experiment,
          GBytes          *checkpoint,
          GBytes          *matrix,
          GBytes          *model,
          gint64          *appended)
{
  g_autoptr(GError) error = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, BATCH);
  int steps_per_epoch = MAX (n_rows / 10, 1);
  gint64 run = distillery_store_add_run (store, experiment, 0, g_random_int (), &error);
  double appending = 0;

  check (run > 0, error);
  check (distillery_store_set_run_status (store, run, DISTILLERY_RUN_RUNNING, NULL, &error), error);
  for (gint64 step = 0; step < n_rows;)
    {
      gint64 epoch_end = MIN ((step / steps_per_epoch + 1) * steps_per_epoch, n_rows);
      guint n = MIN (BATCH, epoch_end - step);

      fill_rows (rows, step, n, steps_per_epoch);
      step += n;
      if (step == epoch_end)
        {
          DistilleryEpochRow epoch = {
            .epoch = (int) ((step - 1) / steps_per_epoch), .step = step - 1, .wall = step * 0.002,
            .train_loss = 0.5, .val_loss = 0.6, .val_accuracy = 0.85, .val_agreement = 0.9,
            .val_kl = 0.1, .val_ece = 0.02, .agreement_matrix = matrix,
          };

          check (distillery_store_commit_epoch (store, run, rows, n, &epoch, epoch.wall,
                                                checkpoint, epoch.epoch % 3 == 0, &error), error);
        }
      else
        {
          double start = now ();

          check (distillery_store_append_steps (store, run, rows, n, &error), error);
          appending += now () - start;
          *appended += n;
        }
    }
  check (distillery_store_set_run_result (store, run, "{\"accuracy\":0.85}", model, &error), error);
  check (distillery_store_set_run_status (store, run, DISTILLERY_RUN_FINISHED, NULL, &error), error);
  return appending;
}

static double
median_open (const char *path)
{
  g_autofree double *times = g_new (double, repeats);

  for (int i = 0; i < repeats; i++)
    {
      g_autoptr(GError) error = NULL;
      double start = now ();
      DistilleryStore *store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);

      times[i] = now () - start;
      check (store != NULL, error);
      distillery_store_close (store);
    }
  return median (times, repeats);
}

static void
read_steps (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_autofree double *times = g_new (double, repeats);
  guint n = 0;

  check (store != NULL, error);
  for (int i = 0; i < repeats; i++)
    {
      double start = now ();
      /* The first run: the oldest, farthest from the end of the file. */
      g_autoptr(GArray) steps = distillery_store_get_steps (store, 1, &error);

      times[i] = now () - start;
      check (steps != NULL, error);
      n = steps->len;
    }
  g_print ("get_steps of a run of %u rows, median of %d: %.4f s\n", n, repeats, median (times, repeats));
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* A copy of the committed schema-1 fixture with migrate_rows more step
 * rows in its one run, as schema 1 kept them, opened (and so migrated)
 * by this build. */
static void
migration (const char *folder)
{
  g_autofree char *fixture = g_build_filename (STORE_FIXTURES, "schema-1.distillery", NULL);
  g_autofree char *path = g_build_filename (folder, "schema-1.distillery", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GArray) steps = NULL;
  sqlite3 *db = NULL;
  gsize length;
  double start, seconds;

  if (!g_file_get_contents (fixture, &contents, &length, &error))
    {
      g_print ("migration: skipped (%s)\n", error->message);
      return;
    }
  check (g_file_set_contents (path, contents, length, &error), error);
  if (sqlite3_open (path, &db) != SQLITE_OK)
    g_error ("%s: %s", path, sqlite3_errmsg (db));
  sql = g_strdup_printf ("WITH RECURSIVE s (i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM s WHERE i < %d + 999)"
                         " INSERT INTO steps (run_id, step, epoch, loss, loss_kd, loss_ce, learning_rate, wall)"
                         " SELECT 1, i, i / 10000, 2.5 / (i + 1), 1.5 / (i + 1),"
                         " 1.0 / (i + 1), 0.001, i * 0.002 FROM s",
                         migrate_rows);
  raw_exec (db, sql);
  sqlite3_close (db);

  start = now ();
  store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  seconds = now () - start;
  check (store != NULL, error);
  /* The fixture's run is number 1. */
  steps = distillery_store_get_steps (store, 1, &error);
  check (steps != NULL, error);
  g_print ("migration 1 -> 2 of a project with %u step rows (open included): %.2f s\n", steps->len, seconds);
}

/* The training loop's state: one per thread. */
typedef struct
{
  float  *w;          /* MATRIX_ROWS × MATRIX_COLS */
  float   x[MATRIX_COLS];
  float   y[MATRIX_ROWS];
} Model;

static Model *
model_new (guint32 seed)
{
  Model *m = g_new0 (Model, 1);
  GRand *rand = g_rand_new_with_seed (seed);

  m->w = g_new (float, MATRIX_ROWS * MATRIX_COLS);
  for (guint i = 0; i < MATRIX_ROWS * MATRIX_COLS; i++)
    m->w[i] = (float) g_rand_double_range (rand, -1, 1) / sqrtf (MATRIX_COLS);
  for (guint i = 0; i < MATRIX_COLS; i++)
    m->x[i] = (float) g_rand_double_range (rand, -1, 1);
  g_rand_free (rand);
  return m;
}

static void
model_free (Model *m)
{
  g_free (m->w);
  g_free (m);
}

static float
dot (const float *a,
     const float *b)
{
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;

  for (int i = 0; i < MATRIX_COLS; i += 4)
    {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
  return (s0 + s1) + (s2 + s3);
}

/* One step: `rows` rows of W·x, the next ones each step; each step feeds
 * one element of x, so no step can be skipped. Returns a "loss". */
static float
model_step (Model  *m,
            gint64  step,
            guint   rows)
{
  guint first = (guint) ((step * rows) % MATRIX_ROWS);
  float loss = 0;

  for (guint i = 0; i < rows; i++)
    {
      guint r = (first + i) % MATRIX_ROWS;

      m->y[r] = dot (m->w + (gsize) r * MATRIX_COLS, m->x);
      loss += m->y[r] * m->y[r];
    }
  m->x[step % MATRIX_COLS] = tanhf (m->y[first]);
  return loss / rows;
}

typedef struct
{
  Model           *model;
  guint            rows;      /* rows of W per step */
  gint64           n_steps;
  DistilleryStore *store;     /* NULL: train without logging */
  gint64           run_id;
  double           appending; /* out: seconds inside append_steps */
  float            sink;
} Trainer;

static void
append (Trainer                 *t,
        const DistilleryStepRow *rows,
        guint                    n)
{
  g_autoptr(GError) error = NULL;
  double start = now ();

  check (distillery_store_append_steps (t->store, t->run_id, rows, n, &error), error);
  t->appending += now () - start;
}

/* The training loop, which reads the clock every step as the jobs
 * layer's does (for its progress reports); with a store, it also logs a
 * row per step as the jobs layer does: the row is filled in the loop and
 * the rows go to the store every BATCH steps, from this thread. */
static gpointer
train (gpointer data)
{
  Trainer *t = data;
  g_autofree DistilleryStepRow *pending = g_new (DistilleryStepRow, BATCH);
  double start = now ();
  guint n = 0;

  for (gint64 step = 0; step < t->n_steps; step++)
    {
      float loss = model_step (t->model, step, t->rows);
      double elapsed = now () - start;

      t->sink += loss;
      if (t->store == NULL)
        continue;
      pending[n++] = (DistilleryStepRow) {
        .step = step, .epoch = (int) (step / 60000), .loss = loss, .loss_kd = loss * 0.25f,
        .loss_ce = loss * 0.75f, .learning_rate = 0.001f, .wall = elapsed,
      };
      if (n == BATCH)
        {
          append (t, pending, n);
          n = 0;
        }
    }
  if (n > 0)
    append (t, pending, n);
  return NULL;
}

typedef struct
{
  double wall;        /* seconds until every thread is done */
  double cpu;         /* CPU seconds of the whole process meanwhile */
  double appending;   /* the first thread's seconds inside append_steps */
} Timing;

static double
process_cpu (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the loop on n_threads threads at once, each n_steps steps; the
 * first logs to store unless it is NULL. */
static Timing
run_training (Model          **models,
              guint            n_threads,
              guint            rows,
              gint64           n_steps,
              DistilleryStore *store)
{
  Trainer trainers[2];
  GThread *threads[2];
  double start, cpu;

  g_assert (n_threads <= G_N_ELEMENTS (trainers));
  for (guint i = 0; i < n_threads; i++)
    {
      g_autoptr(GError) error = NULL;

      trainers[i] = (Trainer) { .model = models[i], .rows = rows, .n_steps = n_steps };
      if (i == 0 && store != NULL)
        {
          trainers[i].store = store;
          trainers[i].run_id = distillery_store_add_run (store, 0, 0, 1, &error);
          check (trainers[i].run_id > 0, error);
        }
    }
  start = now ();
  cpu = process_cpu ();
  for (guint i = 0; i < n_threads; i++)
    threads[i] = g_thread_new ("train", train, &trainers[i]);
  for (guint i = 0; i < n_threads; i++)
    g_thread_join (threads[i]);
  return (Timing) { now () - start, process_cpu () - cpu, trainers[0].appending };
}

/* Rows of W per step for TARGET_RATE steps a second on n_threads busy
 * threads: guessed from a short run at 16 rows a step, then corrected
 * from runs at the guess (a step's time is not quite proportional to its
 * rows, as fewer of them stay in the cache). */
static guint
calibrate (Model **models,
           guint   n_threads)
{
  gint64 n_steps = TARGET_RATE / 2;
  guint rows = 16;

  for (guint pass = 0; pass < 3; pass++)
    {
      double times[3];

      for (guint i = 0; i < G_N_ELEMENTS (times); i++)
        times[i] = run_training (models, n_threads, rows, n_steps, NULL).wall;
      rows = MAX (1, (guint) lround (rows * (1.0 / TARGET_RATE) / (median (times, 3) / n_steps)));
    }
  return rows;
}

static void
training_overhead (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  Model *models[2] = { model_new (1), model_new (2) };

  check (store != NULL, error);
  g_print ("training loop, %d steps, alone and logging a row per step in batches of %d; median of %d:\n",
           train_steps, BATCH, repeats);
  for (guint n_threads = 1; n_threads <= 2; n_threads++)
    {
      guint rows = calibrate (models, n_threads);
      g_autofree double *alone = g_new (double, repeats);
      g_autofree double *logged = g_new (double, repeats);
      g_autofree double *slowdown = g_new (double, repeats);
      g_autofree double *cpu = g_new (double, repeats);
      g_autofree double *appending = g_new (double, repeats);
      double a, l, s;

      /* In pairs, alone first and logging first by turns, so that a slow
       * spell of the machine weighs on both sides alike; the slowdown is
       * the median of the pairs'. The process's CPU time, which time
       * other programs take does not count in, is a second opinion. */
      for (int i = 0; i < repeats; i++)
        {
          Timing off, on;

          if (i % 2 == 0)
            off = run_training (models, n_threads, rows, train_steps, NULL);
          on = run_training (models, n_threads, rows, train_steps, store);
          if (i % 2 == 1)
            off = run_training (models, n_threads, rows, train_steps, NULL);
          alone[i] = off.wall;
          logged[i] = on.wall;
          slowdown[i] = on.wall / off.wall - 1;
          cpu[i] = on.cpu / off.cpu - 1;
          appending[i] = on.appending / on.wall;
        }
      a = median (alone, repeats);
      l = median (logged, repeats);
      s = median (slowdown, repeats);
      g_print ("  %u training thread%s (%u × %d dot products a step): alone %.3f s (%.0f steps/s);"
               " logging %.3f s (%.0f rows/s); slowdown %+.2f %% (pairs %+.2f to %+.2f %%);"
               " CPU time %+.2f %%; in append_steps %.2f %% of the time\n",
               n_threads, n_threads > 1 ? "s" : "", rows, MATRIX_COLS, a, train_steps / a,
               l, train_steps / l, 100 * s, 100 * slowdown[0], 100 * slowdown[repeats - 1],
               100 * median (cpu, repeats), 100 * median (appending, repeats));
    }
  model_free (models[0]);
  model_free (models[1]);
}

int
main (int    argc,
      char **argv)
{
  const GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Runs in the project (50)", "N" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Step rows per run (100000)", "N" },
    { "checkpoint-kib", 0, 0, G_OPTION_ARG_INT, &checkpoint_kib, "Size of each checkpoint (1024)", "KIB" },
    { "train-steps", 0, 0, G_OPTION_ARG_INT, &train_steps, "Steps of each training loop timed (600000)", "N" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Timings a median is taken of (5)", "N" },
    { "migrate-rows", 0, 0, G_OPTION_ARG_INT, &migrate_rows, "Step rows in the schema-1 project migrated (5000000)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the project file and say where it is", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- benchmark the project file");
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  g_autoptr(DistilleryStore) store = NULL;
  g_autoptr(GBytes) checkpoint = NULL;
  g_autoptr(GBytes) model = NULL;
  g_autoptr(GBytes) matrix = NULL;
  guint64 counts[100];
  DistilleryStoreExperiment experiment = { .name = "bench", .settings = "{\"version\":1}" };
  gint64 experiment_id;
  double appending = 0, start;
  gint64 appended = 0;
  GStatBuf st;

  g_option_context_add_main_entries (context, entries, NULL);
  check (g_option_context_parse (context, &argc, &argv, &error), error);
  if (n_runs < 1 || n_rows < 1 || train_steps < 1 || repeats < 1 || migrate_rows < 0)
    g_error ("--runs, --rows, --train-steps and --repeats must be at least 1, --migrate-rows at least 0");
  folder = g_dir_make_tmp ("distillery-bench-XXXXXX", &error);
  check (folder != NULL, error);
  path = g_build_filename (folder, "bench.distillery", NULL);
  g_print ("SQLite %s, %u processors\n", sqlite3_libversion (), g_get_num_processors ());

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    counts[i] = g_random_int_range (0, 1000);
  matrix = g_bytes_new (counts, sizeof counts);
  {
    gsize size = (gsize) checkpoint_kib * 1024;
    guint32 *noise = g_malloc (size);

    /* Weights do not compress, and the store does not try. */
    for (gsize i = 0; i < size / 4; i++)
      noise[i] = g_random_int ();
    checkpoint = g_bytes_new_take (noise, size);
    model = g_bytes_new_from_bytes (checkpoint, 0, size * 3 / 10);
  }

  g_print ("Building a project of %d runs × %d step rows in %s\n", n_runs, n_rows, folder);
  store = distillery_store_create (path, "Benchmark", &error);
  check (store != NULL, error);
  if (add_fashion (store, FALSE) < 0 || add_fashion (store, TRUE) < 0)
    g_print ("  (Fashion-MNIST is not installed in " FASHION "; the project holds no images)\n");
  {
    g_autoptr(GPtrArray) datasets = distillery_store_list_datasets (store, &error);
    DistilleryStoreDataset placeholder = { .name = "placeholder", .kind = "csv" };

    check (datasets != NULL, error);
    experiment.dataset_id = datasets->len > 0
                            ? ((DistilleryStoreDataset *) g_ptr_array_index (datasets, 0))->id
                            : distillery_store_add_dataset (store, &placeholder, NULL, 0, &error);
    check (experiment.dataset_id > 0, error);
  }
  experiment_id = distillery_store_add_experiment (store, &experiment, &error);
  check (experiment_id > 0, error);

  start = now ();
  for (int r = 0; r < n_runs; r++)
    appending += fill_run (store, experiment_id, checkpoint, matrix, model, &appended);
  g_print ("  built in %.1f s\n", now () - start);
  g_print ("append_steps, batches of %d: %.0f rows/s (%.2f ms a batch)\n",
           BATCH, appended / appending, 1000 * appending * BATCH / appended);
  g_clear_pointer (&store, distillery_store_close);

  g_stat (path, &st);
  g_print ("open, median of %d, file of %.0f MB: %.4f s\n", repeats, st.st_size / 1e6, median_open (path));
  read_steps (path);
  if (migrate_rows > 0)
    migration (folder);
  training_overhead (path);

  if (keep)
    g_print ("The project is kept at %s\n", path);
  else
    {
      static const char *const names[] = {
        "bench.distillery", "schema-1.distillery",
      };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *file = g_build_filename (folder, names[i], NULL);
          g_autofree char *wal = g_strconcat (file, "-wal", NULL);
          g_autofree char *shm = g_strconcat (file, "-shm", NULL);

          g_unlink (file);
          g_unlink (wal);
          g_unlink (shm);
        }
      g_rmdir (folder);
    }
  return 0;
}

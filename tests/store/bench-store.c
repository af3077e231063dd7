/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How fast the project file is where it matters: a project as a long study
 * leaves it (Fashion-MNIST embedded twice, as the gzipped files came and
 * as raw IDX the store deflates itself; 50 runs of 100000 step rows with
 * epochs, checkpoints and models) is built in a temporary folder, then
 * this prints the time to open it (median of 5), the rate of
 * append_steps in batches of 5000 rows, and what logging 200000 rows a
 * second from a writer thread costs: that thread's share of a core, and
 * how much it slows a compute loop running beside it. Numbers only; no
 * thresholds, as they depend on the machine. `meson test --benchmark`.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "distillery-store.h"

#define FASHION "/usr/share/datasets/fashion-mnist/"
#define BATCH 5000
#define LOG_RATE 200000      /* rows per second */
#define LOG_SECONDS 3.0

static int n_runs = 50;
static int n_rows = 100000;
static int checkpoint_kib = 1024;
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

static double
thread_cpu (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
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

/* One run as training leaves it: steps in batches, an epoch commit with
 * a checkpoint every tenth of the way, a model at the end. Returns the
 * seconds spent in append_steps. */
static double
fill_run (DistilleryStore *store,
          gint64           experiment,
          GBytes          *checkpoint,
          GBytes          *matrix,
          GBytes          *model)
{
  g_autoptr(GError) error = NULL;
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, BATCH);
  int steps_per_epoch = MAX (n_rows / 10, 1);
  gint64 run = distillery_store_add_run (store, experiment, 0, g_random_int (), &error);
  double appending = 0;

  check (run > 0, error);
  check (distillery_store_set_run_status (store, run, DISTILLERY_RUN_RUNNING, NULL, &error), error);
  for (gint64 step = 0; step < n_rows; step += BATCH)
    {
      guint n = MIN (BATCH, n_rows - step);
      double start = now ();

      fill_rows (rows, step, n, steps_per_epoch);
      check (distillery_store_append_steps (store, run, rows, n, &error), error);
      appending += now () - start;
      if ((step + n) % steps_per_epoch == 0 || step + n == n_rows)
        {
          DistilleryEpochRow epoch = {
            .epoch = (int) ((step + n - 1) / steps_per_epoch), .step = step + n - 1, .wall = (step + n) * 0.002,
            .train_loss = 0.5, .val_loss = 0.6, .val_accuracy = 0.85, .val_agreement = 0.9,
            .val_kl = 0.1, .val_ece = 0.02, .agreement_matrix = matrix,
          };

          check (distillery_store_commit_epoch (store, run, NULL, 0, &epoch, epoch.wall,
                                                checkpoint, epoch.epoch % 3 == 0, &error), error);
        }
    }
  check (distillery_store_set_run_result (store, run, "{\"accuracy\":0.85}", model, &error), error);
  check (distillery_store_set_run_status (store, run, DISTILLERY_RUN_FINISHED, NULL, &error), error);
  return appending;
}

static double
median_open (const char *path)
{
  double times[5];

  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autoptr(GError) error = NULL;
      double start = now ();
      DistilleryStore *store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);

      times[i] = now () - start;
      check (store != NULL, error);
      distillery_store_close (store);
    }
  qsort (times, G_N_ELEMENTS (times), sizeof (double), compare_doubles);
  return times[G_N_ELEMENTS (times) / 2];
}

typedef struct
{
  const char *path;
  gint64      run;
  double      busy;       /* seconds inside append_steps */
  double      cpu;        /* the thread's CPU seconds */
  double      wall;
} Logger;

/* A writer thread with its own connection, fed LOG_RATE rows a second in
 * batches, as the jobs layer's writer would be. */
static gpointer
log_rows (gpointer data)
{
  Logger *logger = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (logger->path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  g_autofree DistilleryStepRow *rows = g_new (DistilleryStepRow, BATCH);
  double period = (double) BATCH / LOG_RATE, start, cpu;
  guint n_batches = (guint) (LOG_SECONDS / period);

  check (store != NULL, error);
  start = now ();
  cpu = thread_cpu ();
  for (guint b = 0; b < n_batches; b++)
    {
      double due = start + b * period, t;

      while ((t = now ()) < due)
        g_usleep ((gulong) ((due - t) * 1e6));
      fill_rows (rows, (gint64) b * BATCH, BATCH, 10000);
      t = now ();
      check (distillery_store_append_steps (store, logger->run, rows, BATCH, &error), error);
      logger->busy += now () - t;
    }
  logger->cpu = thread_cpu () - cpu;
  logger->wall = now () - start;
  return NULL;
}

/* Something like a training loop's arithmetic, for LOG_SECONDS. Returns
 * the iterations per second. */
static double
compute (void)
{
  static float a[256 * 256], b[256 * 256], c[256 * 256];
  double start = now ();
  guint64 iterations = 0;

  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    a[i] = b[i] = 1.0f / (1 + i);
  while (now () - start < LOG_SECONDS)
    {
      for (int i = 0; i < 256; i += 4)
        for (int k = 0; k < 256; k++)
          for (int j = 0; j < 256; j++)
            c[i * 256 + j] += a[i * 256 + k] * b[k * 256 + j];
      iterations++;
    }
  return iterations / (now () - start) + c[0] * 0;
}

static void
logging_overhead (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (path, DISTILLERY_STORE_OPEN_DEFAULT, &error);
  Logger logger = { .path = path };
  GThread *thread;
  double alone, beside;

  check (store != NULL, error);
  logger.run = distillery_store_add_run (store, 0, 0, 1, &error);
  check (logger.run > 0, error);

  alone = compute ();
  thread = g_thread_new ("logger", log_rows, &logger);
  beside = compute ();
  g_thread_join (thread);
  g_print ("  logging %d rows/s from a thread (batches of %d, %.0f s): the writer is busy %.1f %% of the time,"
           " uses %.1f %% of a core; a compute loop beside it runs at %.1f %% of its speed alone\n",
           LOG_RATE, BATCH, LOG_SECONDS, 100 * logger.busy / logger.wall, 100 * logger.cpu / logger.wall,
           100 * beside / alone);
}

int
main (int    argc,
      char **argv)
{
  const GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &n_runs, "Runs in the project (50)", "N" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &n_rows, "Step rows per run (100000)", "N" },
    { "checkpoint-kib", 0, 0, G_OPTION_ARG_INT, &checkpoint_kib, "Size of each checkpoint (1024)", "KIB" },
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
  GStatBuf st;

  g_option_context_add_main_entries (context, entries, NULL);
  check (g_option_context_parse (context, &argc, &argv, &error), error);
  folder = g_dir_make_tmp ("distillery-bench-XXXXXX", &error);
  check (folder != NULL, error);
  path = g_build_filename (folder, "bench.distillery", NULL);

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
    appending += fill_run (store, experiment_id, checkpoint, matrix, model);
  g_print ("  built in %.1f s\n", now () - start);
  g_print ("append_steps, batches of %d: %.0f rows/s (%.2f ms a batch)\n",
           BATCH, (double) n_runs * n_rows / appending, 1000 * appending / ((double) n_runs * n_rows / BATCH));
  g_clear_pointer (&store, distillery_store_close);

  g_stat (path, &st);
  g_print ("open, median of 5, file of %.0f MB: %.3f s\n", st.st_size / 1e6, median_open (path));
  logging_overhead (path);

  if (keep)
    g_print ("The project is kept at %s\n", path);
  else
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (folder);
    }
  return 0;
}

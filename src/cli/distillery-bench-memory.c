/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `distillery-cli bench --memory`: the peak memory of a distillation run
 * as users start it, against the bytes it cannot do without.
 *
 * A temporary project gets a data set of random 28 x 28 images in IDX
 * files (samples for training, a sixth as many for testing, as in
 * Fashion-MNIST), a teacher of recorded logits (an .npy file) and a KD
 * experiment, 784-800-800-10 at batch 256 for one epoch with SGD momentum.
 * `distillery-cli run` trains it in a child process, whose peak resident
 * set size the kernel reports (wait4). The bytes it needs: every sample's
 * features as floats and its label, the teacher's answers for the training
 * set, and the model's parameters, gradients and momentum.
 */
#include "config.h"

#include "distillery-bench.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kd-rng.h"

#define SIDE 28

static gboolean
write_idx (const char *path, guint32 magic, guint32 n, gboolean images, KdRng *rng, GError **error)
{
  const gsize each = images ? SIDE * SIDE : 1;
  const gsize header = images ? 16 : 8;
  g_autofree guint8 *bytes = g_malloc (header + (gsize) n * each);
  guint32 words[4] = { GUINT32_TO_BE (magic), GUINT32_TO_BE (n),
                       GUINT32_TO_BE (SIDE), GUINT32_TO_BE (SIDE) };

  memcpy (bytes, words, header);
  for (gsize i = 0; i < (gsize) n * each; i++)
    bytes[header + i] = images ? (guint8) kd_rng_below (rng, 256) : (guint8) kd_rng_below (rng, 10);
  return g_file_set_contents (path, (char *) bytes, header + (gsize) n * each, error);
}

/* float32 logits, N x 10, in NumPy's .npy format (version 1.0), in this
 * machine's byte order, which the header names. */
static gboolean
write_npy (const char *path, guint32 n, KdRng *rng, GError **error)
{
  g_autoptr(GString) header = g_string_new (NULL);
  g_string_printf (header, "{'descr': '%cf4', 'fortran_order': False, 'shape': (%u, 10), }",
                   G_BYTE_ORDER == G_LITTLE_ENDIAN ? '<' : '>', n);
  /* Magic (6), version (2), length (2), then the header padded so the
   * data start on a multiple of 64 bytes, ending with a newline. */
  while ((10 + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  gsize size = 10 + header->len + (gsize) n * 10 * sizeof (float);
  g_autofree guint8 *bytes = g_malloc (size);
  memcpy (bytes, "\x93NUMPY\x01\x00", 8);
  bytes[8] = header->len & 0xff;
  bytes[9] = header->len >> 8;
  memcpy (bytes + 10, header->str, header->len);
  float *logits = (float *) (bytes + 10 + header->len);
  for (gsize i = 0; i < (gsize) n * 10; i++)
    logits[i] = 3.0f * kd_rng_normal (rng);
  return g_file_set_contents (path, (char *) bytes, size, error);
}

static gboolean
run_cli (const char *cli, const char *const *args, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "distillery-cli %s: %s ", args[0], err ? err : "");
      return FALSE;
    }
  return TRUE;
}

/* Runs the command in a child and returns its peak resident set size in
 * bytes (0 on failure). */
static gsize
peak_of (const char *const *argv, GError **error)
{
  struct rusage usage;
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, g_strerror (errno));
      return 0;
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, STDOUT_FILENO);
      execv (argv[0], (char **) argv);
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &usage) < 0 || !g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: ", argv[0]);
      return 0;
    }
  return (gsize) usage.ru_maxrss * 1024;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

gboolean
distillery_bench_memory (const char *cli, guint32 samples, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("distillery-bench-XXXXXX", error);
  if (dir == NULL)
    return FALSE;

  const guint32 tests = MAX (samples / 6, 1);
  const int hidden = 800;
  g_autofree char *train_x = g_build_filename (dir, "train-images.idx", NULL);
  g_autofree char *train_y = g_build_filename (dir, "train-labels.idx", NULL);
  g_autofree char *test_x = g_build_filename (dir, "test-images.idx", NULL);
  g_autofree char *test_y = g_build_filename (dir, "test-labels.idx", NULL);
  g_autofree char *answers = g_build_filename (dir, "logits.npy", NULL);
  g_autofree char *settings = g_build_filename (dir, "student.json", NULL);
  g_autofree char *project = g_build_filename (dir, "bench.distillery", NULL);
  g_autofree char *json = g_strdup_printf ("{ \"version\": 1, \"student\": { \"hidden\": [%d, %d], "
                                           "\"epochs\": 1, \"batch_size\": 256, "
                                           "\"optimizer\": { \"kind\": \"sgd\", \"momentum\": 0.9 }, "
                                           "\"distillation\": { \"temperature\": 4, \"alpha\": 0.5 } } }",
                                           hidden, hidden);
  KdRng rng;
  gsize peak = 0;

  kd_rng_seed (&rng, 0);
  const char *const create[] = { "new", project, NULL };
  const char *const import[] = { "import", project, "--idx", train_x, "--idx", train_y,
                                 "--idx", test_x, "--idx", test_y, NULL };
  const char *const teacher[] = { "teacher", project, "--name", "recorded", "--answers", answers, "--kind", "logits", NULL };
  const char *const experiment[] = { "experiment", project, "--name", "kd", "--teacher", "1",
                                     "--experiment", settings, NULL };
  const char *const run[] = { cli, "run", project, "kd", NULL };

  if (write_idx (train_x, 0x803, samples, TRUE, &rng, error)
      && write_idx (train_y, 0x801, samples, FALSE, &rng, error)
      && write_idx (test_x, 0x803, tests, TRUE, &rng, error)
      && write_idx (test_y, 0x801, tests, FALSE, &rng, error)
      && write_npy (answers, samples, &rng, error)
      && g_file_set_contents (settings, json, -1, error)
      && run_cli (cli, create, error) && run_cli (cli, import, error)
      && run_cli (cli, teacher, error) && run_cli (cli, experiment, error))
    peak = peak_of (run, error);
  remove_tree (dir);
  if (peak == 0)
    return FALSE;

  /* What the run cannot do without. */
  const double data = (double) (samples + tests) * (SIDE * SIDE * sizeof (float) + sizeof (gint32));
  const double cache = (double) samples * 10 * sizeof (float);
  const double params = (double) (784 * hidden + hidden) + (hidden * hidden + hidden) + (hidden * 10 + 10);
  const double model = 3 * params * sizeof (float);   /* parameters, gradients, momentum */
  const double needed = data + cache + model;

  printf (_("Peak memory of a KD run on %u samples (784-%d-%d-10, batch 256), in a child process:\n"),
          samples, hidden, hidden);
  printf (_("  data set %.1f MB + teacher answers %.1f MB + model state %.1f MB = %.1f MB\n"),
          data / 1e6, cache / 1e6, model / 1e6, needed / 1e6);
  printf (_("  peak resident %.1f MB, %.2fx what it needs\n"), peak / 1e6, peak / needed);
  return TRUE;
}

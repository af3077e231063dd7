/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `distillery-cli bench`: samples per second for one epoch of the
 * workloads the workbench spends its time on, the GFLOP/s they reach
 * against a cblas_sgemm peak measured in the same run, and, with
 * --compare, the same work done by PyTorch (the peer script, run with
 * /usr/bin/python3 when it has torch) with the ratio between the two.
 *
 * Data are random, as in the peer: inputs uniform in [0, 1), labels
 * uniform, teacher logits N(0, 3^2). Each workload takes one untimed
 * warm-up step, then times the rest of the epoch. Like the peer, which
 * reports PyTorch's best thread setting, each workload runs with one BLAS
 * thread and with every core and reports the better (or only the count
 * given with --threads): small models lose more to thread hand-offs than
 * they gain from a second core.
 */
#include "config.h"

#include "distillery-bench.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "distillery-experiment.h"
#include "kd-blas.h"
#include "kd-train.h"

typedef struct
{
  const char     *name;
  const char     *hidden;
  gboolean        kd;
  KdOptimizerKind optimizer;
  gboolean        inference;     /* forward only, batch 1024 */
} Workload;

static const Workload workloads[] = {
  { "teacher", "1200,1200", FALSE, KD_OPTIMIZER_SGD, FALSE },
  { "student", "800,800", TRUE, KD_OPTIMIZER_SGD, FALSE },
  { "tiny", "32,32", TRUE, KD_OPTIMIZER_ADAM, FALSE },
  { "inference", "1200,1200", FALSE, KD_OPTIMIZER_SGD, TRUE },
};

typedef struct
{
  double samples_per_second;
  double gflops;
  int    threads;
} Measure;

/* Floating-point work of one training sample: the forward product, the
 * weight gradient, and the input gradient of every layer but the first. */
static double
train_flops_per_sample (const KdMlp *m)
{
  double flops = 0.0;
  for (int l = 0; l < m->n_layers; l++)
    flops += 2.0 * m->sizes[l] * m->sizes[l + 1] * (l > 0 ? 3 : 2);
  return flops;
}

static gboolean
measure_once (const Workload *w, const KdData *data, const float *teacher_logits,
         int batch, Measure *out, GError **error)
{
  KdTrainConfig config;
  const char *problem = NULL;

  kd_train_config_init (&config);
  if (!distillery_parse_hidden (w->hidden, &config.model, error))
    return FALSE;
  config.model.n_inputs = data->n_features;
  config.model.n_classes = data->n_classes;
  config.batch_size = batch;
  config.epochs = 1;
  config.temperature = 4.0f;
  config.alpha = 0.5f;
  kd_optimizer_config_init (&config.optimizer, w->optimizer);

  if (w->inference)
    {
      KdMlp *m = kd_mlp_new (&config.model, 1024);
      KdRng rng;
      if (m == NULL)
        return FALSE;
      kd_rng_seed (&rng, 1);
      kd_mlp_init (m, KD_INIT_HE, &rng);
      float *logits = g_new (float, data->n * data->n_classes);
      kd_mlp_predict (m, logits, data->features, 1024);   /* warm-up */
      /* A pass takes a second or two, as short as the sgemm peak's
       * calls: like the peak, it is the best of a few. */
      double best = G_MAXDOUBLE;
      for (int rep = 0; rep < 3; rep++)
        {
          gint64 t = g_get_monotonic_time ();
          kd_mlp_predict (m, logits, data->features, data->n);
          best = MIN (best, (g_get_monotonic_time () - t) / 1e6);
        }
      out->samples_per_second = data->n / best;
      out->gflops = kd_mlp_flops_per_sample (m) * out->samples_per_second / 1e9;
      g_free (logits);
      kd_mlp_free (m);
      return TRUE;
    }

  KdTrainer *trainer = kd_trainer_new (&config, data, w->kd ? teacher_logits : NULL, &problem);
  if (trainer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", problem);
      return FALSE;
    }
  KdStepReport report;
  kd_trainer_step (trainer, &report);   /* warm-up */
  double samples = 0;
  gint64 t = g_get_monotonic_time ();
  while (kd_trainer_step (trainer, &report))
    samples += report.batch_size;
  double s = (g_get_monotonic_time () - t) / 1e6;
  out->samples_per_second = samples / s;
  out->gflops = train_flops_per_sample (kd_trainer_model (trainer)) * out->samples_per_second / 1e9;
  kd_trainer_free (trainer);
  return TRUE;
}

static gboolean
measure (const Workload *w, const KdData *data, const float *teacher_logits,
         int batch, int threads, Measure *best, GError **error)
{
  int counts[2] = { 1, g_get_num_processors () };
  int n_counts = counts[1] > 1 ? 2 : 1;

  if (threads > 0)
    counts[0] = threads, n_counts = 1;
  best->samples_per_second = 0;
  for (int i = 0; i < n_counts; i++)
    {
      Measure m = { 0 };
      kd_blas_set_threads (counts[i]);
      if (!measure_once (w, data, teacher_logits, batch, &m, error))
        return FALSE;
      m.threads = counts[i];
      if (m.samples_per_second > best->samples_per_second)
        *best = m;
    }
  return TRUE;
}

static const char *
find_peer (const char *given)
{
  static char *found;
  if (given != NULL)
    return given;
  if (g_getenv ("DISTILLERY_TORCH_PEER") != NULL)
    return g_getenv ("DISTILLERY_TORCH_PEER");
  if (found == NULL)
    found = g_build_filename (SOURCE_DATADIR, "..", "..", "shared", "bench", "torch-peer.py", NULL);
  return g_file_test (found, G_FILE_TEST_EXISTS) ? found : NULL;
}

/* Runs the PyTorch peer on the same workload; 0 when it cannot run. */
static double
run_peer (const char *peer, const Workload *w, int samples, int batch, GError **error)
{
  g_autofree char *samples_arg = g_strdup_printf ("%d", samples);
  g_autofree char *batch_arg = g_strdup_printf ("%d", batch);
  const char *argv[16] = { "/usr/bin/python3", peer, "--hidden", w->hidden,
                           "--samples", samples_arg, "--batch", batch_arg };
  int argc = 8;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (w->kd)
    argv[argc++] = "--kd";
  if (w->optimizer == KD_OPTIMIZER_ADAM)
    {
      argv[argc++] = "--optimizer";
      argv[argc++] = "adam";
    }
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, error))
    return 0;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s: %s ", peer, err ? err : "");
      return 0;
    }
  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, out, -1, error))
    return 0;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  return json_object_get_double_member_with_default (o, "samples_per_s", 0);
}

int
distillery_cli_bench (int argc, char **argv)
{
  int samples = 60000, batch = 256, threads = 0;
  gboolean compare = FALSE, memory = FALSE;
  g_autofree char *only = NULL;
  g_autofree char *peer_path = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "samples", 'n', 0, G_OPTION_ARG_INT, &samples, N_("Samples in the epoch (default 60000)"), N_("N") },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Batch size (default 256)"), N_("N") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("BLAS threads (default: all cores)"), N_("N") },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, N_("Run one workload: teacher, student, tiny or inference"), N_("NAME") },
    { "compare", 'c', 0, G_OPTION_ARG_NONE, &compare, N_("Run the PyTorch peer on the same work and print ratios"), NULL },
    { "memory", 0, 0, G_OPTION_ARG_NONE, &memory, N_("Measure the peak memory of a KD run instead"), NULL },
    { "peer", 0, 0, G_OPTION_ARG_FILENAME, &peer_path, N_("The PyTorch peer script (default: ../shared/bench/torch-peer.py)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— measure training throughput"));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("distillery-cli bench: %s\n", error->message);
      return 2;
    }
  if (samples < batch || batch < 1)
    {
      g_printerr ("distillery-cli bench: %s\n", _("the epoch needs at least one whole batch"));
      return 2;
    }
  if (memory)
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", &error);
      if (self == NULL || !distillery_bench_memory (self, (guint32) samples, &error))
        {
          g_printerr ("distillery-cli bench: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  const char *peer = compare ? find_peer (peer_path) : NULL;
  if (compare && peer == NULL)
    g_printerr ("distillery-cli bench: %s\n",
                _("the PyTorch peer script was not found; give it with --peer FILE"));

  const int D = 784, C = 10;
  KdRng rng;
  kd_rng_seed (&rng, 0);
  g_autofree float *x = g_new (float, (gsize) samples * D);
  g_autofree gint32 *y = g_new (gint32, samples);
  g_autofree float *t = g_new (float, (gsize) samples * C);
  for (gsize i = 0; i < (gsize) samples * D; i++)
    x[i] = kd_rng_uniform (&rng);
  for (int i = 0; i < samples; i++)
    y[i] = (gint32) kd_rng_below (&rng, C);
  for (gsize i = 0; i < (gsize) samples * C; i++)
    t[i] = 3.0f * kd_rng_normal (&rng);
  KdData data = { x, y, (size_t) samples, D, C };

  kd_blas_set_threads (threads);
  double peak = kd_blas_sgemm_peak (1536, 5);
  printf (_("BLAS: %s; sgemm peak %.1f GFLOP/s with %d threads\n"),
          kd_blas_describe (), peak, kd_blas_get_threads ());
  printf (_("One epoch of %d samples, batch %d (inference: batch 1024)\n\n"), samples, batch);
  printf ("%-10s %-16s %-7s %7s %12s %9s %8s", _("Workload"), _("Model"), _("Loss"),
          _("Threads"), _("Samples/s"), _("GFLOP/s"), _("of peak"));
  if (peer != NULL)
    printf (" %12s %8s", _("PyTorch"), _("ratio"));
  printf ("\n");

  for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
    {
      const Workload *w = &workloads[i];
      Measure m = { 0 };
      if (only != NULL && !g_str_equal (only, w->name))
        continue;
      if (!measure (w, &data, t, batch, threads, &m, &error))
        {
          g_printerr ("distillery-cli bench: %s: %s\n", w->name, error->message);
          return 1;
        }
      g_autofree char *model = g_strdup_printf ("784-%s-10", w->hidden);
      g_strdelimit (model, ",", '-');
      printf ("%-10s %-16s %-7s %7d %12.0f %9.1f %7.0f %%", w->name, model,
              w->inference ? "—" : w->kd ? (w->optimizer == KD_OPTIMIZER_ADAM ? "kd/adam" : "kd") : "ce",
              m.threads, m.samples_per_second, m.gflops, 100.0 * m.gflops / peak);
      if (peer != NULL && !w->inference)
        {
          g_autoptr(GError) peer_error = NULL;
          double theirs = run_peer (peer, w, samples, batch, &peer_error);
          if (theirs > 0)
            printf (" %12.0f %7.2fx", theirs, m.samples_per_second / theirs);
          else
            printf ("  (%s)", peer_error ? peer_error->message : _("no result"));
        }
      printf ("\n");
      fflush (stdout);
    }
  return 0;
}

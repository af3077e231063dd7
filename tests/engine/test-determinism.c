/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run is reproducible: the same configuration and seed give
 * bit-identical parameters (compared with memcmp, not a tolerance), with
 * dropout, input noise, Adam and a schedule, and with a teacher of every
 * kind, and with Hinton's teacher (dropout, jitter, max-norm); another
 * seed gives other parameters. The data are synthetic (512
 * samples, 20 features, 4 Gaussian classes from a fixed seed) and the
 * teacher is a small MLP trained on them first, so that the student learns
 * from real answers. Each run must also learn something, so that equal
 * parameters cannot come from a trainer that never moved them. A run
 * saved to a checkpoint at any step and resumed in a new trainer ends
 * with the same parameters as one that never stopped (also with input
 * jitter and max-norm, whose random stream the checkpoint carries, and
 * from a version 1 checkpoint, written before jitter existed), and a
 * damaged or foreign checkpoint is refused; so is a model blob, which otherwise
 * predicts exactly as the model it was saved from. Finally, configurations that make no
 * sense are refused with a message.
 */
#include <math.h>
#include <string.h>

#include "kd-loss.h"
#include "kd-test.h"
#include "kd-train.h"

enum { N = 512, D = 20, C = 4 };

typedef struct
{
  float   features[N * D];
  float   images[N * D];      /* the same classes as 5 x 4 images */
  int32_t labels[N];
  KdData  data;
  float   teacher_logits[N * C];
  float   teacher_probs[N * C];
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  float centres[C * D];
  KdRng rng;

  kd_rng_seed (&rng, 2024);
  for (int i = 0; i < C * D; i++)
    centres[i] = 1.2f * kd_rng_normal (&rng);
  for (int n = 0; n < N; n++)
    {
      int y = (int) kd_rng_below (&rng, C);
      f->labels[n] = y;
      for (int d = 0; d < D; d++)
        f->features[n * D + d] = centres[y * D + d] + kd_rng_normal (&rng);
    }
  /* Images whose class is which half of them is bright (left, right, top
   * or bottom), which a shift by a pixel keeps, unlike the Gaussian
   * centres. */
  for (int n = 0; n < N; n++)
    for (int d = 0; d < D; d++)
      {
        int x = d % 5, y = d / 5, c = f->labels[n];
        gboolean bright = c == 0 ? x < 2 : c == 1 ? x > 2 : c == 2 ? y < 2 : y >= 2;
        f->images[n * D + d] = (bright ? 1.0f : 0.0f) + 0.3f * kd_rng_normal (&rng);
      }
  f->data = (KdData) { f->features, f->labels, N, D, C };
}

static void
base_config (KdTrainConfig *config)
{
  kd_train_config_init (config);
  config->model.n_inputs = D;
  config->model.n_classes = C;
  config->model.n_hidden = 2;
  config->model.hidden[0] = 24;
  config->model.hidden[1] = 12;
  config->epochs = 3;
  config->batch_size = 48;    /* 11 steps an epoch, the last one short */
  config->seed = 7;
}

static double
accuracy (KdMlp *model, const KdData *data)
{
  KdMetrics metrics;
  g_assert_cmpint (kd_metrics_init (&metrics, data->n_classes), ==, 0);
  kd_evaluate (model, data, NULL, &metrics);
  double result = kd_metrics_accuracy (&metrics);
  kd_metrics_clear (&metrics);
  return result;
}

/* Trains to the end and returns a copy of the parameters; also checks the
 * step count and that the model learned something. */
static float *
train (const KdTrainConfig *config, const KdData *data, const float *teacher, size_t *n_params)
{
  const char *error = NULL;
  KdTrainer *trainer = kd_trainer_new (config, data, teacher, &error);
  KdStepReport report;
  long steps = 0;

  g_assert_null (error);
  g_assert_nonnull (trainer);
  KdMlp *model = kd_trainer_model (trainer);
  g_autofree float *initial = g_memdup2 (model->params, model->n_params * sizeof (float));

  while (kd_trainer_step (trainer, &report))
    {
      g_assert_cmpint (report.step, ==, steps);
      g_assert_true (isfinite (report.loss.total));
      steps++;
    }
  g_assert_cmpint (steps, ==, kd_trainer_total_steps (trainer));
  g_assert_true (report.epoch_done);
  g_assert_cmpint (report.epoch, ==, config->epochs - 1);

  g_assert_true (memcmp (initial, model->params, model->n_params * sizeof (float)) != 0);
  /* Chance is 1/4; these classes are easy. */
  double trained = accuracy (model, data);
  if (g_test_verbose ())
    g_test_message ("training accuracy %.3f", trained);
  g_assert_cmpfloat (trained, >, 0.8);

  *n_params = model->n_params;
  float *params = g_memdup2 (model->params, model->n_params * sizeof (float));
  kd_trainer_free (trainer);
  return params;
}

/* Two runs with `config`: identical. One with `config` but another seed:
 * different. */
static void
assert_reproducible (const KdTrainConfig *config, const KdData *data, const float *teacher)
{
  KdTrainConfig other = *config;
  size_t n_a, n_b, n_c;

  other.seed = config->seed + 1;
  g_autofree float *a = train (config, data, teacher, &n_a);
  g_autofree float *b = train (config, data, teacher, &n_b);
  g_autofree float *c = train (&other, data, teacher, &n_c);

  g_assert_cmpuint (n_a, ==, n_b);
  g_assert_cmpmem (a, n_a * sizeof (float), b, n_b * sizeof (float));
  g_assert_cmpuint (n_a, ==, n_c);
  g_assert_true (memcmp (a, c, n_a * sizeof (float)) != 0);
}

static void
test_plain (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config;
  base_config (&config);
  assert_reproducible (&config, &f->data, NULL);
}

static void
test_regularised (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config, plain;
  size_t n_plain, n_reg;

  base_config (&config);
  config.model.activation = KD_ACT_GELU;
  config.model.dropout_input = 0.1f;
  config.model.dropout_hidden = 0.2f;
  config.model.input_noise = 0.3f;
  config.label_smoothing = 0.1f;
  kd_optimizer_config_init (&config.optimizer, KD_OPTIMIZER_ADAMW);
  config.optimizer.learning_rate = 1e-2f;
  config.schedule.kind = KD_SCHEDULE_COSINE;
  config.schedule.warmup_epochs = 0.5f;
  config.schedule.min_factor = 0.1f;
  assert_reproducible (&config, &f->data, NULL);

  /* The noise and dropout really were drawn: without them, the same seed
   * gives other parameters. */
  plain = config;
  plain.model.dropout_input = plain.model.dropout_hidden = plain.model.input_noise = 0.0f;
  g_autofree float *a = train (&config, &f->data, NULL, &n_reg);
  g_autofree float *b = train (&plain, &f->data, NULL, &n_plain);
  g_assert_true (memcmp (a, b, n_reg * sizeof (float)) != 0);
}

/* Hinton's teacher: dropout on inputs and hidden units, jitter, max-norm,
 * on the fixture's images. */
static void
augmented_config (KdTrainConfig *config, KdData *images, const Fixture *f)
{
  base_config (config);
  config->model.dropout_input = 0.1f;
  config->model.dropout_hidden = 0.3f;
  config->jitter = 1;
  config->max_norm = 1.5f;
  config->optimizer.learning_rate = 0.1f;
  *images = f->data;
  images->features = f->images;
  images->image_width = 5;
  images->image_height = 4;
}

static void
test_augmented (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config, unjittered, unconstrained;
  KdData images;
  size_t n;

  augmented_config (&config, &images, f);
  assert_reproducible (&config, &images, NULL);

  /* Each of them changes the run. */
  unjittered = unconstrained = config;
  unjittered.jitter = 0;
  unconstrained.max_norm = 0.0f;
  g_autofree float *a = train (&config, &images, NULL, &n);
  g_autofree float *b = train (&unjittered, &images, NULL, &n);
  g_autofree float *c = train (&unconstrained, &images, NULL, &n);
  g_assert_true (memcmp (a, b, n * sizeof (float)) != 0);
  g_assert_true (memcmp (a, c, n * sizeof (float)) != 0);
}

static void
test_teacher (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig teacher_config, config, plain;
  const char *error = NULL;
  size_t n;

  /* The teacher: wider, trained longer, on another seed. */
  base_config (&teacher_config);
  teacher_config.model.n_hidden = 1;
  teacher_config.model.hidden[0] = 64;
  teacher_config.epochs = 5;
  teacher_config.seed = 99;
  KdTrainer *teacher = kd_trainer_new (&teacher_config, &f->data, NULL, &error);
  g_assert_nonnull (teacher);
  while (kd_trainer_step (teacher, NULL))
    ;
  kd_mlp_predict (kd_trainer_model (teacher), f->teacher_logits, f->features, N);
  kd_trainer_free (teacher);
  kd_softmax (f->teacher_probs, f->teacher_logits, N, C, 1.0f);

  base_config (&plain);
  g_autofree float *undistilled = train (&plain, &f->data, NULL, &n);

  static const KdTeacherKind kinds[] = {
    KD_TEACHER_LOGITS, KD_TEACHER_PROBS, KD_TEACHER_TOPK, KD_TEACHER_LABEL,
  };
  for (size_t k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const float *answers = kinds[k] == KD_TEACHER_LOGITS || kinds[k] == KD_TEACHER_LABEL
                             ? f->teacher_logits : f->teacher_probs;
      size_t n_distilled;

      base_config (&config);
      config.teacher_kind = kinds[k];
      config.top_k = 2;
      config.temperature = 4.0f;
      config.alpha = 0.7f;
      assert_reproducible (&config, &f->data, answers);

      /* The teacher made a difference. */
      g_autofree float *distilled = train (&config, &f->data, answers, &n_distilled);
      g_assert_cmpuint (n_distilled, ==, n);
      g_assert_true (memcmp (distilled, undistilled, n * sizeof (float)) != 0);
    }
}

static void
assert_refused (const KdTrainConfig *config, const KdData *data, const float *teacher,
                const char *message_part)
{
  const char *error = NULL;
  KdTrainer *trainer = kd_trainer_new (config, data, teacher, &error);

  g_assert_null (trainer);
  g_assert_nonnull (error);
  if (strstr (error, message_part) == NULL)
    g_test_fail_printf ("the message \"%s\" does not mention \"%s\"", error, message_part);
}

static void
test_bad_config (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config;

  /* A teacher of the right shape, whose answers do not matter here. */
  memset (f->teacher_logits, 0, sizeof f->teacher_logits);

  base_config (&config);
  config.model.n_inputs = D + 1;
  assert_refused (&config, &f->data, NULL, "inputs");

  base_config (&config);
  config.model.n_classes = C - 1;
  assert_refused (&config, &f->data, NULL, "classes");

  base_config (&config);
  config.optimizer.learning_rate = 0.0f;
  assert_refused (&config, &f->data, NULL, "learning rate");
  config.optimizer.learning_rate = NAN;
  assert_refused (&config, &f->data, NULL, "learning rate");

  base_config (&config);
  config.alpha = 2.0f;
  assert_refused (&config, &f->data, f->teacher_logits, "alpha");
  config.alpha = -0.1f;
  assert_refused (&config, &f->data, f->teacher_logits, "alpha");

  base_config (&config);
  config.temperature = 0.0f;
  assert_refused (&config, &f->data, f->teacher_logits, "temperature");

  base_config (&config);
  config.batch_size = 0;
  assert_refused (&config, &f->data, NULL, "batch size");

  base_config (&config);
  config.label_smoothing = 1.0f;
  assert_refused (&config, &f->data, NULL, "label smoothing");

  base_config (&config);
  config.model.hidden[1] = 0;
  assert_refused (&config, &f->data, NULL, "hidden layer");

  base_config (&config);
  config.model.dropout_hidden = 1.0f;
  assert_refused (&config, &f->data, NULL, "dropout");

  KdData empty = f->data;
  empty.n = 0;
  base_config (&config);
  assert_refused (&config, &empty, NULL, "empty");

  /* And the base configuration itself is fine. */
  const char *error = NULL;
  base_config (&config);
  KdTrainer *trainer = kd_trainer_new (&config, &f->data, f->teacher_logits, &error);
  g_assert_nonnull (trainer);
  g_assert_null (error);
  kd_trainer_free (trainer);
}

/* The header of a version 1 checkpoint ends where version 2's jitter
 * stream (4 x uint64) begins: 136 bytes in, 168 with it (see
 * docs/file-format.md). */
enum { HEADER_V1 = 136, HEADER_V2 = 168 };

/* Turns a version 2 blob into the version 1 blob an older build would
 * have written for the same state. */
static guchar *
as_version_1 (const guchar *blob, size_t size, size_t *size_v1)
{
  guchar *old = g_malloc (size - (HEADER_V2 - HEADER_V1));
  uint32_t version = 1;
  memcpy (old, blob, HEADER_V1);
  memcpy (old + 8, &version, sizeof version);
  memcpy (old + HEADER_V1, blob + HEADER_V2, size - HEADER_V2);
  *size_v1 = size - (HEADER_V2 - HEADER_V1);
  return old;
}

/* Stops after `cut` steps, checkpoints, resumes in a fresh trainer and
 * trains to the end: the result must equal the uninterrupted run's. */
static void
test_checkpoint_resume (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig configs[2];
  KdData images;
  const char *error = NULL;
  size_t n_params;

  base_config (&configs[0]);
  configs[0].model.dropout_hidden = 0.2f;
  configs[0].model.input_noise = 0.1f;
  kd_optimizer_config_init (&configs[0].optimizer, KD_OPTIMIZER_ADAMW);
  configs[0].optimizer.learning_rate = 0.01f;
  configs[0].schedule.kind = KD_SCHEDULE_COSINE;
  configs[0].schedule.warmup_epochs = 0.5f;
  augmented_config (&configs[1], &images, f);

  for (guint k = 0; k < G_N_ELEMENTS (configs); k++)
    {
      const KdTrainConfig *config = &configs[k];
      g_autofree float *expected = train (config, &images, NULL, &n_params);

      /* 0: before the first step; 11 and 22: at epoch ends; 33: the end. */
      static const int cuts[] = { 0, 1, 5, 11, 16, 22, 30, 33 };
      for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
        {
          KdTrainer *first = kd_trainer_new (config, &images, NULL, &error);
          for (int s = 0; s < cuts[i]; s++)
            g_assert_true (kd_trainer_step (first, NULL));
          size_t size = kd_trainer_checkpoint_size (first);
          g_autofree guchar *blob = g_malloc (size);
          kd_trainer_checkpoint_save (first, blob);
          /* The parameters follow the header. */
          g_assert_cmpmem (blob + HEADER_V2, n_params * sizeof (float),
                           kd_trainer_model (first)->params, n_params * sizeof (float));
          kd_trainer_free (first);

          /* Without jitter, the blob an older build wrote resumes too. */
          size_t size_v1;
          g_autofree guchar *blob_v1 = as_version_1 (blob, size, &size_v1);
          for (int version = 2; version >= (config->jitter > 0 ? 2 : 1); version--)
            {
              KdTrainer *second = kd_trainer_new (config, &images, NULL, &error);
              g_assert_cmpstr (kd_trainer_checkpoint_load (second, version == 2 ? blob : blob_v1,
                                                           version == 2 ? size : size_v1), ==, NULL);
              long steps = cuts[i];
              while (kd_trainer_step (second, NULL))
                steps++;
              g_assert_cmpint (steps, ==, kd_trainer_total_steps (second));
              g_assert_cmpmem (kd_trainer_model (second)->params, n_params * sizeof (float),
                               expected, n_params * sizeof (float));
              kd_trainer_free (second);
            }
        }
    }
}

static void
test_checkpoint_refusals (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config, wider;
  const char *error = NULL;

  base_config (&config);
  KdTrainer *trainer = kd_trainer_new (&config, &f->data, NULL, &error);
  kd_trainer_step (trainer, NULL);
  size_t size = kd_trainer_checkpoint_size (trainer);
  g_autofree guchar *blob = g_malloc (size);
  kd_trainer_checkpoint_save (trainer, blob);

  g_assert_nonnull (strstr (kd_trainer_checkpoint_load (trainer, blob, 10), "truncated"));
  g_assert_nonnull (strstr (kd_trainer_checkpoint_load (trainer, blob, size - 1), "truncated"));
  blob[0] ^= 0xff;
  g_assert_nonnull (strstr (kd_trainer_checkpoint_load (trainer, blob, size), "not a training checkpoint"));
  blob[0] ^= 0xff;

  /* Another architecture cannot take these parameters. */
  wider = config;
  wider.model.hidden[0] = 25;
  KdTrainer *other = kd_trainer_new (&wider, &f->data, NULL, &error);
  g_assert_nonnull (strstr (kd_trainer_checkpoint_load (other, blob, size), "another model"));
  kd_trainer_free (other);

  /* A damaged sample order is caught before anything is changed. */
  g_autofree float *before = g_memdup2 (kd_trainer_model (trainer)->params,
                                        kd_trainer_model (trainer)->n_params * sizeof (float));
  memset (blob + size - sizeof (uint32_t), 0xff, sizeof (uint32_t));
  g_assert_nonnull (strstr (kd_trainer_checkpoint_load (trainer, blob, size), "damaged"));
  g_assert_cmpmem (before, kd_trainer_model (trainer)->n_params * sizeof (float),
                   kd_trainer_model (trainer)->params, kd_trainer_model (trainer)->n_params * sizeof (float));
  kd_trainer_free (trainer);
}

/* A trained model saved as a blob and loaded back predicts the same
 * logits, bit for bit; a damaged blob is refused. */
static void
test_model_blob (Fixture *f, gconstpointer user_data)
{
  KdTrainConfig config;
  const char *error = NULL;

  base_config (&config);
  config.model.activation = KD_ACT_TANH;
  KdTrainer *trainer = kd_trainer_new (&config, &f->data, NULL, &error);
  while (kd_trainer_step (trainer, NULL))
    ;
  KdMlp *model = kd_trainer_model (trainer);
  size_t size = kd_mlp_blob_size (model);
  g_autofree guchar *blob = g_malloc (size);
  kd_mlp_blob_save (model, blob);

  /* The same batch size as the trainer's model: BLAS may round a product
   * differently when the rows come in other batches. */
  KdMlp *loaded = kd_mlp_blob_load (blob, size, model->max_batch, &error);
  g_assert_null (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (loaded->config.activation, ==, KD_ACT_TANH);
  g_autofree float *a = g_new (float, N * C);
  g_autofree float *b = g_new (float, N * C);
  kd_mlp_predict (model, a, f->features, N);
  kd_mlp_predict (loaded, b, f->features, N);
  g_assert_cmpmem (a, N * C * sizeof (float), b, N * C * sizeof (float));
  kd_mlp_free (loaded);

  g_assert_null (kd_mlp_blob_load (blob, size - 4, 100, &error));
  g_assert_nonnull (strstr (error, "size"));
  blob[3] ^= 1;
  g_assert_null (kd_mlp_blob_load (blob, size, 100, &error));
  g_assert_nonnull (strstr (error, "not a Distillery model"));
  kd_trainer_free (trainer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/train/reproducible/plain", Fixture, NULL,
              fixture_set_up, test_plain, NULL);
  g_test_add ("/engine/train/reproducible/dropout-noise-adamw", Fixture, NULL,
              fixture_set_up, test_regularised, NULL);
  g_test_add ("/engine/train/reproducible/dropout-jitter-max-norm", Fixture, NULL,
              fixture_set_up, test_augmented, NULL);
  g_test_add ("/engine/train/reproducible/teacher", Fixture, NULL,
              fixture_set_up, test_teacher, NULL);
  g_test_add ("/engine/train/checkpoint/resume-bit-identical", Fixture, NULL,
              fixture_set_up, test_checkpoint_resume, NULL);
  g_test_add ("/engine/train/checkpoint/refusals", Fixture, NULL,
              fixture_set_up, test_checkpoint_refusals, NULL);
  g_test_add ("/engine/mlp/blob", Fixture, NULL,
              fixture_set_up, test_model_blob, NULL);
  g_test_add ("/engine/train/bad-config", Fixture, NULL,
              fixture_set_up, test_bad_config, NULL);

  return g_test_run ();
}

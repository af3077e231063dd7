/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mini-batch training loop; see kd-train.h.
 */
#include "kd-train.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kd-augment.h"
#include "kd-constraint.h"

enum { STREAM_INIT, STREAM_SHUFFLE, STREAM_NOISE, STREAM_JITTER };

struct KdTrainer
{
  KdTrainConfig config;
  KdData        data;
  KdMlp        *model;
  KdOptimizer  *optimizer;
  KdRng         shuffle_rng, noise_rng, jitter_rng;

  float        *targets;     /* [n, C] teacher distribution at T, or NULL */
  uint32_t     *order;       /* this epoch's permutation */
  float        *x_batch;     /* [B, D] */
  int32_t      *y_batch;     /* [B] */
  float        *q_batch;     /* [B, C] */
  float        *d_logits;    /* [B, C] */

  int           epoch;
  size_t        cursor;      /* next position in order */
  long          step;
  long          steps_per_epoch;
};

void
kd_train_config_init (KdTrainConfig *c)
{
  memset (c, 0, sizeof *c);
  c->model.activation = KD_ACT_RELU;
  c->init = KD_INIT_HE;
  kd_optimizer_config_init (&c->optimizer, KD_OPTIMIZER_SGD);
  c->schedule.kind = KD_SCHEDULE_CONSTANT;
  c->schedule.gamma = 0.1f;
  c->epochs = 10;
  c->batch_size = 64;
  c->teacher_kind = KD_TEACHER_LOGITS;
  c->temperature = 4.0f;
  c->alpha = 0.9f;
}

KdTrainer *
kd_trainer_new (const KdTrainConfig *config,
                const KdData        *train,
                const float         *teacher_answers,
                const char         **error)
{
  const char *problem = NULL;
  const int C = train->n_classes, D = train->n_features;

  if (config->model.n_inputs != D || config->model.n_classes != C)
    problem = "the model's inputs and classes do not match the data set";
  else if (train->n == 0)
    problem = "the training set is empty";
  else if (config->batch_size <= 0 || config->epochs <= 0)
    problem = "batch size and epochs must be at least 1";
  else if (!(config->optimizer.learning_rate > 0.0f))
    problem = "the learning rate must be above 0";
  else if (teacher_answers != NULL
           && (!(config->temperature > 0.0f) || !(config->alpha >= 0.0f && config->alpha <= 1.0f)))
    problem = "the temperature must be above 0 and alpha between 0 and 1";
  else if (!(config->label_smoothing >= 0.0f && config->label_smoothing < 1.0f))
    problem = "label smoothing must be at least 0 and below 1";
  else if (!(config->max_norm >= 0.0f) || !isfinite (config->max_norm))
    problem = "the max-norm limit must be a finite number of at least 0";
  else if ((problem = kd_jitter_check (D, train->image_width, train->image_height, config->jitter)) != NULL)
    ;
  else
    problem = kd_mlp_config_check (&config->model);
  if (problem != NULL)
    {
      if (error)
        *error = problem;
      return NULL;
    }

  KdTrainer *t = calloc (1, sizeof *t);
  if (t == NULL)
    goto oom;
  t->config = *config;
  t->data = *train;
  int B = config->batch_size < (int) train->n ? config->batch_size : (int) train->n;
  t->config.batch_size = B;
  t->steps_per_epoch = (long) ((train->n + B - 1) / B);

  t->model = kd_mlp_new (&config->model, B);
  t->optimizer = t->model ? kd_optimizer_new (&config->optimizer, t->model->n_params) : NULL;
  t->order = malloc (sizeof (uint32_t) * train->n);
  t->x_batch = malloc (sizeof (float) * (size_t) B * D);
  t->y_batch = malloc (sizeof (int32_t) * B);
  t->q_batch = malloc (sizeof (float) * (size_t) B * C);
  t->d_logits = malloc (sizeof (float) * (size_t) B * C);
  if (teacher_answers != NULL)
    t->targets = malloc (sizeof (float) * train->n * C);
  if (t->model == NULL || t->optimizer == NULL || t->order == NULL || t->x_batch == NULL
      || t->y_batch == NULL || t->q_batch == NULL || t->d_logits == NULL
      || (teacher_answers != NULL && t->targets == NULL))
    goto oom;

  if (teacher_answers != NULL)
    {
      if (config->teacher_kind == KD_TEACHER_LABEL)
        t->config.temperature = 1.0f;
      kd_teacher_targets (t->targets, config->teacher_kind, teacher_answers,
                          (int) train->n, C, t->config.temperature, config->top_k);
    }

  KdRng root, init_rng;
  kd_rng_seed (&root, config->seed);
  kd_rng_fork (&init_rng, &root, STREAM_INIT);
  kd_rng_fork (&t->shuffle_rng, &root, STREAM_SHUFFLE);
  kd_rng_fork (&t->noise_rng, &root, STREAM_NOISE);
  kd_rng_fork (&t->jitter_rng, &root, STREAM_JITTER);
  kd_mlp_init (t->model, config->init, &init_rng);
  /* The order is reshuffled at each epoch's start; it starts as the
   * identity so that a checkpoint taken before the first step is sound. */
  for (size_t i = 0; i < train->n; i++)
    t->order[i] = (uint32_t) i;
  t->cursor = train->n;   /* the first step shuffles */
  t->epoch = -1;
  return t;

oom:
  kd_trainer_free (t);
  if (error)
    *error = "not enough memory for this model and batch size";
  return NULL;
}

void
kd_trainer_free (KdTrainer *t)
{
  if (t == NULL)
    return;
  kd_mlp_free (t->model);
  kd_optimizer_free (t->optimizer);
  free (t->targets);
  free (t->order);
  free (t->x_batch);
  free (t->y_batch);
  free (t->q_batch);
  free (t->d_logits);
  free (t);
}

long
kd_trainer_total_steps (const KdTrainer *t)
{
  return t->steps_per_epoch * t->config.epochs;
}

KdMlp *
kd_trainer_model (KdTrainer *t)
{
  return t->model;
}

int
kd_trainer_step (KdTrainer *t, KdStepReport *report)
{
  const KdData *d = &t->data;
  const int C = d->n_classes, D = d->n_features;

  if (t->cursor >= d->n)
    {
      if (t->epoch + 1 >= t->config.epochs)
        return 0;
      t->epoch++;
      t->cursor = 0;
      for (size_t i = 0; i < d->n; i++)
        t->order[i] = (uint32_t) i;
      kd_rng_shuffle (&t->shuffle_rng, t->order, d->n);
    }

  int B = t->config.batch_size;
  if ((size_t) B > d->n - t->cursor)
    B = (int) (d->n - t->cursor);
  const uint32_t *rows = t->order + t->cursor;
  for (int b = 0; b < B; b++)
    {
      if (t->config.jitter > 0)
        kd_jitter_sample (t->x_batch + (size_t) b * D, d->features + (size_t) rows[b] * D, D,
                          d->image_width, d->image_height, t->config.jitter, &t->jitter_rng);
      else
        memcpy (t->x_batch + (size_t) b * D, d->features + (size_t) rows[b] * D, sizeof (float) * D);
      t->y_batch[b] = d->labels[rows[b]];
      if (t->targets != NULL)
        memcpy (t->q_batch + (size_t) b * C, t->targets + (size_t) rows[b] * C, sizeof (float) * C);
    }

  KdLossParts parts;
  const float *logits = kd_mlp_forward (t->model, t->x_batch, B, true, &t->noise_rng);
  if (t->targets != NULL)
    kd_loss_distill (t->d_logits, &parts, logits, t->q_batch, t->y_batch, B, C,
                     t->config.temperature, t->config.alpha, t->config.label_smoothing);
  else
    {
      parts.ce = kd_loss_cross_entropy (t->d_logits, logits, t->y_batch, B, C,
                                        t->config.label_smoothing, 1.0f);
      parts.kd = 0.0;
      parts.total = parts.ce;
    }

  kd_mlp_backward (t->model, t->d_logits, B);
  float lr = kd_schedule_lr (&t->config.schedule, t->config.optimizer.learning_rate,
                             t->step, t->steps_per_epoch, kd_trainer_total_steps (t));
  kd_optimizer_step (t->optimizer, t->model->params, t->model->grads, lr);
  if (t->config.max_norm > 0.0f)
    kd_mlp_max_norm (t->model, t->config.max_norm);

  t->cursor += B;
  if (report != NULL)
    {
      report->epoch = t->epoch;
      report->step = t->step;
      report->total_steps = kd_trainer_total_steps (t);
      report->batch_size = B;
      report->learning_rate = lr;
      report->loss = parts;
      report->epoch_done = t->cursor >= d->n;
    }
  t->step++;
  return 1;
}

void
kd_evaluate (KdMlp *model, const KdData *data, const float *teacher_probs, KdMetrics *metrics)
{
  const int C = data->n_classes, D = data->n_features;
  for (size_t start = 0; start < data->n; start += model->max_batch)
    {
      size_t left = data->n - start;
      int B = left < (size_t) model->max_batch ? (int) left : model->max_batch;
      const float *logits = kd_mlp_forward (model, data->features + start * D, B, false, NULL);
      kd_metrics_add (metrics, logits,
                      teacher_probs ? teacher_probs + start * C : NULL,
                      data->labels ? data->labels + start : NULL, B);
    }
}

#define CHECKPOINT_MAGIC "KDCKPT\0\1"
/* Version 2 added the jitter stream; version 1 blobs still load. */
#define CHECKPOINT_VERSION 2u
#define BYTE_ORDER_MARK 0x01020304u

typedef struct
{
  char     magic[8];
  uint32_t version;
  uint32_t byte_order;
  uint64_t n_params;
  uint64_t n_optimizer_state;
  uint64_t n_samples;
  int64_t  epoch;
  uint64_t cursor;
  int64_t  step;
  int64_t  optimizer_t;
  uint64_t shuffle_rng[4];
  uint64_t noise_rng[4];
  uint64_t jitter_rng[4];   /* from version 2 */
} CheckpointHeader;

/* How long the header of a blob of this version is. */
static size_t
header_size (uint32_t version)
{
  return version >= 2 ? sizeof (CheckpointHeader) : offsetof (CheckpointHeader, jitter_rng);
}

static size_t
optimizer_state_len (const KdTrainer *t)
{
  return t->optimizer->v != NULL ? 2 * t->optimizer->n : t->optimizer->n;
}

int
kd_trainer_epoch (const KdTrainer *t)
{
  return t->epoch;
}

size_t
kd_trainer_checkpoint_size (const KdTrainer *t)
{
  return sizeof (CheckpointHeader)
         + sizeof (float) * (t->model->n_params + optimizer_state_len (t))
         + sizeof (uint32_t) * t->data.n;
}

void
kd_trainer_checkpoint_save (const KdTrainer *t, void *blob)
{
  CheckpointHeader h;
  char *p = blob;

  memset (&h, 0, sizeof h);
  memcpy (h.magic, CHECKPOINT_MAGIC, 8);
  h.version = CHECKPOINT_VERSION;
  h.byte_order = BYTE_ORDER_MARK;
  h.n_params = t->model->n_params;
  h.n_optimizer_state = optimizer_state_len (t);
  h.n_samples = t->data.n;
  h.epoch = t->epoch;
  h.cursor = t->cursor;
  h.step = t->step;
  h.optimizer_t = t->optimizer->t;
  memcpy (h.shuffle_rng, t->shuffle_rng.s, sizeof h.shuffle_rng);
  memcpy (h.noise_rng, t->noise_rng.s, sizeof h.noise_rng);
  memcpy (h.jitter_rng, t->jitter_rng.s, sizeof h.jitter_rng);

  memcpy (p, &h, sizeof h);
  p += sizeof h;
  memcpy (p, t->model->params, sizeof (float) * h.n_params);
  p += sizeof (float) * h.n_params;
  memcpy (p, t->optimizer->state, sizeof (float) * h.n_optimizer_state);
  p += sizeof (float) * h.n_optimizer_state;
  memcpy (p, t->order, sizeof (uint32_t) * h.n_samples);
}

const char *
kd_trainer_checkpoint_load (KdTrainer *t, const void *blob, size_t size)
{
  CheckpointHeader h;
  const char *p = blob;
  size_t header;

  memset (&h, 0, sizeof h);
  if (size < header_size (1))
    return "the checkpoint is truncated";
  memcpy (&h, p, header_size (1));
  if (memcmp (h.magic, CHECKPOINT_MAGIC, 8) != 0)
    return "this is not a training checkpoint";
  if (h.version > CHECKPOINT_VERSION)
    return "the checkpoint comes from a newer version";
  header = header_size (h.version);
  if (size < header)
    return "the checkpoint is truncated";
  memcpy (&h, p, header);
  if (h.byte_order != BYTE_ORDER_MARK)
    return "the checkpoint was written on a machine of another byte order";
  if (h.n_params != t->model->n_params || h.n_optimizer_state != optimizer_state_len (t))
    return "the checkpoint belongs to another model or optimiser";
  if (h.n_samples != t->data.n)
    return "the checkpoint belongs to another training set";
  if (size != kd_trainer_checkpoint_size (t) - sizeof h + header)
    return "the checkpoint is truncated";
  if (h.epoch < -1 || h.epoch >= t->config.epochs || h.cursor > h.n_samples || h.step < 0)
    return "the checkpoint's position is out of range";

  p += header;
  const uint32_t *order = (const uint32_t *) (p + sizeof (float) * (h.n_params + h.n_optimizer_state));
  for (size_t i = 0; i < h.n_samples; i++)
    if (order[i] >= h.n_samples)
      return "the checkpoint's sample order is damaged";

  memcpy (t->model->params, p, sizeof (float) * h.n_params);
  p += sizeof (float) * h.n_params;
  memcpy (t->optimizer->state, p, sizeof (float) * h.n_optimizer_state);
  memcpy (t->order, order, sizeof (uint32_t) * h.n_samples);
  t->epoch = (int) h.epoch;
  t->cursor = h.cursor;
  t->step = h.step;
  t->optimizer->t = h.optimizer_t;
  memcpy (t->shuffle_rng.s, h.shuffle_rng, sizeof h.shuffle_rng);
  memcpy (t->noise_rng.s, h.noise_rng, sizeof h.noise_rng);
  /* A version 1 blob comes from a build without jitter, whose stream was
   * never drawn from: it stays as the trainer made it. */
  if (h.version >= 2)
    memcpy (t->jitter_rng.s, h.jitter_rng, sizeof h.jitter_rng);
  return NULL;
}

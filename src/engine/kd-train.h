/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The training loop, one mini-batch at a time, so that whoever drives it
 * (a worker thread, the CLI, a benchmark) can report progress, pause or
 * stop between any two steps. A trainer owns its model, optimiser and
 * every buffer a step needs; kd_trainer_step allocates nothing.
 *
 * With a teacher, the student trains on kd_loss_distill against the
 * teacher's answers, turned into targets at temperature T once, when the
 * trainer is made; without one, on cross-entropy with the labels. A
 * label-only teacher is always used at T = 1.
 */
#pragma once

#include <stdint.h>

#include "kd-loss.h"
#include "kd-metrics.h"
#include "kd-mlp.h"
#include "kd-optim.h"

typedef struct
{
  const float   *features;   /* [n, n_features] */
  const int32_t *labels;     /* [n] */
  size_t         n;
  int            n_features;
  int            n_classes;
  /* Images: their width and height in pixels (0 when the samples are not
   * images); input jitter needs them. */
  int            image_width, image_height;
} KdData;

typedef struct
{
  KdMlpConfig       model;
  KdInit            init;
  KdOptimizerConfig optimizer;
  KdSchedule        schedule;
  int               epochs;
  int               batch_size;
  uint64_t          seed;
  float             label_smoothing;
  /* Each training image shifted by up to this many whole pixels
   * (kd-augment.h); 0: none. */
  int               jitter;
  /* Each hidden unit's incoming weights kept to an L2 norm of at most
   * this after every step (kd-constraint.h); 0: no limit. */
  float             max_norm;
  /* Used only with a teacher. */
  KdTeacherKind     teacher_kind;
  float             temperature;
  float             alpha;
  int               top_k;
} KdTrainConfig;

typedef struct
{
  int         epoch;        /* 0-based */
  long        step;         /* 0-based, over the whole run */
  long        total_steps;
  int         batch_size;   /* of this step; the last of an epoch may be short */
  float       learning_rate;
  KdLossParts loss;
  int         epoch_done;   /* this step ended an epoch */
} KdStepReport;

typedef struct KdTrainer KdTrainer;

/* Defaults: ReLU, He, SGD momentum 0.9 at 0.01, batch 64, 10 epochs, T 4, alpha 0.9. */
void       kd_train_config_init (KdTrainConfig *config);

/* teacher_answers [n, n_classes] as config->teacher_kind says, or NULL.
 * Returns NULL and sets *error (a static message) when the configuration
 * does not fit the data or memory runs out. */
KdTrainer *kd_trainer_new   (const KdTrainConfig *config, const KdData *train,
                             const float *teacher_answers, const char **error);
void       kd_trainer_free  (KdTrainer *trainer);
/* One step. Returns 1 when a step was taken, 0 when training is over. */
int        kd_trainer_step  (KdTrainer *trainer, KdStepReport *report);
long       kd_trainer_total_steps (const KdTrainer *trainer);
KdMlp     *kd_trainer_model (KdTrainer *trainer);

/* Checkpoints: everything needed to continue a run exactly where it was
 * (parameters, optimiser state and step count, every random stream, the
 * epoch's sample order and position). Restoring into a trainer made from
 * the same configuration and data, then stepping on, gives bit-identical
 * results to a run that never stopped. The blob starts with a magic and a
 * version; numbers are in the machine's byte order, which the header
 * records so that a foreign blob is refused rather than misread. */
size_t     kd_trainer_checkpoint_size (const KdTrainer *trainer);
void       kd_trainer_checkpoint_save (const KdTrainer *trainer, void *blob);
/* Returns NULL on success, else a message saying why the blob does not fit. */
const char *kd_trainer_checkpoint_load (KdTrainer *trainer, const void *blob, size_t size);
int        kd_trainer_epoch (const KdTrainer *trainer);

/* Evaluates a model on data; teacher_probs [n, C] at T = 1 or NULL.
 * metrics must have been initialised for data->n_classes. */
void       kd_evaluate (KdMlp *model, const KdData *data,
                        const float *teacher_probs, KdMetrics *metrics);

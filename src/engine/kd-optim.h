/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Optimisers and learning-rate schedules over one flat parameter vector.
 * The update rules follow PyTorch's torch.optim.SGD, Adam and AdamW (2.x
 * documentation), so that a run here and there take the same steps:
 *
 *   SGD    g += wd * p;  v = mu * v + g;  p -= lr * (nesterov ? g + mu * v : v)
 *   Adam   g += wd * p;  m, v moments;    p -= lr * m^ / (sqrt(v^) + eps)
 *   AdamW  p *= 1 - lr * wd;  then Adam without the wd term in g
 *
 * Weight decay applies to every parameter, biases included, as PyTorch's
 * default parameter groups do.
 */
#pragma once

#include <stddef.h>

typedef enum
{
  KD_OPTIMIZER_SGD,
  KD_OPTIMIZER_ADAM,
  KD_OPTIMIZER_ADAMW,
} KdOptimizerKind;

typedef struct
{
  KdOptimizerKind kind;
  float learning_rate;
  float momentum;        /* SGD */
  int   nesterov;        /* SGD */
  float weight_decay;
  float beta1, beta2, eps;  /* Adam, AdamW */
} KdOptimizerConfig;

typedef struct
{
  KdOptimizerConfig config;
  size_t n;
  long   t;           /* steps taken, for Adam's bias correction */
  float *state;       /* one allocation: SGD velocity, or Adam m then v */
  float *m, *v;
} KdOptimizer;

/* Defaults: SGD lr 0.01 momentum 0.9; Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
void         kd_optimizer_config_init (KdOptimizerConfig *config, KdOptimizerKind kind);
const char  *kd_optimizer_name        (KdOptimizerKind kind);
int          kd_optimizer_from_name   (const char *name);

KdOptimizer *kd_optimizer_new   (const KdOptimizerConfig *config, size_t n_params);
void         kd_optimizer_free  (KdOptimizer *opt);
void         kd_optimizer_reset (KdOptimizer *opt);
/* One update of params[n] from grads[n] at learning rate lr. */
void         kd_optimizer_step  (KdOptimizer *opt, float *params, const float *grads, float lr);

typedef enum
{
  KD_SCHEDULE_CONSTANT,
  KD_SCHEDULE_STEP,     /* lr * gamma^floor(epoch / step_epochs) */
  KD_SCHEDULE_COSINE,   /* linear warm-up, then cosine down to min_factor * lr */
} KdScheduleKind;

/* Durations are in epochs, as users think of them; fractions are fine. */
typedef struct
{
  KdScheduleKind kind;
  float step_epochs;    /* STEP: epochs between decays */
  float gamma;          /* STEP: factor per decay */
  float warmup_epochs;  /* COSINE: linear warm-up from lr / warm-up steps */
  float min_factor;     /* COSINE: final lr as a fraction of the base */
} KdSchedule;

const char *kd_schedule_name      (KdScheduleKind kind);
int         kd_schedule_from_name (const char *name);
/* Learning rate for 0-based step `step` of `total` steps, with
 * steps_per_epoch steps in an epoch. */
float       kd_schedule_lr        (const KdSchedule *schedule, float base_lr,
                                   long step, long steps_per_epoch, long total);

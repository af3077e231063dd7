/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SGD, Adam, AdamW and learning-rate schedules; see kd-optim.h.
 */
#include "kd-optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const optimizer_names[] = {
  [KD_OPTIMIZER_SGD] = "sgd",
  [KD_OPTIMIZER_ADAM] = "adam",
  [KD_OPTIMIZER_ADAMW] = "adamw",
};

static const char *const schedule_names[] = {
  [KD_SCHEDULE_CONSTANT] = "constant",
  [KD_SCHEDULE_STEP] = "step",
  [KD_SCHEDULE_COSINE] = "cosine",
};

static int
name_index (const char *const *names, int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (name != NULL && strcmp (names[i], name) == 0)
      return i;
  return -1;
}

const char *
kd_optimizer_name (KdOptimizerKind kind)
{
  return (unsigned) kind < 3 ? optimizer_names[kind] : "unknown";
}

int
kd_optimizer_from_name (const char *name)
{
  return name_index (optimizer_names, 3, name);
}

const char *
kd_schedule_name (KdScheduleKind kind)
{
  return (unsigned) kind < 3 ? schedule_names[kind] : "unknown";
}

int
kd_schedule_from_name (const char *name)
{
  return name_index (schedule_names, 3, name);
}

void
kd_optimizer_config_init (KdOptimizerConfig *config, KdOptimizerKind kind)
{
  memset (config, 0, sizeof *config);
  config->kind = kind;
  config->beta1 = 0.9f;
  config->beta2 = 0.999f;
  config->eps = 1e-8f;
  if (kind == KD_OPTIMIZER_SGD)
    {
      config->learning_rate = 0.01f;
      config->momentum = 0.9f;
    }
  else
    {
      config->learning_rate = 1e-3f;
      if (kind == KD_OPTIMIZER_ADAMW)
        config->weight_decay = 0.01f;
    }
}

KdOptimizer *
kd_optimizer_new (const KdOptimizerConfig *config, size_t n_params)
{
  KdOptimizer *opt = calloc (1, sizeof *opt);
  if (opt == NULL)
    return NULL;
  opt->config = *config;
  opt->n = n_params;
  size_t n_state = config->kind == KD_OPTIMIZER_SGD ? n_params : 2 * n_params;
  opt->state = calloc (n_state ? n_state : 1, sizeof (float));
  if (opt->state == NULL)
    {
      free (opt);
      return NULL;
    }
  opt->m = opt->state;
  opt->v = config->kind == KD_OPTIMIZER_SGD ? NULL : opt->state + n_params;
  return opt;
}

void
kd_optimizer_free (KdOptimizer *opt)
{
  if (opt == NULL)
    return;
  free (opt->state);
  free (opt);
}

void
kd_optimizer_reset (KdOptimizer *opt)
{
  size_t n_state = opt->v != NULL ? 2 * opt->n : opt->n;
  memset (opt->state, 0, n_state * sizeof (float));
  opt->t = 0;
}

static void
sgd_step (KdOptimizer *opt, float *p, const float *g, float lr)
{
  const float mu = opt->config.momentum, wd = opt->config.weight_decay;
  float *v = opt->m;
  size_t n = opt->n;

  if (mu == 0.0f)
    {
      for (size_t i = 0; i < n; i++)
        p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
  if (opt->config.nesterov)
    for (size_t i = 0; i < n; i++)
      {
        float gi = g[i] + wd * p[i];
        v[i] = mu * v[i] + gi;
        p[i] -= lr * (gi + mu * v[i]);
      }
  else
    for (size_t i = 0; i < n; i++)
      {
        v[i] = mu * v[i] + g[i] + wd * p[i];
        p[i] -= lr * v[i];
      }
}

static void
adam_step (KdOptimizer *opt, float *p, const float *g, float lr)
{
  const KdOptimizerConfig *c = &opt->config;
  const float b1 = c->beta1, b2 = c->beta2, eps = c->eps;
  const int decoupled = c->kind == KD_OPTIMIZER_ADAMW;
  const float l2 = decoupled ? 0.0f : c->weight_decay;
  const float shrink = decoupled ? 1.0f - lr * c->weight_decay : 1.0f;
  float *m = opt->m, *v = opt->v;

  opt->t++;
  /* PyTorch's arrangement: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps). */
  const float bc1 = 1.0f - powf (b1, (float) opt->t);
  const float bc2_sqrt = sqrtf (1.0f - powf (b2, (float) opt->t));
  const float step_size = lr / bc1;

  for (size_t i = 0; i < opt->n; i++)
    {
      float gi = g[i] + l2 * p[i];
      p[i] *= shrink;
      m[i] = b1 * m[i] + (1.0f - b1) * gi;
      v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
      p[i] -= step_size * m[i] / (sqrtf (v[i]) / bc2_sqrt + eps);
    }
}

void
kd_optimizer_step (KdOptimizer *opt, float *params, const float *grads, float lr)
{
  if (opt->config.kind == KD_OPTIMIZER_SGD)
    sgd_step (opt, params, grads, lr);
  else
    adam_step (opt, params, grads, lr);
}

float
kd_schedule_lr (const KdSchedule *s, float base_lr, long step, long steps_per_epoch, long total)
{
  switch (s->kind)
    {
    case KD_SCHEDULE_STEP:
      {
        long every = lround (s->step_epochs * steps_per_epoch);
        if (every <= 0)
          return base_lr;
        return base_lr * powf (s->gamma, (float) (step / every));
      }

    case KD_SCHEDULE_COSINE:
      {
        long warmup = lround (s->warmup_epochs * steps_per_epoch);
        if (step < warmup)
          return base_lr * (float) (step + 1) / (float) warmup;
        long span = total - warmup;
        double progress = span > 1 ? (double) (step - warmup) / (span - 1) : 1.0;
        if (progress > 1.0)
          progress = 1.0;
        double min_lr = base_lr * s->min_factor;
        return (float) (min_lr + (base_lr - min_lr) * 0.5 * (1.0 + cos (M_PI * progress)));
      }

    case KD_SCHEDULE_CONSTANT:
    default:
      return base_lr;
    }
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A multi-layer perceptron: the teachers and students of the workbench.
 *
 * Memory follows llm.c: parameters, gradients and activations each live
 * in one allocation, with pointers into it, so zeroing the gradients is one
 * memset, the optimiser walks one flat vector, and a checkpoint is one
 * write. Everything a training step touches is allocated by kd_mlp_new for
 * batches of up to max_batch samples: a step allocates nothing.
 *
 * Layer l maps sizes[l] inputs to sizes[l + 1] outputs; the last layer has
 * no activation and yields logits. Parameters are laid out layer by layer,
 * weight [out, in] then bias [out], as PyTorch's state_dict orders them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kd-activation.h"
#include "kd-rng.h"

#define KD_MLP_MAX_HIDDEN 8

typedef enum
{
  KD_INIT_HE,      /* N(0, 2 / fan_in), for ReLU-like activations */
  KD_INIT_XAVIER,  /* U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for tanh/sigmoid */
} KdInit;

typedef struct
{
  int   n_inputs;
  int   n_classes;
  int   n_hidden;                      /* number of hidden layers */
  int   hidden[KD_MLP_MAX_HIDDEN];     /* their widths */
  KdActivation activation;
  float dropout_input;                 /* inverted dropout on the inputs, training only */
  float dropout_hidden;                /* ... and after each hidden activation */
  float input_noise;                   /* std of Gaussian noise added to inputs, training only */
} KdMlpConfig;

typedef struct
{
  KdMlpConfig config;
  int     n_layers;
  int     sizes[KD_MLP_MAX_HIDDEN + 2];
  int     max_batch;

  size_t  n_params;
  float  *params;                          /* one allocation */
  float  *grads;                           /* one allocation, same layout */
  float  *weight[KD_MLP_MAX_HIDDEN + 1], *bias[KD_MLP_MAX_HIDDEN + 1];
  float  *d_weight[KD_MLP_MAX_HIDDEN + 1], *d_bias[KD_MLP_MAX_HIDDEN + 1];

  float  *acts;                            /* one allocation for all below */
  float  *input;                           /* inputs after noise / dropout */
  float  *input_mask;
  float  *pre[KD_MLP_MAX_HIDDEN + 1];      /* before activation; pre[last] = logits */
  float  *post[KD_MLP_MAX_HIDDEN + 1];     /* after activation */
  float  *dropped[KD_MLP_MAX_HIDDEN + 1];  /* after dropout (NULL without) */
  float  *mask[KD_MLP_MAX_HIDDEN + 1];
  float  *grad_a, *grad_b;                 /* ping-pong buffers for backward */

  const float *layer_input[KD_MLP_MAX_HIDDEN + 1];  /* set by forward */
  bool    dropout_active;
} KdMlp;

/* Returns NULL when the configuration is invalid or memory runs out. */
KdMlp       *kd_mlp_new        (const KdMlpConfig *config, int max_batch);
void         kd_mlp_free       (KdMlp *mlp);
/* Checks a configuration; returns NULL when valid, else a message. */
const char  *kd_mlp_config_check (const KdMlpConfig *config);

void         kd_mlp_init       (KdMlp *mlp, KdInit init, KdRng *rng);
void         kd_mlp_zero_grad  (KdMlp *mlp);

/* Forward pass over x[B, n_inputs], B <= max_batch. In training mode the
 * input noise and dropout draw from rng. Returns the logits [B, n_classes],
 * which stay valid until the next forward. */
const float *kd_mlp_forward    (KdMlp *mlp, const float *x, int B, bool train, KdRng *rng);
/* Writes into mlp->grads (overwriting them: no kd_mlp_zero_grad needed)
 * the gradient of the loss whose gradient with respect to the logits of
 * the last forward is d_logits[B, n_classes]. */
void         kd_mlp_backward   (KdMlp *mlp, const float *d_logits, int B);

/* Inference over any number of samples, in chunks of max_batch. */
void         kd_mlp_predict    (KdMlp *mlp, float *logits, const float *x, size_t n);

/* A trained model as one blob: a magic, a version, a byte-order mark, the
 * architecture, then the parameters. Dropout and noise settings are not
 * kept: they matter only in training. */
size_t       kd_mlp_blob_size (const KdMlp *mlp);
void         kd_mlp_blob_save (const KdMlp *mlp, void *blob);
/* Returns a model for batches of up to max_batch, or NULL and *error. */
KdMlp       *kd_mlp_blob_load (const void *blob, size_t size, int max_batch, const char **error);

/* Floating-point operations of one forward pass per sample (2 per
 * multiply-add); a training step costs three times this. */
double       kd_mlp_flops_per_sample (const KdMlp *mlp);

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Element-wise pieces of a network: activations, inverted dropout and
 * Gaussian input noise. Backward passes take both the pre-activation and
 * the activation so that each function uses whichever is cheaper (ReLU,
 * tanh and sigmoid need only the output; GELU needs the input).
 * d_in may alias d_out.
 */
#pragma once

#include <stddef.h>

#include "kd-rng.h"

typedef enum
{
  KD_ACT_NONE,
  KD_ACT_RELU,
  KD_ACT_GELU,     /* exact: x * Phi(x), as PyTorch's default */
  KD_ACT_TANH,
  KD_ACT_SIGMOID,
} KdActivation;

const char  *kd_activation_name      (KdActivation act);
/* Returns -1 for an unknown name. */
int          kd_activation_from_name (const char *name);

void kd_activation_forward  (float *out, const float *in, size_t n, KdActivation act);
void kd_activation_backward (float *d_in, const float *d_out, const float *in,
                             const float *out, size_t n, KdActivation act);

/* Adds bias[O] to each row of x[B,O] and writes act(x) to out, in one pass. */
void kd_bias_activation_forward (float *out, float *x, const float *bias,
                                 int B, int O, KdActivation act);

/* Inverted dropout: x[i] is kept with probability 1 - p and scaled by
 * 1 / (1 - p), so that evaluation needs no rescaling. mask keeps the factor
 * (0 or 1 / (1 - p)) for the backward pass, which is d *= mask. */
void kd_dropout_forward  (float *x, float *mask, size_t n, float p, KdRng *rng);
void kd_dropout_backward (float *d, const float *mask, size_t n);

/* x[i] += sigma * N(0, 1). */
void kd_gaussian_noise (float *x, size_t n, float sigma, KdRng *rng);

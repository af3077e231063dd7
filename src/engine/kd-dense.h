/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dense (fully connected) layers. Weights are stored as PyTorch stores
 * them, weight[O][I] row-major, so checkpoints and parity fixtures map one
 * to one and each product is a single cblas_sgemm:
 *
 *   forward   out[B,O]  = in[B,I] . weight[O,I]^T + bias[O]
 *   backward  d_in[B,I] = d_out[B,O] . weight[O,I]        (overwrites)
 *             d_weight (+)= d_out[B,O]^T . in[B,I]
 *             d_bias   (+)= column sums of d_out
 *
 * where the parameter gradients are added to what they hold when
 * `accumulate` is true and overwrite it otherwise: a training step that
 * overwrites needs no pass zeroing them first, and BLAS need not read
 * them. I = n_in and O = n_out (cblas.h pulls in complex.h, whose macro I
 * rules out the short names as identifiers).
 *
 * The *_naive versions are plain loops kept as the reference the tests
 * hold the BLAS path against.
 */
#pragma once

#include <stdbool.h>

void kd_dense_forward        (float       *out,      /* [B,n_out] */
                              const float *in,       /* [B,n_in] */
                              const float *weight,   /* [n_out,n_in] */
                              const float *bias,     /* [n_out] or NULL */
                              int B, int n_in, int n_out);

void kd_dense_backward       (float       *d_in,     /* [B,n_in] or NULL */
                              float       *d_weight, /* [n_out,n_in] */
                              float       *d_bias,   /* [n_out] or NULL */
                              const float *d_out,    /* [B,n_out] */
                              const float *in,       /* [B,n_in] */
                              const float *weight,   /* [n_out,n_in] */
                              int B, int n_in, int n_out, bool accumulate);

void kd_dense_forward_naive  (float *out, const float *in, const float *weight,
                              const float *bias, int B, int n_in, int n_out);
void kd_dense_backward_naive (float *d_in, float *d_weight, float *d_bias,
                              const float *d_out, const float *in,
                              const float *weight, int B, int n_in, int n_out,
                              bool accumulate);

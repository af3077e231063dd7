/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input jitter: each training image is shifted by a whole number of
 * pixels, dx and dy drawn independently and uniformly from [-s, s], as
 * Hinton, Vinyals and Dean jittered MNIST digits "by up to two pixels in
 * any direction". Pixels shifted in from outside the image are 0, the
 * background of MNIST-like images (which keep their [0, 1] scale).
 *
 * A sample of n_features values is read as n_features / (width * height)
 * planes of width x height pixels, row by row; every plane moves alike.
 */
#pragma once

#include "kd-rng.h"

/* NULL when images of this shape can be jittered by up to max_shift
 * pixels, else a message saying why not. */
const char *kd_jitter_check (int n_features, int width, int height, int max_shift);

/* Copies one sample from in to out shifted by (dx, dy): out[y][x] =
 * in[y - dy][x - dx], 0 outside. out and in must not overlap. */
void        kd_jitter_shift (float *out, const float *in, int n_features,
                             int width, int height, int dx, int dy);

/* Copies one sample shifted by a random (dx, dy) in [-max_shift,
 * max_shift]^2; draws exactly two numbers from rng, dx first. */
void        kd_jitter_sample (float *out, const float *in, int n_features,
                              int width, int height, int max_shift, KdRng *rng);

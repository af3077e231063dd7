/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's one source of randomness: xoshiro256** (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", 2021) seeded through
 * splitmix64, so that a 64-bit seed gives the same stream on every machine.
 * Normal deviates use the Box-Muller transform in double precision.
 * Same seed and same BLAS thread count give a bit-identical run.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct
{
  uint64_t s[4];
} KdRng;

void     kd_rng_seed    (KdRng *rng, uint64_t seed);
uint64_t kd_rng_next    (KdRng *rng);
/* Uniform in [0, 1) with 24 random bits. */
float    kd_rng_uniform (KdRng *rng);
/* Standard normal deviate. */
float    kd_rng_normal  (KdRng *rng);
/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint32_t kd_rng_below   (KdRng *rng, uint32_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void     kd_rng_shuffle (KdRng *rng, uint32_t *idx, size_t n);
/* Derive an independent stream: a child seeded from the parent's output
 * mixed with `stream`, so that e.g. dropout and shuffling do not share one. */
void     kd_rng_fork    (KdRng *child, const KdRng *parent, uint64_t stream);

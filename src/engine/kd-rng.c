/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * xoshiro256** and splitmix64; see kd-rng.h for why these.
 */
#include "kd-rng.h"

#include <math.h>

static uint64_t
splitmix64 (uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline uint64_t
rotl (uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

void
kd_rng_seed (KdRng *rng, uint64_t seed)
{
  uint64_t sm = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&sm);
}

uint64_t
kd_rng_next (KdRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = rotl (s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
kd_rng_uniform (KdRng *rng)
{
  return (float) (kd_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

float
kd_rng_normal (KdRng *rng)
{
  /* Box-Muller with 53-bit uniforms; u1 in (0, 1] keeps log() finite. */
  double u1 = ((kd_rng_next (rng) >> 11) + 1) * (1.0 / 9007199254740992.0);
  double u2 = (kd_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
  return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2));
}

uint32_t
kd_rng_below (KdRng *rng, uint32_t n)
{
  /* Lemire's multiply-shift with rejection. */
  uint64_t m = (uint64_t) (uint32_t) (kd_rng_next (rng) >> 32) * n;
  uint32_t low = (uint32_t) m;
  if (low < n)
    {
      uint32_t threshold = -n % n;
      while (low < threshold)
        {
          m = (uint64_t) (uint32_t) (kd_rng_next (rng) >> 32) * n;
          low = (uint32_t) m;
        }
    }
  return (uint32_t) (m >> 32);
}

void
kd_rng_shuffle (KdRng *rng, uint32_t *idx, size_t n)
{
  for (size_t i = n; i > 1; i--)
    {
      size_t j = kd_rng_below (rng, (uint32_t) i);
      uint32_t tmp = idx[i - 1];
      idx[i - 1] = idx[j];
      idx[j] = tmp;
    }
}

void
kd_rng_fork (KdRng *child, const KdRng *parent, uint64_t stream)
{
  KdRng copy = *parent;
  kd_rng_seed (child, kd_rng_next (&copy) ^ (stream * 0xd1342543de82ef95ull));
}

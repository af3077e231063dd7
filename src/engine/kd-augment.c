/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input jitter by whole pixels; see kd-augment.h.
 */
#include "kd-augment.h"

#include <string.h>

const char *
kd_jitter_check (int n_features, int width, int height, int max_shift)
{
  if (max_shift < 0)
    return "the input jitter must be at least 0 pixels";
  if (max_shift == 0)
    return NULL;
  if (width <= 0 || height <= 0)
    return "input jitter shifts images, and these samples are not images (they have no width and height)";
  if (n_features % (width * height) != 0)
    return "input jitter needs samples made of whole images of the data set's width and height";
  if (max_shift >= width || max_shift >= height)
    return "the input jitter must be less than the images' width and height";
  return NULL;
}

void
kd_jitter_shift (float *out, const float *in, int n_features, int width, int height, int dx, int dy)
{
  const int plane = width * height, planes = n_features / plane;
  /* The source columns that land inside the image: x - dx in [0, width). */
  const int x0 = dx > 0 ? dx : 0, x1 = dx < 0 ? width + dx : width;

  memset (out, 0, sizeof (float) * (size_t) n_features);
  if (x1 <= x0)
    return;
  for (int p = 0; p < planes; p++)
    for (int y = 0; y < height; y++)
      {
        int from = y - dy;
        if (from < 0 || from >= height)
          continue;
        memcpy (out + (size_t) p * plane + (size_t) y * width + x0,
                in + (size_t) p * plane + (size_t) from * width + (x0 - dx),
                sizeof (float) * (size_t) (x1 - x0));
      }
}

void
kd_jitter_sample (float *out, const float *in, int n_features, int width, int height,
                  int max_shift, KdRng *rng)
{
  const uint32_t choices = 2u * (uint32_t) max_shift + 1u;
  int dx = (int) kd_rng_below (rng, choices) - max_shift;
  int dy = (int) kd_rng_below (rng, choices) - max_shift;
  kd_jitter_shift (out, in, n_features, width, height, dx, dy);
}

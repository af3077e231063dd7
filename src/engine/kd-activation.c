/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Activations, dropout and input noise; see kd-activation.h.
 */
#include "kd-activation.h"

#include <math.h>
#include <string.h>

static const char *const activation_names[] = {
  [KD_ACT_NONE] = "none",
  [KD_ACT_RELU] = "relu",
  [KD_ACT_GELU] = "gelu",
  [KD_ACT_TANH] = "tanh",
  [KD_ACT_SIGMOID] = "sigmoid",
};

const char *
kd_activation_name (KdActivation act)
{
  if ((unsigned) act >= sizeof activation_names / sizeof activation_names[0])
    return "unknown";
  return activation_names[act];
}

int
kd_activation_from_name (const char *name)
{
  for (unsigned i = 0; i < sizeof activation_names / sizeof activation_names[0]; i++)
    if (name != NULL && strcmp (name, activation_names[i]) == 0)
      return (int) i;
  return -1;
}

static inline float
gelu (float x)
{
  return 0.5f * x * (1.0f + erff (x * (float) M_SQRT1_2));
}

static inline float
gelu_grad (float x)
{
  float cdf = 0.5f * (1.0f + erff (x * (float) M_SQRT1_2));
  float pdf = expf (-0.5f * x * x) * (float) (0.5 * M_2_SQRTPI * M_SQRT1_2);
  return cdf + x * pdf;
}

static inline float
sigmoid (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

void
kd_activation_forward (float *out, const float *in, size_t n, KdActivation act)
{
  switch (act)
    {
    case KD_ACT_NONE:
      if (out != in)
        memmove (out, in, n * sizeof (float));
      break;
    case KD_ACT_RELU:
      for (size_t i = 0; i < n; i++)
        out[i] = in[i] > 0.0f ? in[i] : 0.0f;
      break;
    case KD_ACT_GELU:
      for (size_t i = 0; i < n; i++)
        out[i] = gelu (in[i]);
      break;
    case KD_ACT_TANH:
      for (size_t i = 0; i < n; i++)
        out[i] = tanhf (in[i]);
      break;
    case KD_ACT_SIGMOID:
      for (size_t i = 0; i < n; i++)
        out[i] = sigmoid (in[i]);
      break;
    }
}

void
kd_activation_backward (float       *d_in,
                        const float *d_out,
                        const float *in,
                        const float *out,
                        size_t       n,
                        KdActivation act)
{
  switch (act)
    {
    case KD_ACT_NONE:
      if (d_in != d_out)
        memmove (d_in, d_out, n * sizeof (float));
      break;
    case KD_ACT_RELU:
      /* Both loads unconditional, so the select vectorises. */
      for (size_t i = 0; i < n; i++)
        {
          float g = d_out[i];
          d_in[i] = out[i] > 0.0f ? g : 0.0f;
        }
      break;
    case KD_ACT_GELU:
      for (size_t i = 0; i < n; i++)
        d_in[i] = d_out[i] * gelu_grad (in[i]);
      break;
    case KD_ACT_TANH:
      for (size_t i = 0; i < n; i++)
        d_in[i] = d_out[i] * (1.0f - out[i] * out[i]);
      break;
    case KD_ACT_SIGMOID:
      for (size_t i = 0; i < n; i++)
        d_in[i] = d_out[i] * out[i] * (1.0f - out[i]);
      break;
    }
}

void
kd_bias_activation_forward (float       *out,
                            float       *x,
                            const float *bias,
                            int B, int O,
                            KdActivation act)
{
  /* One pass per row while it is in cache: bias, then activation. */
  for (int b = 0; b < B; b++)
    {
      float *restrict row = x + (size_t) b * O;
      if (bias != NULL)
        for (int o = 0; o < O; o++)
          row[o] += bias[o];
      kd_activation_forward (out + (size_t) b * O, row, (size_t) O, act);
    }
}

void
kd_dropout_forward (float *x, float *mask, size_t n, float p, KdRng *rng)
{
  float keep = 1.0f / (1.0f - p);
  for (size_t i = 0; i < n; i++)
    {
      mask[i] = kd_rng_uniform (rng) >= p ? keep : 0.0f;
      x[i] *= mask[i];
    }
}

void
kd_dropout_backward (float *d, const float *mask, size_t n)
{
  for (size_t i = 0; i < n; i++)
    d[i] *= mask[i];
}

void
kd_gaussian_noise (float *x, size_t n, float sigma, KdRng *rng)
{
  for (size_t i = 0; i < n; i++)
    x[i] += sigma * kd_rng_normal (rng);
}

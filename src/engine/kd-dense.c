/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dense layers on CBLAS, and the naive loops they are checked against.
 */
#include "kd-dense.h"

#include <cblas.h>
#include <string.h>

void
kd_dense_forward (float       *out,
                  const float *in,
                  const float *weight,
                  const float *bias,
                  int B, int n_in, int n_out)
{
  /* Broadcasting the bias first lets sgemm add the product with beta = 1,
   * so the output is written once by us and read-modified once by BLAS. */
  float beta = 0.0f;
  if (bias != NULL)
    {
      for (int b = 0; b < B; b++)
        memcpy (out + (size_t) b * n_out, bias, sizeof (float) * n_out);
      beta = 1.0f;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n_out, n_in,
               1.0f, in, n_in, weight, n_in, beta, out, n_out);
}

void
kd_dense_backward (float       *d_in,
                   float       *d_weight,
                   float       *d_bias,
                   const float *d_out,
                   const float *in,
                   const float *weight,
                   int B, int n_in, int n_out, bool accumulate)
{
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n_out, n_in, B,
               1.0f, d_out, n_out, in, n_in, accumulate ? 1.0f : 0.0f, d_weight, n_in);
  if (d_bias != NULL)
    {
      if (!accumulate)
        memset (d_bias, 0, sizeof (float) * n_out);
      for (int b = 0; b < B; b++)
        {
          const float *row = d_out + (size_t) b * n_out;
          for (int o = 0; o < n_out; o++)
            d_bias[o] += row[o];
        }
    }
  if (d_in != NULL)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n_in, n_out,
                 1.0f, d_out, n_out, weight, n_in, 0.0f, d_in, n_in);
}

void
kd_dense_forward_naive (float       *out,
                        const float *in,
                        const float *weight,
                        const float *bias,
                        int B, int n_in, int n_out)
{
  for (int b = 0; b < B; b++)
    for (int o = 0; o < n_out; o++)
      {
        double acc = bias ? bias[o] : 0.0;
        for (int i = 0; i < n_in; i++)
          acc += (double) in[(size_t) b * n_in + i] * weight[(size_t) o * n_in + i];
        out[(size_t) b * n_out + o] = (float) acc;
      }
}

void
kd_dense_backward_naive (float       *d_in,
                         float       *d_weight,
                         float       *d_bias,
                         const float *d_out,
                         const float *in,
                         const float *weight,
                         int B, int n_in, int n_out, bool accumulate)
{
  for (int o = 0; o < n_out; o++)
    {
      for (int i = 0; i < n_in; i++)
        {
          double acc = 0.0;
          for (int b = 0; b < B; b++)
            acc += (double) d_out[(size_t) b * n_out + o] * in[(size_t) b * n_in + i];
          d_weight[(size_t) o * n_in + i] = (accumulate ? d_weight[(size_t) o * n_in + i] : 0.0f) + (float) acc;
        }
      if (d_bias != NULL)
        {
          double acc = 0.0;
          for (int b = 0; b < B; b++)
            acc += d_out[(size_t) b * n_out + o];
          d_bias[o] = (accumulate ? d_bias[o] : 0.0f) + (float) acc;
        }
    }
  if (d_in != NULL)
    for (int b = 0; b < B; b++)
      for (int i = 0; i < n_in; i++)
        {
          double acc = 0.0;
          for (int o = 0; o < n_out; o++)
            acc += (double) d_out[(size_t) b * n_out + o] * weight[(size_t) o * n_in + i];
          d_in[(size_t) b * n_in + i] = (float) acc;
        }
}

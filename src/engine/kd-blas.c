/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thread control for the BLAS in use; OpenBLAS has its own calls, any
 * other CBLAS is taken as it comes.
 */
#include "kd-blas.h"

#include <cblas.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void
kd_blas_set_threads (int n)
{
#ifdef OPENBLAS_VERSION
  if (n <= 0)
    n = (int) sysconf (_SC_NPROCESSORS_ONLN);
  openblas_set_num_threads (n);
#else
  (void) n;
#endif
}

int
kd_blas_get_threads (void)
{
#ifdef OPENBLAS_VERSION
  return openblas_get_num_threads ();
#else
  return 1;
#endif
}

const char *
kd_blas_describe (void)
{
#ifdef OPENBLAS_VERSION
  return openblas_get_config ();
#else
  return "CBLAS";
#endif
}

static double
now_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double
kd_blas_sgemm_peak (int n, int repeats)
{
  size_t nn = (size_t) n * n;
  float *a = malloc (3 * nn * sizeof (float));
  double best = 0.0;

  if (a == NULL)
    return 0.0;
  for (size_t i = 0; i < 3 * nn; i++)
    a[i] = (float) ((i * 2654435761u) % 1000) * 1e-3f - 0.5f;
  for (int r = 0; r <= repeats; r++)
    {
      double t = now_seconds ();
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n,
                   1.0f, a, n, a + nn, n, 0.0f, a + 2 * nn, n);
      t = now_seconds () - t;
      /* The first call warms caches and BLAS's thread pool. */
      if (r > 0 && t > 0 && 2.0 * nn * n / t / 1e9 > best)
        best = 2.0 * nn * n / t / 1e9;
    }
  free (a);
  return best;
}

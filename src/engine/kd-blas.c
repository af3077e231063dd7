/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thread control for the BLAS in use; OpenBLAS has its own calls, any
 * other CBLAS is taken as it comes.
 */
#include "kd-blas.h"

#include <cblas.h>
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

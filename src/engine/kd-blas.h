/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The BLAS library's own knobs: how many threads its kernels use, and
 * what it is. Kept here so that nothing above the engine includes
 * OpenBLAS headers.
 */
#pragma once

/* Threads BLAS kernels may use; n <= 0 means every core. */
void        kd_blas_set_threads (int n);
int         kd_blas_get_threads (void);
const char *kd_blas_describe    (void);

/* Best GFLOP/s of `repeats` square n x n x n sgemm calls, with the current
 * thread setting: the peak a training step's products are held against. */
double      kd_blas_sgemm_peak  (int n, int repeats);

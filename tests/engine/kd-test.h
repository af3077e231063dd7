/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers the engine's test suites share: seeded test data, and one rule
 * for "close enough" so that every suite states its tolerance the same way.
 */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "kd-rng.h"

/* x[i] uniform in [lo, hi), from rng. */
void     kd_test_fill_uniform  (float *x, size_t n, float lo, float hi, KdRng *rng);

/* The tolerance rule of every engine test:
 *
 *   |actual - expected| <= atol + rtol * |expected|
 *
 * (NumPy's allclose). A NaN or infinity on either side never passes. */
gboolean kd_test_close         (double actual, double expected, double rtol, double atol);

/* Fails the current test, naming `what` and the first element out of
 * tolerance, unless every actual[i] is close to expected[i]. A NaN in
 * expected marks an element to skip. Returns whether all were close; with
 * --verbose also reports how much of the tolerance the worst element used. */
gboolean kd_test_assert_close  (const char  *what,
                                const float *actual,
                                const float *expected,
                                size_t       n,
                                double       rtol,
                                double       atol);

/* The same for one value. */
gboolean kd_test_assert_value  (const char *what,
                                double      actual,
                                double      expected,
                                double      rtol,
                                double      atol);

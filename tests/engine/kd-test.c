/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared helpers of the engine's test suites; see kd-test.h.
 */
#include "kd-test.h"

#include <math.h>

void
kd_test_fill_uniform (float *x, size_t n, float lo, float hi, KdRng *rng)
{
  for (size_t i = 0; i < n; i++)
    x[i] = lo + (hi - lo) * kd_rng_uniform (rng);
}

gboolean
kd_test_close (double actual, double expected, double rtol, double atol)
{
  /* Written so that NaN compares false. */
  return fabs (actual - expected) <= atol + rtol * fabs (expected);
}

gboolean
kd_test_assert_close (const char  *what,
                      const float *actual,
                      const float *expected,
                      size_t       n,
                      double       rtol,
                      double       atol)
{
  size_t bad = 0, first = 0, checked = 0;
  double worst = 0.0;

  for (size_t i = 0; i < n; i++)
    {
      if (isnan (expected[i]))
        continue;
      checked++;
      if (!kd_test_close (actual[i], expected[i], rtol, atol))
        {
          if (bad++ == 0)
            first = i;
          continue;
        }
      double used = fabs ((double) actual[i] - expected[i]) / (atol + rtol * fabs (expected[i]));
      worst = MAX (worst, used);
    }

  if (bad > 0)
    {
      g_test_fail_printf ("%s: %zu of %zu elements out of tolerance "
                          "(rtol %g, atol %g); first [%zu]: %.9g, expected %.9g",
                          what, bad, checked, rtol, atol, first,
                          actual[first], expected[first]);
      return FALSE;
    }
  if (g_test_verbose ())
    g_test_message ("%s: %zu elements, worst used %.3g of the tolerance",
                    what, checked, worst);
  return TRUE;
}

gboolean
kd_test_assert_value (const char *what,
                      double      actual,
                      double      expected,
                      double      rtol,
                      double      atol)
{
  if (kd_test_close (actual, expected, rtol, atol))
    return TRUE;
  g_test_fail_printf ("%s: %.12g, expected %.12g (rtol %g, atol %g)",
                      what, actual, expected, rtol, atol);
  return FALSE;
}

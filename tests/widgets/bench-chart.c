/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long a chart of five curves of 1,000,000 points each takes to draw
 * at 1200 x 800 on an image surface, against the 16 ms of a 60 Hz frame.
 * Three cases, each the median of 21 draws:
 *
 *   live     a point was appended to every curve before each draw, so
 *            every curve is reduced to pixel columns again (and the x
 *            range moved): what a running training costs a frame;
 *   redraw   nothing changed (a hover, an expose): the columns are reused;
 *   zoomed   as live, zoomed into the first half: the new points fall
 *            outside the window, which keeps its columns;
 *   smoothed as live, with EMA smoothing on (raw curve faint behind), so
 *            twice the curves to reduce.
 *
 * Numbers only, no thresholds; docs/charts.md has the results.
 */
#include "config.h"

#include <math.h>

#include "distillery-chart-draw.h"

#define N_SERIES 5
#define N_POINTS 1000000
#define WIDTH 1200
#define HEIGHT 800
#define DRAWS 21
#define BUDGET_MS 16.0

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
time_draws (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr, gboolean append)
{
  double ms[DRAWS];
  static guint next = N_POINTS;

  for (guint d = 0; d < DRAWS; d++)
    {
      if (append)
        {
          for (guint s = 0; s < N_SERIES; s++)
            distillery_chart_append (chart, s, next, next / 1000.0, next * 0.01, 1.0 + s * 0.1);
          next++;
        }
      gint64 start = g_get_monotonic_time ();
      distillery_chart_draw (chart, style, cr, WIDTH, HEIGHT, NULL);
      ms[d] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (ms, DRAWS, sizeof ms[0], compare);
  return ms[DRAWS / 2];
}

static void
report (const char *name, double ms)
{
  g_print ("%-9s %7.2f ms median   %.2f of the %.0f ms budget\n", name, ms, ms / BUDGET_MS, BUDGET_MS);
}

int
main (int argc, char **argv)
{
  g_autoptr(DistilleryChart) chart = distillery_chart_new (DISTILLERY_CHART_LOSS, "Five curves of a million points");
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  DistilleryChartStyle style;

  for (guint s = 0; s < N_SERIES; s++)
    {
      g_autofree char *name = g_strdup_printf ("Run %u", s + 1);
      distillery_chart_add_series (chart, name, 0, FALSE);
    }
  /* Noisy decaying curves, like step losses. */
  for (guint i = 0; i < N_POINTS; i++)
    for (guint s = 0; s < N_SERIES; s++)
      distillery_chart_append (chart, s, i, i / 1000.0, i * 0.01,
                               (1.0 + s * 0.1) * exp (-(double) i / 300000.0) + g_rand_double_range (rand, 0, 0.2));

  distillery_chart_style_init_light (&style);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);

  g_print ("%d curves of %d points at %d x %d, median of %d draws\n", N_SERIES, N_POINTS, WIDTH, HEIGHT, DRAWS);
  gint64 start = g_get_monotonic_time ();
  distillery_chart_draw (chart, &style, cr, WIDTH, HEIGHT, NULL);
  g_print ("%-9s %7.2f ms (once)\n", "first", (g_get_monotonic_time () - start) / 1000.0);
  report ("live", time_draws (chart, &style, cr, TRUE));
  report ("redraw", time_draws (chart, &style, cr, FALSE));
  distillery_chart_zoom (chart, 0, N_POINTS / 2, NAN, NAN);
  report ("zoomed", time_draws (chart, &style, cr, TRUE));
  distillery_chart_reset_zoom (chart);
  distillery_chart_set_smoothing (chart, 0.6);
  report ("smoothed", time_draws (chart, &style, cr, TRUE));

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}

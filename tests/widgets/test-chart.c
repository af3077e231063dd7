/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The charts without a display: axis rules (ticks for tiny, huge, negative
 * and constant ranges, log scales with zero and negative data, labels),
 * series (appends, decimation against brute force, TensorBoard's EMA),
 * every chart kind drawn on an image surface and its pixels checked
 * (not blank, curves where the data says, legend, dark unlike light),
 * a log x axis with its points marked,
 * the exports (SVG and PDF well-formed, PNG at 1x and 2x, CSV) and the
 * standard charts of a run built from store rows.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "distillery-chart-export.h"
#include "distillery-run-charts.h"

#define WIDTH 640
#define HEIGHT 400

/* Axes --------------------------------------------------------------------- */

static gboolean
is_nice (double step)
{
  double f = step / pow (10, floor (log10 (step) + 1e-9));
  return fabs (f - 1) < 1e-6 || fabs (f - 2) < 1e-6 || fabs (f - 5) < 1e-6;
}

/* Ticks inside [min, max], evenly spaced at a nice step, labels distinct. */
static void
check_ticks (double min, double max, DistilleryChartUnit unit, guint max_ticks)
{
  DistilleryChartTicks ticks;

  distillery_chart_ticks (&ticks, min, max, FALSE, unit, max_ticks);
  g_assert_cmpuint (ticks.n, >=, 2);
  g_assert_cmpuint (ticks.n, <=, max_ticks);
  g_assert_true (is_nice (unit == DISTILLERY_CHART_UNIT_SECONDS ? 1 : ticks.step));
  for (guint i = 0; i < ticks.n; i++)
    {
      g_assert_cmpfloat (ticks.value[i], >=, min - fabs (max - min) * 1e-9);
      g_assert_cmpfloat (ticks.value[i], <=, max + fabs (max - min) * 1e-9);
      if (i > 0)
        g_assert_cmpfloat_with_epsilon (ticks.value[i] - ticks.value[i - 1], ticks.step, ticks.step * 1e-6);
    }
  for (guint i = 0; i + 1 < ticks.n; i++)
    {
      g_autofree char *a = distillery_chart_ticks_format (&ticks, i, unit);
      g_autofree char *b = distillery_chart_ticks_format (&ticks, i + 1, unit);
      g_assert_cmpstr (a, !=, b);
    }
}

static void
test_ticks_tiny (void)
{
  DistilleryChartTicks ticks;

  check_ticks (0, 1e-9, DISTILLERY_CHART_UNIT_NUMBER, 6);
  distillery_chart_ticks (&ticks, 0, 1e-9, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 6);
  g_autofree char *label = distillery_chart_ticks_format (&ticks, 1, DISTILLERY_CHART_UNIT_NUMBER);
  g_assert_cmpstr (label, ==, "2e-10");
  /* A range of 1e-9 far from zero still gets ticks that read apart. */
  check_ticks (1, 1 + 1e-9, DISTILLERY_CHART_UNIT_NUMBER, 6);
}

static void
test_ticks_huge (void)
{
  DistilleryChartTicks ticks;

  check_ticks (0, 1e12, DISTILLERY_CHART_UNIT_NUMBER, 6);
  distillery_chart_ticks (&ticks, 0, 1e12, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 6);
  g_autofree char *first = distillery_chart_ticks_format (&ticks, 0, DISTILLERY_CHART_UNIT_NUMBER);
  g_autofree char *second = distillery_chart_ticks_format (&ticks, 1, DISTILLERY_CHART_UNIT_NUMBER);
  g_autofree char *last = distillery_chart_ticks_format (&ticks, ticks.n - 1, DISTILLERY_CHART_UNIT_NUMBER);
  g_assert_cmpstr (first, ==, "0");
  g_assert_cmpstr (second, ==, "200G");
  g_assert_cmpstr (last, ==, "1T");
  check_ticks (1e15, 1e15 + 3e12, DISTILLERY_CHART_UNIT_NUMBER, 8);
}

static void
test_ticks_negative (void)
{
  DistilleryChartTicks ticks;
  double min = -5.3, max = -1.2;

  check_ticks (min, max, DISTILLERY_CHART_UNIT_NUMBER, 6);
  distillery_chart_nice_range (&min, &max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 6);
  g_assert_cmpfloat (min, <=, -5.3);
  g_assert_cmpfloat (max, >=, -1.2);
  g_assert_cmpfloat (max, <=, 0);
  distillery_chart_ticks (&ticks, min, max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 6);
  g_autofree char *label = distillery_chart_ticks_format (&ticks, 0, DISTILLERY_CHART_UNIT_NUMBER);
  g_assert_true (g_str_has_prefix (label, "−"));
  /* Across zero: zero itself is a tick, and reads "0", not "-0". */
  distillery_chart_ticks (&ticks, -0.3, 0.7, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 10);
  gboolean zero = FALSE;
  for (guint i = 0; i < ticks.n; i++)
    if (ticks.value[i] == 0)
      {
        g_autofree char *z = distillery_chart_ticks_format (&ticks, i, DISTILLERY_CHART_UNIT_NUMBER);
        g_assert_cmpstr (z, ==, "0");
        zero = TRUE;
      }
  g_assert_true (zero);
}

static void
test_ticks_constant (void)
{
  DistilleryChartTicks ticks;
  double min = 0.5, max = 0.5;

  distillery_chart_nice_range (&min, &max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, <, 0.5);
  g_assert_cmpfloat (max, >, 0.5);
  check_ticks (min, max, DISTILLERY_CHART_UNIT_NUMBER, 5);
  min = max = 0;
  distillery_chart_nice_range (&min, &max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, <, 0);
  g_assert_cmpfloat (max, >, 0);
  /* Ticks of one value: that value. */
  distillery_chart_ticks (&ticks, 3, 3, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpuint (ticks.n, ==, 1);
  g_assert_cmpfloat (ticks.value[0], ==, 3);
  /* No data at all. */
  min = max = NAN;
  distillery_chart_nice_range (&min, &max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, ==, 0);
  g_assert_cmpfloat (max, ==, 1);
  distillery_chart_ticks (&ticks, NAN, NAN, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpuint (ticks.n, ==, 0);
}

static void
test_axis_log (void)
{
  DistilleryChartScale scale = { 0, 0, TRUE, 100, 0 };
  DistilleryChartTicks ticks;
  double min = 0, max = 37;

  /* Zero (or anything not positive) as the smallest value. */
  distillery_chart_nice_range (&min, &max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, >, 0);
  g_assert_cmpfloat (max, ==, 100);
  min = -4;
  max = 0.2;
  distillery_chart_nice_range (&min, &max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, >, 0);
  g_assert_cmpfloat_with_epsilon (max, 1, 1e-12);
  /* Nothing positive at all. */
  min = -3;
  max = 0;
  distillery_chart_nice_range (&min, &max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 5);
  g_assert_cmpfloat (min, ==, 1);
  g_assert_cmpfloat (max, ==, 10);

  min = 0.002;
  max = 30;
  distillery_chart_nice_range (&min, &max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 8);
  g_assert_cmpfloat_with_epsilon (min, 1e-3, 1e-15);
  g_assert_cmpfloat_with_epsilon (max, 100, 1e-9);
  distillery_chart_ticks (&ticks, min, max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 8);
  g_assert_cmpuint (ticks.n, ==, 6);
  for (guint i = 0; i < ticks.n; i++)
    g_assert_cmpfloat_with_epsilon (log10 (ticks.value[i]), round (log10 (ticks.value[i])), 1e-9);
  g_autofree char *label = distillery_chart_ticks_format (&ticks, 0, DISTILLERY_CHART_UNIT_NUMBER);
  g_assert_cmpstr (label, ==, "0.001");
  /* No ticks for a log range that includes zero. */
  distillery_chart_ticks (&ticks, 0, 10, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 8);
  g_assert_cmpuint (ticks.n, ==, 0);
  /* Few decades: 1, 2, 5 steps. */
  distillery_chart_ticks (&ticks, 1, 100, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 10);
  g_assert_cmpuint (ticks.n, ==, 7);
  /* Counted, not three a decade: two decades ending on powers take 7. */
  distillery_chart_ticks (&ticks, 10, 1000, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 7);
  g_assert_cmpuint (ticks.n, ==, 7);
  g_assert_cmpfloat_with_epsilon (ticks.value[1], 20, 1e-9);
  g_assert_cmpfloat_with_epsilon (ticks.value[5], 500, 1e-9);
  distillery_chart_ticks (&ticks, 10, 1000, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 6);
  g_assert_cmpuint (ticks.n, ==, 3);
  /* As many as the most there may be, and one too many. */
  distillery_chart_ticks (&ticks, 1e-5, 1e5, TRUE, DISTILLERY_CHART_UNIT_NUMBER, DISTILLERY_CHART_MAX_TICKS);
  g_assert_cmpuint (ticks.n, ==, 31);
  distillery_chart_ticks (&ticks, 1e-5, 1e6, TRUE, DISTILLERY_CHART_UNIT_NUMBER, DISTILLERY_CHART_MAX_TICKS);
  g_assert_cmpuint (ticks.n, ==, 12);

  scale.min = 0.01;
  scale.max = 100;
  g_assert_true (isnan (distillery_chart_scale_to_pixel (&scale, 0)));
  g_assert_true (isnan (distillery_chart_scale_to_pixel (&scale, -1)));
  g_assert_cmpfloat_with_epsilon (distillery_chart_scale_to_pixel (&scale, 1), 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (distillery_chart_scale_to_value (&scale, 25), 10, 1e-9);
}

static void
test_axis_format (void)
{
  static const struct
  {
    double value, resolution, magnitude;
    DistilleryChartUnit unit;
    const char *label;
  } cases[] = {
    { 1500, 100, 2000, DISTILLERY_CHART_UNIT_NUMBER, "1.5k" },
    { 2.5e6, 0, 2.5e6, DISTILLERY_CHART_UNIT_NUMBER, "2.5M" },
    { 0.25, 0.05, 1, DISTILLERY_CHART_UNIT_NUMBER, "0.25" },
    { 0.123456, 0, 0.123456, DISTILLERY_CHART_UNIT_NUMBER, "0.1235" },
    { -3, 1, 5, DISTILLERY_CHART_UNIT_NUMBER, "−3" },
    { 3e-5, 1e-5, 5e-5, DISTILLERY_CHART_UNIT_NUMBER, "3e-5" },
    { 0.85, 0.05, 1, DISTILLERY_CHART_UNIT_PERCENT, "85%" },
    { 0.9712, 0, 1, DISTILLERY_CHART_UNIT_PERCENT, "97.12%" },
    { 30, 10, 60, DISTILLERY_CHART_UNIT_SECONDS, "30 s" },
    { 300, 60, 600, DISTILLERY_CHART_UNIT_SECONDS, "5 min" },
    { 7200, 3600, 36000, DISTILLERY_CHART_UNIT_SECONDS, "2 h" },
    { NAN, 0, 1, DISTILLERY_CHART_UNIT_NUMBER, "–" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *label = distillery_chart_format (cases[i].value, cases[i].resolution,
                                                        cases[i].magnitude, cases[i].unit);
      g_assert_cmpstr (label, ==, cases[i].label);
    }
  /* Seconds tick in minutes when the range is minutes. */
  DistilleryChartTicks ticks;
  distillery_chart_ticks (&ticks, 0, 1800, FALSE, DISTILLERY_CHART_UNIT_SECONDS, 6);
  g_assert_cmpfloat (fmod (ticks.step, 60), ==, 0);
}

static void
test_axis_mapping (void)
{
  DistilleryChartScale scale = { -2, 6, FALSE, 300, 100 };

  g_assert_cmpfloat (distillery_chart_scale_to_pixel (&scale, -2), ==, 300);
  g_assert_cmpfloat (distillery_chart_scale_to_pixel (&scale, 6), ==, 100);
  g_assert_cmpfloat (distillery_chart_scale_to_pixel (&scale, 2), ==, 200);
  for (double v = -2; v <= 6; v += 0.37)
    g_assert_cmpfloat_with_epsilon (distillery_chart_scale_to_value (&scale, distillery_chart_scale_to_pixel (&scale, v)),
                                    v, 1e-9);
}

/* Series ------------------------------------------------------------------- */

static void
test_series_append (void)
{
  g_autoptr(DistilleryChartSeries) s = distillery_chart_series_new ("loss", FALSE);
  guint grown = 0;
  gsize capacity = 0;

  for (gsize i = 0; i < 1000000; i++)
    {
      distillery_chart_series_append (s, i, i / 100.0, i * 0.01, sin (i * 0.001), 0, 0);
      if (s->capacity != capacity)
        {
          grown++;
          capacity = s->capacity;
        }
    }
  g_assert_cmpuint (s->n, ==, 1000000);
  /* Doubling: a million appends reallocate about log2(1e6 / 64) times. */
  g_assert_cmpuint (grown, <=, 16);
  g_assert_cmpfloat (s->x[DISTILLERY_CHART_X_STEP][123456], ==, 123456);
  g_assert_cmpfloat (s->x[DISTILLERY_CHART_X_EPOCH][123456], ==, 1234.56);
  g_assert_cmpfloat (s->y[999999], ==, (float) sin (999.999));
  g_assert_cmpuint (distillery_chart_series_search (s, DISTILLERY_CHART_X_STEP, 500000.5), ==, 500001);
}

static void
test_series_decimate (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint trial = 0; trial < 40; trial++)
    {
      gsize n = g_rand_int_range (rand, 0, 20000);
      guint n_columns = g_rand_int_range (rand, 1, 700);
      g_autofree double *x = g_new (double, n + 1);
      g_autofree float *y = g_new (float, n + 1);
      double t = g_rand_double_range (rand, -100, 100);
      for (gsize i = 0; i < n; i++)
        {
          /* Uneven gaps, repeated x, NaN now and then. */
          t += g_rand_boolean (rand) ? 0 : g_rand_double (rand) * (g_rand_int_range (rand, 0, 50) == 0 ? 50 : 1);
          x[i] = t;
          y[i] = g_rand_int_range (rand, 0, 30) == 0 ? NAN : (float) g_rand_double_range (rand, -1e3, 1e3);
        }
      double x_min = n ? x[0] + (x[n - 1] - x[0]) * g_rand_double_range (rand, -0.1, 0.4) : 0;
      double x_max = n ? x[0] + (x[n - 1] - x[0]) * g_rand_double_range (rand, 0.5, 1.1) : 1;
      if (trial == 0 && n > 0)
        x_min = x_max = x[n / 2];

      g_autofree DistilleryChartColumn *fast = g_new (DistilleryChartColumn, n_columns);
      g_autofree DistilleryChartColumn *slow = g_new (DistilleryChartColumn, n_columns);
      distillery_chart_decimate (fast, n_columns, x, y, n, x_min, x_max);
      for (guint c = 0; c < n_columns; c++)
        slow[c] = (DistilleryChartColumn) { INFINITY, -INFINITY, 0 };
      for (gsize i = 0; i < n; i++)
        {
          gint64 c = distillery_chart_column_of (x[i], x_min, x_max, n_columns);
          if (c < 0 || c >= n_columns)
            continue;
          slow[c].n++;
          if (isnan (y[i]))
            continue;
          slow[c].min = MIN (slow[c].min, y[i]);
          slow[c].max = MAX (slow[c].max, y[i]);
        }
      for (guint c = 0; c < n_columns; c++)
        {
          g_assert_cmpuint (fast[c].n, ==, slow[c].n);
          if (slow[c].min > slow[c].max)
            {
              g_assert_true (isnan (fast[c].min) && isnan (fast[c].max));
              continue;
            }
          g_assert_cmpfloat (fast[c].min, ==, slow[c].min);
          g_assert_cmpfloat (fast[c].max, ==, slow[c].max);
        }
    }
}

static void
test_series_ema (void)
{
  const float y[] = { 1, 2, 3, NAN, 4 };
  float out[G_N_ELEMENTS (y)];

  /* TensorBoard, weight 0.5: last = 0.5, 1.25, 2.125, (NaN kept), 3.0625;
   * divided by 1 - 0.5^k for k = 1, 2, 3, 4. */
  distillery_chart_ema (out, y, G_N_ELEMENTS (y), 0.5);
  g_assert_cmpfloat_with_epsilon (out[0], 1, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[1], 1.25 / 0.75, 1e-6);
  g_assert_cmpfloat_with_epsilon (out[2], 2.125 / 0.875, 1e-6);
  g_assert_true (isnan (out[3]));
  g_assert_cmpfloat_with_epsilon (out[4], 3.0625 / 0.9375, 1e-6);
  /* Weight 0: the raw curve. */
  distillery_chart_ema (out, y, 3, 0);
  g_assert_cmpfloat (out[2], ==, 3);

  /* The series smooths new points only, and to the same numbers. */
  g_autoptr(DistilleryChartSeries) s = distillery_chart_series_new ("loss", FALSE);
  g_autofree float *all = g_new (float, 5000);
  for (guint i = 0; i < 5000; i++)
    {
      distillery_chart_series_append (s, i, i, i, cos (i * 0.01) + (i % 7) * 0.1, 0, 0);
      if (i % 1000 == 999)
        distillery_chart_series_smooth (s, 0.9);
    }
  distillery_chart_ema (all, s->y, s->n, 0.9);
  const float *smoothed = distillery_chart_series_smooth (s, 0.9);
  for (guint i = 0; i < 5000; i++)
    g_assert_cmpfloat (smoothed[i], ==, all[i]);
  smoothed = distillery_chart_series_smooth (s, 0.6);
  distillery_chart_ema (all, s->y, s->n, 0.6);
  g_assert_cmpfloat (smoothed[4999], ==, all[4999]);
}

/* Drawing ------------------------------------------------------------------ */

typedef struct
{
  cairo_surface_t      *surface;
  DistilleryChartLayout layout;
  DistilleryChartStyle  style;
} Image;

static void
image_draw (Image *image, DistilleryChart *chart, gboolean dark)
{
  if (dark)
    distillery_chart_style_init_dark (&image->style);
  else
    distillery_chart_style_init_light (&image->style);
  image->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (image->surface);
  distillery_chart_draw (chart, &image->style, cr, WIDTH, HEIGHT, &image->layout);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (image->surface);
}

static void
image_clear (Image *image)
{
  cairo_surface_destroy (image->surface);
}

static guint32
pixel (Image *image, int x, int y)
{
  const guchar *data = cairo_image_surface_get_data (image->surface);
  int stride = cairo_image_surface_get_stride (image->surface);

  g_assert_true (x >= 0 && y >= 0 && x < WIDTH && y < HEIGHT);
  return *(const guint32 *) (data + y * stride + x * 4) & 0xffffff;
}

static gboolean
close_to (guint32 p, const DistilleryChartColor *c, int tolerance)
{
  int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
  return abs (r - (int) round (c->red * 255)) <= tolerance && abs (g - (int) round (c->green * 255)) <= tolerance
         && abs (b - (int) round (c->blue * 255)) <= tolerance;
}

static DistilleryChartColor
blend (const DistilleryChartColor *over, const DistilleryChartColor *under, double alpha)
{
  return (DistilleryChartColor) { over->red * alpha + under->red * (1 - alpha),
                                  over->green * alpha + under->green * (1 - alpha),
                                  over->blue * alpha + under->blue * (1 - alpha), 1 };
}

/* Pixels of colour c in the rectangle [x0, x1) x [y0, y1). */
static guint
count_color (Image *image, const DistilleryChartColor *c, int x0, int y0, int x1, int y1)
{
  guint n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, HEIGHT); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, WIDTH); x++)
      n += close_to (pixel (image, x, y), c, 24);
  return n;
}

/* Checks shared by every kind: more than background, the background of
 * the style, and a dark image unlike the light one. */
static void
check_common (DistilleryChart *chart, Image *light)
{
  Image dark;
  guint painted = 0, differ = 0;

  g_assert_true (close_to (pixel (light, 1, 1), &light->style.background, 0));
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      painted += !close_to (pixel (light, x, y), &light->style.background, 8);
  g_assert_cmpuint (painted, >, WIDTH * HEIGHT / 100);

  image_draw (&dark, chart, TRUE);
  g_assert_true (close_to (pixel (&dark, 1, 1), &dark.style.background, 0));
  for (int y = 0; y < HEIGHT; y++)
    for (int x = 0; x < WIDTH; x++)
      differ += pixel (&dark, x, y) != pixel (light, x, y);
  g_assert_cmpuint (differ, >, WIDTH * HEIGHT / 2);
  image_clear (&dark);
}

/* The legend shows the first curve's colour above the plot. */
static void
check_legend (Image *image)
{
  g_assert_cmpuint (count_color (image, &image->style.palette[0], 0, 0, WIDTH, (int) image->layout.plot.y - 2), >, 20);
}

/* The curve of series 0 at value y crosses the plot's middle column there. */
static void
check_curve_at (Image *image, guint axis, double x, double y)
{
  int px = (int) round (distillery_chart_scale_to_pixel (&image->layout.x, x));
  int py = (int) round (distillery_chart_scale_to_pixel (&image->layout.y[axis], y));

  g_assert_cmpuint (count_color (image, &image->style.palette[0], px - 1, py - 2, px + 2, py + 3), >, 0);
}

static DistilleryChart *
flat_loss_chart (void)
{
  DistilleryChart *chart = distillery_run_chart_new (DISTILLERY_CHART_LOSS, NULL);

  for (guint i = 0; i <= 100; i++)
    {
      DistilleryStepRow row = { i, i / 10, 0.5f, 0.3f, 0.2f + i * 0.001f, 0.1f, i * 0.5 };
      distillery_run_chart_add_steps (chart, &row, 1, 10);
    }
  for (guint e = 0; e < 10; e++)
    {
      DistilleryEpochRow row = { e, e * 10 + 9, e * 5.0, 0.5, 0.7 - e * 0.01, 0.9, 0.95, 0.1, 0.02, NULL };
      distillery_run_chart_add_epochs (chart, &row, 1);
    }
  return chart;
}

static void
test_draw_loss (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  Image image;

  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  check_legend (&image);
  /* Training loss is 0.5 everywhere: a line on that row, in the first colour. */
  check_curve_at (&image, 0, 50, 0.5);
  int row = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 0.5));
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], (int) image.layout.plot.x, row - 1,
                                 (int) (image.layout.plot.x + image.layout.plot.width), row + 2),
                    >, image.layout.plot.width * 0.9);
  /* Hidden, it is gone from the plot and faint in the legend. */
  distillery_chart_set_series_visible (chart, 0, FALSE);
  Image hidden;
  image_draw (&hidden, chart, FALSE);
  g_assert_cmpuint (count_color (&hidden, &hidden.style.palette[0], (int) hidden.layout.plot.x,
                                 (int) hidden.layout.plot.y, WIDTH, HEIGHT), ==, 0);
  image_clear (&hidden);
  image_clear (&image);
}

static void
test_draw_accuracy (void)
{
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new (DISTILLERY_CHART_ACCURACY, NULL);
  Image image;

  for (guint e = 0; e < 20; e++)
    {
      DistilleryEpochRow row = { e, e * 100 + 99, e * 3.0, 0.4, 0.5, 0.80 + e * 0.005, 0.9, 0.1, 0.02, NULL };
      distillery_run_chart_add_epochs (chart, &row, 1);
    }
  distillery_chart_add_reference_line (chart, 0, 0.97, "Teacher");
  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  check_legend (&image);
  check_curve_at (&image, 0, 10, 0.80 + 9 * 0.005);
  /* The teacher's line is inside the range, dashed in the text colour
   * (at 70 %). */
  g_assert_cmpfloat (image.layout.y[0].max, >=, 0.97);
  int row = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 0.97));
  DistilleryChartColor dashes = blend (&image.style.foreground, &image.style.background, 0.7);
  g_assert_cmpuint (count_color (&image, &dashes, (int) image.layout.plot.x, row - 1,
                                 (int) (image.layout.plot.x + image.layout.plot.width / 2), row + 2),
                    >, 20);
  image_clear (&image);
}

static void
test_draw_agreement (void)
{
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new (DISTILLERY_CHART_AGREEMENT, NULL);
  Image image;

  for (guint e = 0; e < 20; e++)
    {
      DistilleryEpochRow row = { e, e * 100 + 99, e * 3.0, 0.4, 0.5, 0.9, 0.7 + e * 0.01, 1.0 / (e + 1), 0.02, NULL };
      distillery_run_chart_add_epochs (chart, &row, 1);
    }
  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  check_legend (&image);
  g_assert_true (image.layout.has_axis[0] && image.layout.has_axis[1]);
  check_curve_at (&image, 0, 10, 0.7 + 9 * 0.01);
  /* KL on the right axis, in the second colour. */
  int px = (int) round (distillery_chart_scale_to_pixel (&image.layout.x, 5));
  int py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[1], 1.0 / 5));
  g_assert_cmpuint (count_color (&image, &image.style.palette[1], px - 1, py - 2, px + 2, py + 3), >, 0);
  image_clear (&image);
}

static void
test_draw_matrix (void)
{
  const char *names[] = { "zero", "one", "two", "three", NULL };
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new (DISTILLERY_CHART_MATRIX, names);
  guint64 counts[16] = { 0 };
  Image image;

  for (guint t = 0; t < 4; t++)
    counts[t * 4 + t] = 90;
  counts[1 * 4 + 2] = 10;
  counts[3 * 4 + 3] = 100;
  DistilleryEpochRow row = { 0, 9, 1, 0.4, 0.5, 0.9, 0.95, 0.1, 0.02, g_bytes_new (counts, sizeof counts) };
  distillery_run_chart_add_epochs (chart, &row, 1);
  g_bytes_unref (row.agreement_matrix);
  guint n;
  g_assert_nonnull (distillery_chart_get_matrix (chart, &n));
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (distillery_chart_get_class_name (chart, 2), ==, "two");

  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  const DistilleryChartRect *p = &image.layout.plot;
  double cell = p->width / 4;
  /* Teacher 3, student 3 holds all of its row: the full colour. Teacher
   * 0, student 1 holds nothing: the background. */
  g_assert_true (close_to (pixel (&image, (int) (p->x + 3.5 * cell), (int) (p->y + 3.2 * cell)),
                           &image.style.palette[0], 2));
  g_assert_true (close_to (pixel (&image, (int) (p->x + 1.5 * cell), (int) (p->y + 0.2 * cell)),
                           &image.style.background, 2));
  /* The colour bar right of the cells. */
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], (int) (p->x + p->width + 2), (int) p->y,
                                 WIDTH, (int) (p->y + 4)), >, 10);

  guint t, s;
  g_assert_true (distillery_chart_layout_cell (chart, &image.layout, p->x + 2.5 * cell, p->y + 1.5 * cell, &t, &s));
  g_assert_cmpuint (t, ==, 1);
  g_assert_cmpuint (s, ==, 2);
  g_autofree char *text = distillery_chart_hover_text (chart, &image.layout, p->x + 2.5 * cell, p->y + 1.5 * cell);
  g_assert_nonnull (strstr (text, "10 samples"));
  g_assert_nonnull (strstr (text, "10%"));
  g_assert_nonnull (strstr (text, "one"));
  g_assert_null (distillery_chart_hover_text (chart, &image.layout, 1, 1));
  image_clear (&image);
}

static void
test_draw_comparison (void)
{
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new_comparison (DISTILLERY_RUN_METRIC_VAL_ACCURACY);
  g_autoptr(GPtrArray) distilled = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) plain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  Image image;

  for (guint seed = 0; seed < 3; seed++)
    {
      GArray *a = g_array_new (FALSE, TRUE, sizeof (DistilleryEpochRow));
      GArray *b = g_array_new (FALSE, TRUE, sizeof (DistilleryEpochRow));
      for (guint e = 0; e < 15; e++)
        {
          DistilleryEpochRow row = { e, e * 100 + 99, e, 0.4, 0.5, 0.85 + e * 0.005 + seed * 0.01, 0.9, 0.1, 0.02, NULL };
          g_array_append_val (a, row);
          row.val_accuracy -= 0.05;
          g_array_append_val (b, row);
        }
      g_ptr_array_add (distilled, a);
      g_ptr_array_add (plain, b);
    }
  distillery_run_chart_add_group (chart, DISTILLERY_RUN_METRIC_VAL_ACCURACY, "Distilled", distilled);
  distillery_run_chart_add_group (chart, DISTILLERY_RUN_METRIC_VAL_ACCURACY, "Plain", plain);
  DistilleryChartSeries *s = distillery_chart_get_series (chart, 0);
  g_assert_cmpuint (s->n, ==, 15);
  g_assert_cmpfloat_with_epsilon (s->y[4], 0.85 + 4 * 0.005 + 0.01, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->band_low[4], 0.85 + 4 * 0.005, 1e-6);
  g_assert_cmpfloat_with_epsilon (s->band_high[4], 0.85 + 4 * 0.005 + 0.02, 1e-6);

  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  check_legend (&image);
  check_curve_at (&image, 0, 5, 0.85 + 4 * 0.005 + 0.01);
  /* The band: a faint version of the colour between min and max. */
  int px = (int) round (distillery_chart_scale_to_pixel (&image.layout.x, 8));
  int py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 0.85 + 7 * 0.005 + 0.017));
  DistilleryChartColor faint = blend (&image.style.palette[0], &image.style.background, 0.18);
  g_assert_true (close_to (pixel (&image, px, py), &faint, 6));
  image_clear (&image);
}

/* A million points with one spike: the spike's column still reaches it. */
static void
test_draw_decimated (void)
{
  g_autoptr(DistilleryChart) chart = distillery_chart_new (DISTILLERY_CHART_LOSS, "Long");
  Image image;

  distillery_chart_add_series (chart, "noise", 0, FALSE);
  for (guint i = 0; i < 1000000; i++)
    distillery_chart_append (chart, 0, i, i / 1000.0, i, i == 654321 ? 10.0 : 1.0 + (i % 2) * 0.1);
  image_draw (&image, chart, FALSE);
  int px = (int) round (distillery_chart_scale_to_pixel (&image.layout.x, 654321));
  int py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 9.5));
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], px - 2, py - 1, px + 3, py + 2), >, 0);
  /* The noise fills the band between 1 and 1.1 across the plot. */
  py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 1.05));
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], (int) image.layout.plot.x + 5, py,
                                 (int) (image.layout.plot.x + image.layout.plot.width - 5), py + 1),
                    >, image.layout.plot.width * 0.9);
  image_clear (&image);

  /* Zoomed in, the same draw shows single points again. */
  distillery_chart_zoom (chart, 654300, 654340, NAN, NAN);
  image_draw (&image, chart, FALSE);
  g_assert_cmpfloat (image.layout.x.min, ==, 654300);
  px = (int) round (distillery_chart_scale_to_pixel (&image.layout.x, 654321));
  py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 10));
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], px - 2, py - 2, px + 3, py + 3), >, 0);
  image_clear (&image);
}

static void
test_draw_log_and_smoothing (void)
{
  g_autoptr(DistilleryChart) chart = distillery_chart_new (DISTILLERY_CHART_LOSS, "Log");
  Image image;

  distillery_chart_add_series (chart, "loss", 0, FALSE);
  for (guint i = 0; i < 500; i++)
    distillery_chart_append (chart, 0, i, i, i, i % 50 == 0 ? (i % 100 == 0 ? 0 : -1) : 10 * exp (-(double) i / 100.0));
  distillery_chart_set_log_y (chart, TRUE);
  distillery_chart_set_smoothing (chart, 0.9);
  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  g_assert_true (image.layout.y[0].log);
  g_assert_cmpfloat (image.layout.y[0].min, >, 0);
  g_assert_cmpfloat (image.layout.y[0].max, >=, 10 * exp (-1 / 100.0));
  image_clear (&image);

  /* Hover names the x and every visible curve's value. */
  distillery_chart_set_log_y (chart, FALSE);
  distillery_chart_set_smoothing (chart, 0);
  image_draw (&image, chart, FALSE);
  double px = distillery_chart_scale_to_pixel (&image.layout.x, 201);
  g_autofree char *text = distillery_chart_hover_text (chart, &image.layout, px, image.layout.plot.y + 10);
  g_assert_nonnull (strstr (text, "Step 201"));
  g_assert_nonnull (strstr (text, "loss: 1.34"));
  image_clear (&image);
}

/* A log x axis of its own (questions asked, say): it ends on powers of
 * ten around the data, spaces doublings evenly, marks every point (one of
 * them alone at first), leaves out x <= 0, and names itself in the hover
 * text and the description. */
static void
test_draw_log_x (void)
{
  g_autoptr(DistilleryChart) chart = distillery_chart_new (DISTILLERY_CHART_ACCURACY, "Sweep");
  static const double budgets[] = { 50, 100, 200, 400, 800 };
  Image image;

  distillery_chart_add_series (chart, "agreement", 0, FALSE);
  distillery_chart_set_axis (chart, 0, NULL, DISTILLERY_CHART_UNIT_PERCENT);
  distillery_chart_set_x_label (chart, "Questions");
  distillery_chart_set_log_x (chart, TRUE);
  distillery_chart_set_show_points (chart, TRUE);
  g_assert_cmpstr (distillery_chart_get_x_title (chart), ==, "Questions");

  /* One point: a dot, where a line would draw nothing. */
  distillery_chart_append (chart, 0, budgets[0], budgets[0], budgets[0], 0.5);
  image_draw (&image, chart, FALSE);
  g_assert_false (image.layout.empty);
  g_assert_true (image.layout.x.log);
  g_assert_cmpfloat (image.layout.x.min, >, 0);
  g_assert_cmpfloat (image.layout.x.min, <=, 50);
  g_assert_cmpfloat (image.layout.x.max, >=, 50);
  check_curve_at (&image, 0, 50, 0.5);
  image_clear (&image);

  distillery_chart_set_log_x (chart, FALSE);
  g_assert_false (distillery_chart_get_log_x (chart));
  distillery_chart_set_log_x (chart, TRUE);
  for (guint i = 1; i < G_N_ELEMENTS (budgets); i++)
    distillery_chart_append (chart, 0, budgets[i], budgets[i], budgets[i], 0.5 + 0.1 * i);
  image_draw (&image, chart, FALSE);
  check_common (chart, &image);
  /* Powers of ten around 50 and 800. */
  g_assert_cmpfloat_with_epsilon (image.layout.x.min, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (image.layout.x.max, 1000, 1e-9);
  double step = distillery_chart_scale_to_pixel (&image.layout.x, 100) - distillery_chart_scale_to_pixel (&image.layout.x, 50);
  for (guint i = 2; i < G_N_ELEMENTS (budgets); i++)
    g_assert_cmpfloat_with_epsilon (distillery_chart_scale_to_pixel (&image.layout.x, budgets[i])
                                    - distillery_chart_scale_to_pixel (&image.layout.x, budgets[i - 1]), step, 1e-6);
  for (guint i = 0; i < G_N_ELEMENTS (budgets); i++)
    check_curve_at (&image, 0, budgets[i], 0.5 + 0.1 * i);
  /* The dot is wider than the line: its colour beside the curve. */
  int px = (int) round (distillery_chart_scale_to_pixel (&image.layout.x, 800));
  int py = (int) round (distillery_chart_scale_to_pixel (&image.layout.y[0], 0.9));
  g_assert_cmpuint (count_color (&image, &image.style.palette[0], px - 3, py - 3, px + 4, py + 4), >=, 20);

  double hx = distillery_chart_scale_to_pixel (&image.layout.x, 200);
  g_autofree char *text = distillery_chart_hover_text (chart, &image.layout, hx, image.layout.plot.y + 10);
  g_assert_nonnull (strstr (text, "Questions 200"));
  g_autofree char *description = distillery_chart_describe (chart);
  g_assert_nonnull (strstr (description, "against Questions"));
  image_clear (&image);

  /* A zoom that reaches zero is refused on a log axis. */
  distillery_chart_zoom (chart, 0, 100, NAN, NAN);
  g_assert_false (distillery_chart_get_zoom (chart, NULL, NULL, NULL, NULL));
  distillery_chart_zoom (chart, 60, 500, NAN, NAN);
  g_assert_true (distillery_chart_get_zoom (chart, NULL, NULL, NULL, NULL));
  distillery_chart_reset_zoom (chart);

  /* Points at zero are not drawn and do not stretch the axis. */
  g_autoptr(DistilleryChart) with_zero = distillery_chart_new (DISTILLERY_CHART_ACCURACY, NULL);
  distillery_chart_add_series (with_zero, "agreement", 0, FALSE);
  distillery_chart_set_log_x (with_zero, TRUE);
  distillery_chart_append (with_zero, 0, 0, 0, 0, 0.2);
  image_draw (&image, with_zero, FALSE);
  g_assert_true (image.layout.empty);
  image_clear (&image);
  distillery_chart_append (with_zero, 0, 30, 30, 30, 0.4);
  image_draw (&image, with_zero, FALSE);
  g_assert_false (image.layout.empty);
  g_assert_cmpfloat_with_epsilon (image.layout.x.min, 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (image.layout.x.max, 100, 1e-9);
  image_clear (&image);
}

static void
test_draw_empty (void)
{
  g_autoptr(DistilleryChart) chart = distillery_run_chart_new (DISTILLERY_CHART_LOSS, NULL);
  g_autoptr(DistilleryChart) matrix = distillery_run_chart_new (DISTILLERY_CHART_MATRIX, NULL);
  Image image;

  image_draw (&image, chart, FALSE);
  g_assert_true (image.layout.empty);
  image_clear (&image);
  image_draw (&image, matrix, TRUE);
  g_assert_true (image.layout.empty);
  image_clear (&image);
}

/* Exports ------------------------------------------------------------------ */

static void
test_export_svg (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  DistilleryChartStyle style;
  g_autoptr(GError) error = NULL;
  GMarkupParser parser = { 0 };

  distillery_chart_style_init_light (&style);
  g_autoptr(GBytes) svg = distillery_chart_export_bytes (chart, &style, DISTILLERY_CHART_FORMAT_SVG, WIDTH, HEIGHT, &error);
  g_assert_no_error (error);
  gsize size;
  const char *text = g_bytes_get_data (svg, &size);
  g_assert_nonnull (g_strstr_len (text, size, "<svg"));
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  g_assert_true (g_markup_parse_context_parse (context, text, size, &error));
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);
}

static void
test_export_pdf (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  DistilleryChartStyle style;
  g_autoptr(GError) error = NULL;

  distillery_chart_style_init_dark (&style);
  g_autoptr(GBytes) pdf = distillery_chart_export_bytes (chart, &style, DISTILLERY_CHART_FORMAT_PDF, WIDTH, HEIGHT, &error);
  g_assert_no_error (error);
  gsize size;
  const char *data = g_bytes_get_data (pdf, &size);
  g_assert_cmpuint (size, >, 1000);
  g_assert_true (memcmp (data, "%PDF-", 5) == 0);
  while (size > 0 && g_ascii_isspace (data[size - 1]))
    size--;
  g_assert_true (size > 5 && memcmp (data + size - 5, "%%EOF", 5) == 0);
}

typedef struct
{
  const guchar *data;
  gsize         size, offset;
} Reader;

static cairo_status_t
read_bytes (void *closure, unsigned char *out, unsigned int length)
{
  Reader *r = closure;

  if (r->offset + length > r->size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (out, r->data + r->offset, length);
  r->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

static void
test_export_png (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  DistilleryChartStyle style;
  g_autoptr(GError) error = NULL;

  distillery_chart_style_init_light (&style);
  for (int scale = 1; scale <= 2; scale++)
    {
      DistilleryChartFormat format = scale == 1 ? DISTILLERY_CHART_FORMAT_PNG : DISTILLERY_CHART_FORMAT_PNG_2X;
      g_autoptr(GBytes) png = distillery_chart_export_bytes (chart, &style, format, WIDTH, HEIGHT, &error);
      g_assert_no_error (error);
      Reader reader = { g_bytes_get_data (png, &reader.size), 0, 0 };
      reader.size = g_bytes_get_size (png);
      g_assert_true (memcmp (reader.data, "\x89PNG", 4) == 0);
      cairo_surface_t *image = cairo_image_surface_create_from_png_stream (read_bytes, &reader);
      g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (image), ==, WIDTH * scale);
      g_assert_cmpint (cairo_image_surface_get_height (image), ==, HEIGHT * scale);
      cairo_surface_destroy (image);
    }
}

static void
test_export_csv (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  g_autoptr(GError) error = NULL;
  DistilleryChartFormat format;

  g_assert_true (distillery_chart_format_from_string ("csv", &format, &error));
  g_assert_cmpint (format, ==, DISTILLERY_CHART_FORMAT_CSV);
  g_assert_false (distillery_chart_format_from_string ("gif", &format, &error));
  g_assert_error (error, DISTILLERY_CHART_ERROR, DISTILLERY_CHART_ERROR_FORMAT);
  g_clear_error (&error);

  g_autoptr(GBytes) csv = distillery_chart_export_bytes (chart, NULL, format, 1, 1, &error);
  g_assert_no_error (error);
  g_autofree char *text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "series,step,epoch,wall,value,low,high");
  /* 3 step curves of 101 points, validation loss of 10, a header, and the
   * empty string after the last newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 3 * 101 + 10 + 2);
  g_assert_cmpstr (lines[1], ==, "Training loss,0,0.1,0,0.5,,");
}

/* Model -------------------------------------------------------------------- */

static void
count_changes (DistilleryChart *chart, guint *n)
{
  (*n)++;
}

static void
test_model (void)
{
  g_autoptr(DistilleryChart) chart = flat_loss_chart ();
  guint changes = 0;
  double x0, x1, y0, y1;

  g_signal_connect (chart, "changed", G_CALLBACK (count_changes), &changes);
  g_assert_true (distillery_chart_get_data_x_range (chart, &x0, &x1));
  g_assert_cmpfloat (x0, ==, 0);
  g_assert_cmpfloat (x1, ==, 100);
  distillery_chart_set_x_mode (chart, DISTILLERY_CHART_X_WALL);
  g_assert_true (distillery_chart_get_data_x_range (chart, &x0, &x1));
  g_assert_cmpfloat (x1, ==, 50);
  distillery_chart_set_x_mode (chart, DISTILLERY_CHART_X_EPOCH);
  g_assert_true (distillery_chart_get_data_x_range (chart, &x0, &x1));
  g_assert_cmpfloat (x0, ==, 0.1);
  g_assert_cmpfloat (x1, ==, 10.1);
  g_assert_cmpuint (changes, ==, 2);

  g_assert_false (distillery_chart_get_zoom (chart, &x0, &x1, &y0, &y1));
  distillery_chart_zoom (chart, 2, 4, 0.1, 0.6);
  g_assert_true (distillery_chart_get_zoom (chart, &x0, &x1, &y0, &y1));
  g_assert_cmpfloat (y1, ==, 0.6);
  /* A log axis drops a y window it cannot show... */
  distillery_chart_zoom (chart, 2, 4, -1, 0.6);
  g_assert_true (distillery_chart_get_zoom (chart, NULL, NULL, &y0, NULL));
  g_assert_cmpfloat (y0, ==, -1);
  distillery_chart_set_log_y (chart, TRUE);
  g_assert_true (distillery_chart_get_zoom (chart, NULL, NULL, &y0, &y1));
  g_assert_true (isnan (y0) && isnan (y1));
  /* ...and a new x axis drops the x window. */
  distillery_chart_set_x_mode (chart, DISTILLERY_CHART_X_STEP);
  g_assert_false (distillery_chart_get_zoom (chart, NULL, NULL, NULL, NULL));

  g_autofree char *description = distillery_chart_describe (chart);
  g_assert_nonnull (strstr (description, "Training loss: 0.5 at Step 100"));
  distillery_chart_set_series_visible (chart, 1, FALSE);
  g_free (description);
  description = distillery_chart_describe (chart);
  g_assert_nonnull (strstr (description, "KD part: hidden"));

  g_assert_cmpfloat (distillery_chart_nearest_x (chart, 41.4, 0), ==, 41);
  g_assert_cmpfloat (distillery_chart_nearest_x (chart, 41, 1), ==, 42);
  g_assert_cmpfloat (distillery_chart_nearest_x (chart, 41, -1), ==, 40);
  g_assert_true (isnan (distillery_chart_nearest_x (chart, 100, 1)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart/axis/ticks/tiny", test_ticks_tiny);
  g_test_add_func ("/chart/axis/ticks/huge", test_ticks_huge);
  g_test_add_func ("/chart/axis/ticks/negative", test_ticks_negative);
  g_test_add_func ("/chart/axis/ticks/constant", test_ticks_constant);
  g_test_add_func ("/chart/axis/log", test_axis_log);
  g_test_add_func ("/chart/axis/format", test_axis_format);
  g_test_add_func ("/chart/axis/mapping", test_axis_mapping);
  g_test_add_func ("/chart/series/append", test_series_append);
  g_test_add_func ("/chart/series/decimate", test_series_decimate);
  g_test_add_func ("/chart/series/ema", test_series_ema);
  g_test_add_func ("/chart/model", test_model);
  g_test_add_func ("/chart/draw/loss", test_draw_loss);
  g_test_add_func ("/chart/draw/accuracy", test_draw_accuracy);
  g_test_add_func ("/chart/draw/agreement", test_draw_agreement);
  g_test_add_func ("/chart/draw/matrix", test_draw_matrix);
  g_test_add_func ("/chart/draw/comparison", test_draw_comparison);
  g_test_add_func ("/chart/draw/decimated", test_draw_decimated);
  g_test_add_func ("/chart/draw/log-and-smoothing", test_draw_log_and_smoothing);
  g_test_add_func ("/chart/draw/log-x", test_draw_log_x);
  g_test_add_func ("/chart/draw/empty", test_draw_empty);
  g_test_add_func ("/chart/export/svg", test_export_svg);
  g_test_add_func ("/chart/export/pdf", test_export_pdf);
  g_test_add_func ("/chart/export/png", test_export_png);
  g_test_add_func ("/chart/export/csv", test_export_csv);

  return g_test_run ();
}

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The arrays of one chart curve, its smoothing and its decimation to pixel
 * columns. See distillery-chart-series.h.
 */
#include "config.h"

#include "distillery-chart-series.h"

#include <math.h>

DistilleryChartSeries *
distillery_chart_series_new (const char *name,
                             gboolean    with_band)
{
  DistilleryChartSeries *series = g_new0 (DistilleryChartSeries, 1);

  series->name = g_strdup (name);
  /* A band is known at creation so that growing the arrays is one path. */
  if (with_band)
    {
      series->band_low = g_new (float, 1);
      series->band_high = g_new (float, 1);
    }
  series->smoothed_weight = -1;
  return series;
}

void
distillery_chart_series_free (DistilleryChartSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->name);
  for (guint m = 0; m < DISTILLERY_CHART_N_X_MODES; m++)
    g_free (series->x[m]);
  g_free (series->y);
  g_free (series->band_low);
  g_free (series->band_high);
  g_free (series->smoothed);
  g_free (series);
}

void
distillery_chart_series_append (DistilleryChartSeries *series,
                                double                 step,
                                double                 epoch,
                                double                 wall,
                                double                 y,
                                double                 band_low,
                                double                 band_high)
{
  g_return_if_fail (series != NULL);

  if (series->n == series->capacity)
    {
      /* Doubling keeps appends amortised O(1) for curves of millions. */
      series->capacity = MAX (64, series->capacity * 2);
      for (guint m = 0; m < DISTILLERY_CHART_N_X_MODES; m++)
        series->x[m] = g_renew (double, series->x[m], series->capacity);
      series->y = g_renew (float, series->y, series->capacity);
      if (series->band_low != NULL)
        {
          series->band_low = g_renew (float, series->band_low, series->capacity);
          series->band_high = g_renew (float, series->band_high, series->capacity);
        }
    }
  series->x[DISTILLERY_CHART_X_STEP][series->n] = step;
  series->x[DISTILLERY_CHART_X_EPOCH][series->n] = epoch;
  series->x[DISTILLERY_CHART_X_WALL][series->n] = wall;
  series->y[series->n] = (float) y;
  if (series->band_low != NULL)
    {
      series->band_low[series->n] = (float) band_low;
      series->band_high[series->n] = (float) band_high;
    }
  series->n++;
}

/* One step of the EMA; returns the smoothed value of y. power starts at
 * 1 and is weight^k after k finite values: one multiplication a step
 * instead of pow(), and flushed to zero before it turns denormal, where
 * 1 - power is 1 anyway. */
static float
ema_step (double *last, double *power, double weight, float y)
{
  if (!isfinite (y))
    return y;
  *last = *last * weight + (1 - weight) * y;
  *power = *power * weight < 1e-300 ? 0 : *power * weight;
  double debias = weight == 1 ? 1 : 1 - *power;
  return (float) (*last / debias);
}

void
distillery_chart_ema (float       *out,
                      const float *y,
                      gsize        n,
                      double       weight)
{
  double last = 0, power = 1;

  for (gsize i = 0; i < n; i++)
    out[i] = ema_step (&last, &power, weight, y[i]);
}

const float *
distillery_chart_series_smooth (DistilleryChartSeries *series,
                                double                 weight)
{
  g_return_val_if_fail (series != NULL, NULL);

  if (weight != series->smoothed_weight)
    {
      series->smoothed_weight = weight;
      series->n_smoothed = 0;
      series->ema_last = 0;
      series->ema_power = 1;
    }
  if (series->n_smoothed < series->n)
    {
      /* Smoothing only the new points keeps a live curve's cost per frame
       * independent of its length. */
      series->smoothed = g_renew (float, series->smoothed, series->capacity);
      for (gsize i = series->n_smoothed; i < series->n; i++)
        series->smoothed[i] = ema_step (&series->ema_last, &series->ema_power, weight, series->y[i]);
      series->n_smoothed = series->n;
    }
  return series->smoothed;
}

/* First index in [lo, hi) whose x is not below `x` (x sorted ascending). */
static gsize
lower_bound (const double *x, gsize lo, gsize hi, double value)
{
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (x[mid] < value)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gsize
distillery_chart_series_search (const DistilleryChartSeries *series,
                                DistilleryChartXMode         mode,
                                double                       x)
{
  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (mode < DISTILLERY_CHART_N_X_MODES, 0);

  return lower_bound (series->x[mode], 0, series->n, x);
}

/* factor is n_columns / (x_max - x_min), worked out once per curve. */
static inline gint64
column_index (double x, double x_min, double x_max, double factor, guint n_columns)
{
  if (x < x_min)
    return -1;
  if (x > x_max)
    return n_columns;
  if (!(x_max > x_min))
    return 0;
  /* x >= x_min: the cast rounds down. x_max itself belongs to the last column. */
  return MIN ((gint64) ((x - x_min) * factor), (gint64) n_columns - 1);
}

gint64
distillery_chart_column_of (double x, double x_min, double x_max, guint n_columns)
{
  return column_index (x, x_min, x_max, n_columns / (x_max - x_min), n_columns);
}

/* First index in [lo, hi) whose column is above `column`: galloping from
 * lo in steps that start at `guess` (the last column's number of points),
 * so that evenly spread points take a few probes a column. */
static gsize
column_end (const double *x, gsize lo, gsize hi, gint64 column,
            double x_min, double x_max, double factor, guint n_columns, gsize guess)
{
  gsize step = MAX (guess, 1), start = lo;

  while (start + step < hi && column_index (x[start + step], x_min, x_max, factor, n_columns) <= column)
    {
      start += step;
      step *= 2;
    }
  hi = MIN (hi, start + step);
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (column_index (x[mid], x_min, x_max, factor, n_columns) <= column)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
reduce (DistilleryChartColumn *column, const float *y, gsize n)
{
  /* Four running minima and maxima let the compiler keep this loop in
   * vector registers; `v < m ? v : m` skips NaN exactly as minss does. */
  float mn[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
  float mx[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    for (guint k = 0; k < 4; k++)
      {
        float v = y[i + k];
        mn[k] = v < mn[k] ? v : mn[k];
        mx[k] = v > mx[k] ? v : mx[k];
      }
  for (; i < n; i++)
    {
      mn[0] = y[i] < mn[0] ? y[i] : mn[0];
      mx[0] = y[i] > mx[0] ? y[i] : mx[0];
    }
  column->min = MIN (MIN (mn[0], mn[1]), MIN (mn[2], mn[3]));
  column->max = MAX (MAX (mx[0], mx[1]), MAX (mx[2], mx[3]));
  column->n = (guint) n;
  /* Nothing but NaN, or nothing at all. */
  if (column->min > column->max)
    column->min = column->max = NAN;
}

void
distillery_chart_decimate (DistilleryChartColumn *columns,
                           guint                  n_columns,
                           const double          *x,
                           const float           *y,
                           gsize                  n,
                           double                 x_min,
                           double                 x_max)
{
  g_return_if_fail (n_columns > 0);

  double factor = n_columns / (x_max - x_min);
  gsize i = lower_bound (x, 0, n, x_min);
  gsize end = column_end (x, i, n, n_columns - 1, x_min, x_max, factor, n_columns, n - i);
  gsize guess = (end - i) / n_columns;

  for (guint c = 0; c < n_columns; c++)
    {
      gsize next = column_end (x, i, end, c, x_min, x_max, factor, n_columns, guess);
      reduce (&columns[c], y + i, next - i);
      guess = next - i;
      i = next;
    }
}

void
distillery_chart_series_y_range (const DistilleryChartSeries *series,
                                 DistilleryChartXMode         mode,
                                 double                       x_min,
                                 double                       x_max,
                                 float                       *min,
                                 float                       *max,
                                 float                       *min_positive)
{
  g_return_if_fail (series != NULL && min != NULL && max != NULL);

  const double *x = series->x[mode];
  gsize lo = lower_bound (x, 0, series->n, x_min);
  gsize hi = lower_bound (x, lo, series->n, nextafter (x_max, INFINITY));
  const float *arrays[] = { series->y, series->band_low, series->band_high };
  float positive = INFINITY;

  *min = INFINITY;
  *max = -INFINITY;
  for (guint a = 0; a < G_N_ELEMENTS (arrays) && arrays[a] != NULL; a++)
    {
      DistilleryChartColumn all;
      reduce (&all, arrays[a] + lo, hi - lo);
      if (isinf (all.min) || isinf (all.max))
        {
          /* A diverged run's infinities would leave no room for the rest. */
          all.min = INFINITY;
          all.max = -INFINITY;
          for (gsize i = lo; i < hi; i++)
            if (isfinite (arrays[a][i]))
              {
                all.min = MIN (all.min, arrays[a][i]);
                all.max = MAX (all.max, arrays[a][i]);
              }
          if (all.min > all.max)
            continue;
        }
      if (isnan (all.min))
        continue;
      *min = MIN (*min, all.min);
      *max = MAX (*max, all.max);
      if (min_positive != NULL && all.min <= 0)
        for (gsize i = lo; i < hi; i++)
          positive = arrays[a][i] > 0 && arrays[a][i] < positive ? arrays[a][i] : positive;
      else
        positive = MIN (positive, all.min);
    }
  if (*min > *max)
    *min = *max = NAN;
  if (min_positive != NULL)
    *min_positive = isfinite (positive) ? positive : NAN;
}

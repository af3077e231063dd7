/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One curve of a chart as plain arrays: each point has three x values (the
 * step, the epoch and the wall time it was logged at) so that the chart
 * can switch its x axis without asking for the data again, and one y
 * value. Appending is amortised O(1). Beside the arrays live the two
 * things a long curve needs to be drawn fast: its exponential moving
 * average, extended point by point as the curve grows, and its reduction
 * to the pixel columns a plot gives it (the min and max of each).
 * No GTK here: the CLI draws charts without a display.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_CHART_X_STEP,
  DISTILLERY_CHART_X_EPOCH,
  DISTILLERY_CHART_X_WALL,
  DISTILLERY_CHART_N_X_MODES,
} DistilleryChartXMode;

/* What the points of one pixel column come to. Columns with no point have
 * n == 0 and NaN values; NaN points (a metric that was not a number) are
 * counted but do not take part in min and max. */
typedef struct
{
  float min, max;
  guint n;
} DistilleryChartColumn;

typedef struct
{
  char   *name;
  double *x[DISTILLERY_CHART_N_X_MODES];
  float  *y;
  /* A band around the curve (min and max over several seeds), or NULL. */
  float  *band_low, *band_high;
  gsize   n, capacity;

  /* The debiased EMA of y for `smoothed_weight`, valid for the first
   * n_smoothed points; ema_last and ema_power (the weight to the power of
   * the values seen) carry its state on. */
  float  *smoothed;
  gsize   n_smoothed;
  double  smoothed_weight, ema_last, ema_power;
} DistilleryChartSeries;

DistilleryChartSeries *distillery_chart_series_new      (const char *name, gboolean with_band);
void                   distillery_chart_series_free     (DistilleryChartSeries *series);
void                   distillery_chart_series_append   (DistilleryChartSeries *series,
                                                         double step, double epoch, double wall,
                                                         double y, double band_low, double band_high);
/* The smoothed curve for weight in [0, 1), extended to all points. */
const float           *distillery_chart_series_smooth   (DistilleryChartSeries *series, double weight);
/* Index of the first point whose x (in mode) is >= x; n when none is. */
gsize                  distillery_chart_series_search   (const DistilleryChartSeries *series,
                                                         DistilleryChartXMode mode, double x);
/* The smallest and largest finite y (and band values) of the points with
 * x in [x_min, x_max], NaN when there are none; min_positive (may be NULL) is
 * the smallest y above zero, for a log axis. */
void                   distillery_chart_series_y_range  (const DistilleryChartSeries *series,
                                                         DistilleryChartXMode mode, double x_min, double x_max,
                                                         float *min, float *max, float *min_positive);

/* TensorBoard's debiased EMA: last = last * w + (1 - w) * y;
 * smoothed = last / (1 - w^k) after the k-th finite value. Non-finite
 * values pass through unsmoothed and do not advance k. */
void                   distillery_chart_ema             (float *out, const float *y, gsize n, double weight);

/* Reduces the points with x in [x_min, x_max] (x sorted ascending) to
 * n_columns equal columns: column c holds the points whose
 * distillery_chart_column_of() is c. */
void                   distillery_chart_decimate        (DistilleryChartColumn *columns, guint n_columns,
                                                         const double *x, const float *y, gsize n,
                                                         double x_min, double x_max);
/* The column x falls in, or -1 / n_columns outside the range. */
gint64                 distillery_chart_column_of       (double x, double x_min, double x_max, guint n_columns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DistilleryChartSeries, distillery_chart_series_free)

G_END_DECLS

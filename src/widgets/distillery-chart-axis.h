/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chart axes as pure functions: the range an axis shows, where its ticks
 * go, how their labels read, and the mapping between values and pixels.
 * Nothing here draws or allocates beyond a label string, so every rule
 * (nice numbers, SI suffixes, log scales with zero or negative data) is
 * tested on its own.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_CHART_UNIT_NUMBER,    /* 0.25, 1.5k, 2e-10 */
  DISTILLERY_CHART_UNIT_PERCENT,   /* a fraction shown as 25% */
  DISTILLERY_CHART_UNIT_SECONDS,   /* 30 s, 5 min, 2 h */
} DistilleryChartUnit;

/* Value range [min, max] drawn between pixels `from` and `to` (for a y
 * axis, from is the bottom). */
typedef struct
{
  double   min, max;
  gboolean log;
  double   from, to;
} DistilleryChartScale;

#define DISTILLERY_CHART_MAX_TICKS 32

typedef struct
{
  double value[DISTILLERY_CHART_MAX_TICKS];
  guint  n;
  double step;        /* spacing of linear ticks, the label resolution */
  double magnitude;   /* largest |value| on the axis, picks the notation */
} DistilleryChartTicks;

/* NaN for values a log scale cannot show (zero, negative). */
double    distillery_chart_scale_to_pixel (const DistilleryChartScale *scale, double value);
double    distillery_chart_scale_to_value (const DistilleryChartScale *scale, double pixel);

/* Widens [*min, *max] to what an axis with about max_ticks ticks shows:
 * ends on tick values; a constant range around its value; no data (NaN)
 * as [0, 1]. On a log scale *min is the smallest positive value (or not
 * positive when there is none) and the range ends on powers of ten. */
void      distillery_chart_nice_range (double *min, double *max, gboolean log,
                                       DistilleryChartUnit unit, guint max_ticks);

/* At most max_ticks (and DISTILLERY_CHART_MAX_TICKS) ticks inside
 * [min, max] at 1, 2 or 5 times a power of ten, in the unit's own scale
 * for seconds; on a log scale at powers of ten (and 2 and 5 times them
 * when the range spans few decades). */
void      distillery_chart_ticks (DistilleryChartTicks *ticks, double min, double max, gboolean log,
                                  DistilleryChartUnit unit, guint max_ticks);

/* A label for value: `resolution` is the smallest difference it must show
 * (0: four significant digits), `magnitude` the axis' largest |value|.
 * Thousands and up take SI suffixes (1.5k, 200G, 1T), magnitudes below
 * 0.001 e-notation (2e-10), seconds the unit that suits the magnitude. */
char     *distillery_chart_format (double value, double resolution, double magnitude, DistilleryChartUnit unit);
char     *distillery_chart_ticks_format (const DistilleryChartTicks *ticks, guint i, DistilleryChartUnit unit);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ranges, ticks, labels and pixel mapping of chart axes. See
 * distillery-chart-axis.h.
 */
#include "config.h"

#include "distillery-chart-axis.h"

#include <math.h>
#include <string.h>

/* Below this relative width a range is treated as one value: its ticks
 * would differ in the last bits of a double. */
#define CONSTANT_RANGE 1e-12

double
distillery_chart_scale_to_pixel (const DistilleryChartScale *scale,
                                 double                      value)
{
  double t;

  if (scale->log)
    {
      if (!(value > 0))
        return NAN;
      t = (log10 (value) - log10 (scale->min)) / (log10 (scale->max) - log10 (scale->min));
    }
  else
    t = (value - scale->min) / (scale->max - scale->min);
  return scale->from + t * (scale->to - scale->from);
}

double
distillery_chart_scale_to_value (const DistilleryChartScale *scale,
                                 double                      pixel)
{
  double t = (pixel - scale->from) / (scale->to - scale->from);

  if (scale->log)
    return pow (10, log10 (scale->min) + t * (log10 (scale->max) - log10 (scale->min)));
  return scale->min + t * (scale->max - scale->min);
}

/* Seconds are ticked in seconds, minutes or hours, whichever suits. */
static double
seconds_scale (double magnitude, const char **suffix)
{
  if (magnitude < 120)
    {
      *suffix = " s";
      return 1;
    }
  if (magnitude < 7200)
    {
      *suffix = " min";
      return 60;
    }
  *suffix = " h";
  return 3600;
}

static double
unit_scale (DistilleryChartUnit unit, double min, double max)
{
  const char *suffix;

  if (unit != DISTILLERY_CHART_UNIT_SECONDS)
    return 1;
  return seconds_scale (MAX (fabs (min), fabs (max)), &suffix);
}

/* The smallest of 1, 2, 5 times a power of ten not below raw. */
static double
nice_step (double raw)
{
  double power = pow (10, floor (log10 (raw)));
  double f = raw / power;

  if (f <= 1 + 1e-9)
    return power;
  if (f <= 2 + 1e-9)
    return 2 * power;
  if (f <= 5 + 1e-9)
    return 5 * power;
  return 10 * power;
}

static gboolean
is_constant (double min, double max)
{
  return max - min <= CONSTANT_RANGE * MAX (fabs (min), fabs (max));
}

/* The smallest nice step with at most max_ticks ticks: inside [min, max],
 * or, to widen the range to ticks, covering it. A range widened with a
 * step is ticked with that same step, so an axis ends on ticks. */
static double
choose_step (double min, double max, guint max_ticks, gboolean widen)
{
  double step = nice_step ((max - min) / max_ticks);

  /* Callers rule out constant and non-finite ranges; a range too narrow
   * for a double to step through would still end the loop here. */
  if (!(step > 0) || !isfinite (step))
    return 1;
  for (;;)
    {
      double lo = widen ? floor (min / step + 1e-9) : ceil (min / step - 1e-9);
      double hi = widen ? ceil (max / step - 1e-9) : floor (max / step + 1e-9);
      if (hi - lo + 1 <= max_ticks)
        return step;
      step = nice_step (step * 1.5);
    }
}

static void
linear_ticks (DistilleryChartTicks *ticks, double min, double max, DistilleryChartUnit unit, guint max_ticks)
{
  double scale = unit_scale (unit, min, max);
  double step = choose_step (min / scale, max / scale, max_ticks, FALSE);

  for (double k = ceil (min / scale / step - 1e-9); k <= floor (max / scale / step + 1e-9); k++)
    {
      double v = k * step * scale;
      /* k * step of a negative k can miss zero by a rounding error. */
      ticks->value[ticks->n++] = fabs (v) < step * scale * 1e-9 ? 0 : v;
    }
  ticks->step = step * scale;
}

static void
log_ticks (DistilleryChartTicks *ticks, double min, double max, DistilleryChartUnit unit, guint max_ticks)
{
  int lo = (int) ceil (log10 (min) - 1e-9), hi = (int) floor (log10 (max) + 1e-9);
  int decades = hi - lo + 1;
  static const double mantissas[] = { 1, 2, 5 };

  /* 1, 2 and 5 times each power when they all fit: counted, since a
   * range that ends on powers holds fewer of them than three a decade. */
  gboolean too_many = FALSE;
  for (int e = lo - 1; decades > 0 && e <= hi && !too_many; e++)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas) && !too_many; m++)
      {
        double v = mantissas[m] * pow (10, e);
        if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9))
          continue;
        too_many = ticks->n == max_ticks;
        if (!too_many)
          ticks->value[ticks->n++] = v;
      }
  if (too_many)
    ticks->n = 0;
  if (ticks->n == 0 && decades > 0)
    {
      int every = (decades + (int) max_ticks - 1) / (int) max_ticks;
      for (int e = lo; e <= hi; e += every)
        ticks->value[ticks->n++] = pow (10, e);
    }
  ticks->step = 0;
  /* A zoomed log axis inside one decade reads better with linear ticks. */
  if (ticks->n < 2)
    {
      ticks->n = 0;
      linear_ticks (ticks, min, max, unit, max_ticks);
    }
}

void
distillery_chart_nice_range (double              *min,
                             double              *max,
                             gboolean             log,
                             DistilleryChartUnit  unit,
                             guint                max_ticks)
{
  g_return_if_fail (min != NULL && max != NULL);

  if (log)
    {
      if (!(*max > 0) || !isfinite (*max))
        {
          *min = 1;
          *max = 10;
          return;
        }
      /* Zero and negative values cannot be shown; three decades below the
       * top still show the shape of a curve that ends near zero. */
      if (!(*min > 0) || !isfinite (*min))
        *min = *max / 1000;
      double lo = floor (log10 (*min) + 1e-9), hi = ceil (log10 (*max) - 1e-9);
      if (hi <= lo)
        hi = lo + 1;
      *min = pow (10, lo);
      *max = pow (10, hi);
      return;
    }

  if (!isfinite (*min) || !isfinite (*max))
    {
      *min = 0;
      *max = 1;
      return;
    }
  if (is_constant (*min, *max))
    {
      double half = *min == 0 ? 1 : fabs (*min) * 0.1;
      *max = *min + half;
      *min -= half;
    }
  double scale = unit_scale (unit, *min, *max);
  double step = choose_step (*min / scale, *max / scale, MAX (2, max_ticks), TRUE);
  *min = floor (*min / scale / step + 1e-9) * step * scale;
  *max = ceil (*max / scale / step - 1e-9) * step * scale;
}

void
distillery_chart_ticks (DistilleryChartTicks *ticks,
                        double                min,
                        double                max,
                        gboolean              log,
                        DistilleryChartUnit   unit,
                        guint                 max_ticks)
{
  g_return_if_fail (ticks != NULL);

  memset (ticks, 0, sizeof *ticks);
  max_ticks = CLAMP (max_ticks, 1, DISTILLERY_CHART_MAX_TICKS);
  if (!isfinite (min) || !isfinite (max) || max < min || (log && !(min > 0)))
    return;
  ticks->magnitude = MAX (fabs (min), fabs (max));
  if (is_constant (min, max))
    ticks->value[ticks->n++] = min;
  else if (log)
    log_ticks (ticks, min, max, unit, max_ticks);
  else
    linear_ticks (ticks, min, max, unit, max_ticks);
}

/* value with enough decimals to tell values `resolution` apart, or four
 * significant digits; no trailing zeros; a real minus sign. */
static void
append_plain (GString *out, double value, double resolution)
{
  int decimals;
  char buf[64];

  if (resolution > 0)
    decimals = (int) ceil (-log10 (resolution) - 1e-9);
  else
    decimals = value == 0 ? 0 : 3 - (int) floor (log10 (fabs (value)));
  decimals = CLAMP (decimals, 0, 15);
  g_snprintf (buf, sizeof buf, "%.*f", decimals, value);
  if (decimals > 0)
    {
      char *end = buf + strlen (buf) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (!g_ascii_isdigit (*end))
        *end = '\0';
    }
  if (strcmp (buf, "-0") == 0)
    g_string_append (out, "0");
  else if (buf[0] == '-')
    g_string_append_printf (out, "−%s", buf + 1);
  else
    g_string_append (out, buf);
}

char *
distillery_chart_format (double              value,
                         double              resolution,
                         double              magnitude,
                         DistilleryChartUnit unit)
{
  static const char *const si[] = { "", "k", "M", "G", "T", "P", "E" };
  GString *out = g_string_new (NULL);

  if (!isfinite (value))
    {
      g_string_append (out, isnan (value) ? "–" : value > 0 ? "∞" : "−∞");
      return g_string_free (out, FALSE);
    }
  switch (unit)
    {
    case DISTILLERY_CHART_UNIT_PERCENT:
      append_plain (out, value * 100, resolution * 100);
      g_string_append (out, "%");
      break;

    case DISTILLERY_CHART_UNIT_SECONDS:
      {
        const char *suffix;
        double scale = seconds_scale (magnitude, &suffix);
        append_plain (out, value / scale, resolution / scale);
        g_string_append (out, suffix);
      }
      break;

    case DISTILLERY_CHART_UNIT_NUMBER:
    default:
      if (magnitude < 1e-3 && value != 0)
        {
          int e = (int) floor (log10 (fabs (value)));
          double power = pow (10, e);
          append_plain (out, value / power, resolution > 0 ? resolution / power : 0.01);
          g_string_append_printf (out, "e%d", e);
        }
      else if (fabs (value) >= 1e3)
        {
          int k = MIN ((int) floor (log10 (fabs (value)) / 3 + 1e-9), (int) G_N_ELEMENTS (si) - 1);
          double power = pow (10, 3 * k);
          append_plain (out, value / power, resolution / power);
          g_string_append (out, si[k]);
        }
      else
        append_plain (out, value, resolution);
      break;
    }
  return g_string_free (out, FALSE);
}

char *
distillery_chart_ticks_format (const DistilleryChartTicks *ticks,
                               guint                       i,
                               DistilleryChartUnit         unit)
{
  g_return_val_if_fail (ticks != NULL && i < ticks->n, NULL);

  return distillery_chart_format (ticks->value[i], ticks->step, ticks->magnitude, unit);
}

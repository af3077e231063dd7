/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Draws a DistilleryChart with Cairo and Pango: title, legend, grid, axes
 * with their tick labels, the curves (decimated to the pixel columns they
 * cover when long, smoothed with the raw curve faint behind), reference
 * lines, or the agreement matrix as a heat map; and the hover crosshair.
 * See distillery-chart-draw.h.
 */
#include "config.h"

#include "distillery-chart-draw.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "distillery-chart-private.h"

#define PAD 10.0           /* space around the chart and between its parts */
#define TICK_GAP 6.0       /* between a tick label and the plot */
#define LEGEND_SWATCH 18.0 /* length of a legend's line sample */
#define CURVE_WIDTH 2.0
#define RAW_ALPHA 0.25     /* the raw curve behind a smoothed one */
#define BAND_ALPHA 0.18
#define POINT_RADIUS 4.0

/* Okabe, M. and Ito, K. (2008), "Color Universal Design (CUD): how to make
 * figures and presentations that are friendly to colorblind people",
 * https://jfly.uni-koeln.de/color/ — eight colours that people with any
 * of the common colour vision deficiencies can tell apart. Black is the
 * foreground's place; yellow is too pale on white and blue too dark on
 * black, so each background leaves out one and orders the rest for
 * contrast with it. */
static const guint32 okabe_ito_light[DISTILLERY_CHART_PALETTE_SIZE] = {
  0x0072B2, /* blue */
  0xD55E00, /* vermillion */
  0x009E73, /* bluish green */
  0xCC79A7, /* reddish purple */
  0xE69F00, /* orange */
  0x56B4E9, /* sky blue */
  0x000000, /* black */
};
static const guint32 okabe_ito_dark[DISTILLERY_CHART_PALETTE_SIZE] = {
  0x56B4E9, /* sky blue */
  0xE69F00, /* orange */
  0x009E73, /* bluish green */
  0xCC79A7, /* reddish purple */
  0xD55E00, /* vermillion */
  0xF0E442, /* yellow */
  0xFFFFFF, /* white */
};

static DistilleryChartColor
rgb (guint32 hex, double alpha)
{
  return (DistilleryChartColor) { ((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0,
                                  (hex & 0xff) / 255.0, alpha };
}

static void
style_init (DistilleryChartStyle *style, gboolean dark, DistilleryChartColor foreground,
            DistilleryChartColor background)
{
  memset (style, 0, sizeof *style);
  style->dark = dark;
  style->foreground = foreground;
  style->background = background;
  style->grid = foreground;
  style->grid.alpha *= dark ? 0.16 : 0.12;
  for (guint i = 0; i < DISTILLERY_CHART_PALETTE_SIZE; i++)
    style->palette[i] = rgb (dark ? okabe_ito_dark[i] : okabe_ito_light[i], 1);
  g_strlcpy (style->font, "Sans 9", sizeof style->font);
  style->legend = TRUE;
}

void
distillery_chart_style_init_light (DistilleryChartStyle *style)
{
  g_return_if_fail (style != NULL);

  /* Adwaita's view colours. */
  style_init (style, FALSE, rgb (0x1e1e1e, 1), rgb (0xffffff, 1));
}

void
distillery_chart_style_init_dark (DistilleryChartStyle *style)
{
  g_return_if_fail (style != NULL);

  style_init (style, TRUE, rgb (0xffffff, 1), rgb (0x1e1e1e, 1));
}

void
distillery_chart_style_init_from_colors (DistilleryChartStyle       *style,
                                         const DistilleryChartColor *foreground,
                                         const DistilleryChartColor *background)
{
  g_return_if_fail (style != NULL && foreground != NULL);

  /* Relative luminance (ITU-R BT.709 weights): light text means a dark
   * background. */
  double luminance = 0.2126 * foreground->red + 0.7152 * foreground->green + 0.0722 * foreground->blue;
  style_init (style, luminance > 0.5, *foreground,
              background ? *background : (DistilleryChartColor) { 0, 0, 0, 0 });
}

/* The colour cells and boxes are painted on, opaque even when the style's
 * background is transparent. */
static DistilleryChartColor
base_color (const DistilleryChartStyle *style)
{
  if (style->background.alpha >= 1)
    return style->background;
  return style->dark ? rgb (0x1e1e1e, 1) : rgb (0xffffff, 1);
}

static void
set_color (cairo_t *cr, const DistilleryChartColor *color, double alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static const DistilleryChartColor *
line_color (const DistilleryChartStyle *style, const DistilleryChartLine *line)
{
  return &style->palette[line->color % DISTILLERY_CHART_PALETTE_SIZE];
}

/* Text ------------------------------------------------------------------ */

typedef enum { TEXT_NORMAL, TEXT_BOLD } TextKind;

/* One Pango context per cairo context, kept on it: pango_cairo_create_layout()
 * makes a context per call, and a chart draws a few dozen labels a frame. */
static const cairo_user_data_key_t text_context_key;

static PangoContext *
text_context (cairo_t *cr)
{
  PangoContext *context = cairo_get_user_data (cr, &text_context_key);

  if (context == NULL)
    {
      context = pango_cairo_create_context (cr);
      if (cairo_set_user_data (cr, &text_context_key, context, g_object_unref) != CAIRO_STATUS_SUCCESS)
        {
          /* Not kept (out of memory): the cairo context keeps no reference. */
          g_object_unref (context);
          return pango_cairo_create_context (cr);
        }
      return g_object_ref (context);
    }
  /* The transformation may have changed since the last label. */
  pango_cairo_update_context (cr, context);
  return g_object_ref (context);
}

static PangoLayout *
text_new (cairo_t *cr, const DistilleryChartStyle *style, const char *text, TextKind kind)
{
  PangoContext *context = text_context (cr);
  PangoLayout *layout = pango_layout_new (context);
  PangoFontDescription *font = pango_font_description_from_string (style->font);

  if (kind == TEXT_BOLD)
    {
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      pango_font_description_set_size (font, pango_font_description_get_size (font) * 6 / 5);
    }
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_font_description_free (font);
  g_object_unref (context);
  return layout;
}

static void
text_size (PangoLayout *layout, double *width, double *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

static double
text_width (cairo_t *cr, const DistilleryChartStyle *style, const char *text)
{
  g_autoptr(PangoLayout) layout = text_new (cr, style, text, TEXT_NORMAL);
  double width;

  text_size (layout, &width, NULL);
  return width;
}

static double
line_height (cairo_t *cr, const DistilleryChartStyle *style)
{
  g_autoptr(PangoLayout) layout = text_new (cr, style, "0", TEXT_NORMAL);
  double height;

  text_size (layout, NULL, &height);
  return height;
}

/* Draws text with its anchor point (ax, ay in [0, 1] of its box) at
 * (x, y), turned by `angle` radians around it. */
static void
draw_text (cairo_t *cr, const DistilleryChartStyle *style, const char *text, TextKind kind,
           double x, double y, double ax, double ay, double angle, const DistilleryChartColor *color,
           double alpha)
{
  g_autoptr(PangoLayout) layout = text_new (cr, style, text, kind);
  double width, height;

  text_size (layout, &width, &height);
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, angle);
  cairo_move_to (cr, -ax * width, -ay * height);
  set_color (cr, color, alpha);
  pango_cairo_update_layout (cr, layout);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* Crisp lines ----------------------------------------------------------- */

static double
device_scale (cairo_t *cr)
{
  double sx = 1, sy = 0;

  cairo_user_to_device_distance (cr, &sx, &sy);
  return MAX (hypot (sx, sy), 1e-6);
}

/* Puts a line of `width` user units on whole device pixels: centred on a
 * pixel's middle when it is an odd number of them wide, on a boundary
 * when even. */
static double
snap (double v, double width, double scale)
{
  double offset = fmod (round (width * scale), 2) / 2;
  return (round (v * scale - offset) + offset) / scale;
}

/* Ranges ---------------------------------------------------------------- */

static gboolean
x_window (DistilleryChart *chart, double *min, double *max)
{
  if (chart->zoomed)
    {
      *min = chart->zoom_x_min;
      *max = chart->zoom_x_max;
      return TRUE;
    }
  if (!distillery_chart_get_data_x_range (chart, min, max))
    return FALSE;
  if (chart->log_x)
    {
      /* From the smallest positive x, out to powers of ten. */
      double positive = INFINITY;
      for (guint i = 0; i < chart->lines->len; i++)
        {
          DistilleryChartLine *line = _distillery_chart_line (chart, i);
          gsize k = distillery_chart_series_search (line->data, chart->x_mode, nextafter (0, 1));
          if (line->visible && k < line->data->n)
            positive = MIN (positive, line->data->x[chart->x_mode][k]);
        }
      if (!isfinite (positive))
        return FALSE;
      *min = positive;
      distillery_chart_nice_range (min, max, TRUE, DISTILLERY_CHART_UNIT_NUMBER, 4);
      return TRUE;
    }
  if (*min == *max)
    distillery_chart_nice_range (min, max, FALSE, DISTILLERY_CHART_UNIT_NUMBER, 4);
  return TRUE;
}

/* Where the points with x in [x_min, x_max] start and end. */
static void
window_points (DistilleryChart *chart, DistilleryChartLine *line, double x_min, double x_max, gsize *lo, gsize *hi)
{
  *lo = distillery_chart_series_search (line->data, chart->x_mode, x_min);
  *hi = distillery_chart_series_search (line->data, chart->x_mode, nextafter (x_max, INFINITY));
}

static void
line_range (DistilleryChart *chart, DistilleryChartLine *line, double x_min, double x_max,
            float *min, float *max, float *min_positive)
{
  gsize lo, hi;

  window_points (chart, line, x_min, x_max, &lo, &hi);
  if (!line->range.valid || line->range.mode != chart->x_mode || line->range.x_min != x_min
      || line->range.x_max != x_max || line->range.lo != lo || line->range.hi != hi)
    {
      distillery_chart_series_y_range (line->data, chart->x_mode, x_min, x_max,
                                       &line->range.min, &line->range.max, &line->range.min_positive);
      line->range.valid = TRUE;
      line->range.mode = chart->x_mode;
      line->range.x_min = x_min;
      line->range.x_max = x_max;
      line->range.lo = lo;
      line->range.hi = hi;
    }
  *min = line->range.min;
  *max = line->range.max;
  *min_positive = line->range.min_positive;
}

/* The y range of one axis: its zoom, or its data and reference lines made
 * nice. */
static void
y_range (DistilleryChart *chart, guint axis, double x_min, double x_max, guint max_ticks,
         double *min, double *max)
{
  double lo = INFINITY, hi = -INFINITY, positive = INFINITY;

  if (axis == 0 && chart->zoomed && !isnan (chart->zoom_y_min))
    {
      *min = chart->zoom_y_min;
      *max = chart->zoom_y_max;
      return;
    }
  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      float a, b, p;
      if (!line->visible || line->axis != axis)
        continue;
      line_range (chart, line, x_min, x_max, &a, &b, &p);
      if (isnan (a))
        continue;
      lo = MIN (lo, a);
      hi = MAX (hi, b);
      if (!isnan (p))
        positive = MIN (positive, p);
    }
  for (guint r = 0; r < chart->references->len; r++)
    {
      const DistilleryChartReference *ref = &g_array_index (chart->references, DistilleryChartReference, r);
      if (ref->axis != axis || !isfinite (ref->value))
        continue;
      lo = MIN (lo, ref->value);
      hi = MAX (hi, ref->value);
      if (ref->value > 0)
        positive = MIN (positive, ref->value);
    }
  *min = chart->log_y ? positive : lo;
  *max = hi;
  if (!isfinite (*min) || !isfinite (*max))
    *min = *max = NAN;
  distillery_chart_nice_range (min, max, chart->log_y, chart->axis_unit[axis], max_ticks);
}

/* Curves ---------------------------------------------------------------- */

/* Where a curve passes one pixel column (or one point, when there are
 * fewer points than columns): x in pixels, the lowest and highest value. */
typedef struct
{
  double x;
  double low, high;
} Span;

static const float *
line_array (DistilleryChart *chart, DistilleryChartLine *line, DistilleryChartArray which)
{
  switch (which)
    {
    case DISTILLERY_CHART_ARRAY_SMOOTHED:
      return distillery_chart_series_smooth (line->data, chart->smoothing);
    case DISTILLERY_CHART_ARRAY_BAND_LOW:
      return line->data->band_low;
    case DISTILLERY_CHART_ARRAY_BAND_HIGH:
      return line->data->band_high;
    case DISTILLERY_CHART_ARRAY_RAW:
    case DISTILLERY_CHART_N_ARRAYS:
    default:
      return line->data->y;
    }
}

/* The columns of points [lo, hi), which the window [x_min, x_max] holds. */
static const DistilleryChartColumn *
line_columns (DistilleryChart *chart, DistilleryChartLine *line, DistilleryChartArray which,
              double x_min, double x_max, gsize lo, gsize hi, guint n_columns)
{
  DistilleryChartColumnCache *cache = &line->cache[which];
  double weight = which == DISTILLERY_CHART_ARRAY_SMOOTHED ? chart->smoothing : 0;

  if (cache->lo != lo || cache->hi != hi || cache->mode != chart->x_mode || cache->n_columns != n_columns
      || cache->x_min != x_min || cache->x_max != x_max || cache->weight != weight)
    {
      cache->columns = g_renew (DistilleryChartColumn, cache->columns, n_columns);
      distillery_chart_decimate (cache->columns, n_columns, line->data->x[chart->x_mode],
                                 line_array (chart, line, which), line->data->n, x_min, x_max);
      cache->lo = lo;
      cache->hi = hi;
      cache->mode = chart->x_mode;
      cache->n_columns = n_columns;
      cache->x_min = x_min;
      cache->x_max = x_max;
      cache->weight = weight;
    }
  return cache->columns;
}

/* The spans of a curve (low and high from the `low` and `high` arrays, the
 * same array for a line) across the x window, and the points just outside
 * it, so that the curve runs on to the plot's edges. Returns whether the
 * window holds more points than columns: then each span is a column's
 * minimum and maximum. */
static gboolean
line_spans (DistilleryChart *chart, DistilleryChartLine *line, DistilleryChartArray low,
            DistilleryChartArray high, const DistilleryChartLayout *layout, guint n_columns, GArray *out)
{
  DistilleryChartSeries *s = line->data;
  const double *x = s->x[chart->x_mode];
  const float *lo_y = line_array (chart, line, low), *hi_y = line_array (chart, line, high);
  gsize lo, hi;
  Span span;

  window_points (chart, line, layout->x.min, layout->x.max, &lo, &hi);
  /* Pixel columns are linear in x: a log axis draws every point. */
  gboolean dense = !layout->x.log && hi - lo > n_columns;

  g_array_set_size (out, 0);
  if (lo > 0)
    {
      span = (Span) { distillery_chart_scale_to_pixel (&layout->x, x[lo - 1]), lo_y[lo - 1], hi_y[lo - 1] };
      g_array_append_val (out, span);
    }
  if (!dense)
    for (gsize i = lo; i < hi; i++)
      {
        span = (Span) { distillery_chart_scale_to_pixel (&layout->x, x[i]), lo_y[i], hi_y[i] };
        g_array_append_val (out, span);
      }
  else
    {
      const DistilleryChartColumn *lows = line_columns (chart, line, low, layout->x.min, layout->x.max,
                                                        lo, hi, n_columns);
      const DistilleryChartColumn *highs = low == high ? lows
                                             : line_columns (chart, line, high, layout->x.min, layout->x.max,
                                                             lo, hi, n_columns);
      for (guint c = 0; c < n_columns; c++)
        {
          /* An empty column lies between two points: the curve crosses it. */
          if (lows[c].n == 0)
            continue;
          span = (Span) { layout->plot.x + (c + 0.5) * layout->plot.width / n_columns, lows[c].min, highs[c].max };
          g_array_append_val (out, span);
        }
    }
  if (hi < s->n)
    {
      span = (Span) { distillery_chart_scale_to_pixel (&layout->x, x[hi]), lo_y[hi], hi_y[hi] };
      g_array_append_val (out, span);
    }
  return dense;
}

/* The outline of the spans from index `from` up to `to`: along their
 * highs and back along their lows, each `pad` pixels further out; with a
 * half_width, each span is a bar that wide instead of a point. */
static void
path_outline (cairo_t *cr, const DistilleryChartScale *y, GArray *spans, guint from, guint to,
              double pad, double half_width)
{
  for (guint k = from; k < to; k++)
    {
      const Span *s = &g_array_index (spans, Span, k);
      double py = distillery_chart_scale_to_pixel (y, s->high) - pad;
      if (k == from)
        cairo_move_to (cr, s->x - half_width, py);
      else
        cairo_line_to (cr, s->x - half_width, py);
      if (half_width > 0)
        cairo_line_to (cr, s->x + half_width, py);
    }
  for (guint k = to; k > from; k--)
    {
      const Span *s = &g_array_index (spans, Span, k - 1);
      double py = distillery_chart_scale_to_pixel (y, s->low) + pad;
      if (half_width > 0)
        cairo_line_to (cr, s->x + half_width, py);
      cairo_line_to (cr, s->x - half_width, py);
    }
  cairo_close_path (cr);
}

/* Adds the spans as closed outlines, one per run of spans the axis can
 * show: NaN, and on a log axis values not above zero, break a curve. A
 * log axis shows a column that dips to zero as reaching its bottom. */
static void
path_spans (cairo_t *cr, const DistilleryChartScale *y, GArray *spans, double pad, double half_width)
{
  guint from = 0;

  for (guint k = 0; k <= spans->len; k++)
    {
      gboolean shown = FALSE;
      if (k < spans->len)
        {
          Span *s = &g_array_index (spans, Span, k);
          if (y->log && s->high > 0 && !(s->low > 0))
            s->low = y->min * 1e-3;
          shown = isfinite (distillery_chart_scale_to_pixel (y, s->high))
                  && isfinite (distillery_chart_scale_to_pixel (y, s->low)) && isfinite (s->x);
        }
      if (shown)
        continue;
      if (k > from)
        path_outline (cr, y, spans, from, k, pad, half_width);
      from = k + 1;
    }
}

/* One curve: a line through its points; over a dense window, where the
 * pixel columns hold more points than there are columns, a bar per column
 * from its minimum to its maximum, grown by half the line's width up and
 * down and reaching to its neighbour's span, so that the bars cover the
 * pixels a line through every point would, spikes included. Filling that
 * outline is several times faster than stroking the jagged line: five
 * curves of a million points draw well inside a frame. */
static void
draw_curve (DistilleryChart *chart, DistilleryChartLine *line, DistilleryChartArray which,
            const DistilleryChartLayout *layout, guint n_columns, cairo_t *cr,
            const DistilleryChartColor *color, double width, double alpha, GArray *spans)
{
  const DistilleryChartScale *y = &layout->y[line->axis];
  gboolean dense = line_spans (chart, line, which, which, layout, n_columns, spans);

  cairo_new_path (cr);
  set_color (cr, color, alpha);
  if (dense)
    {
      for (guint k = 1; k < spans->len; k++)
        {
          const Span *prev = &g_array_index (spans, Span, k - 1);
          Span *s = &g_array_index (spans, Span, k);
          /* A steep step between columns: the line crosses the gap. */
          if (s->low > prev->high)
            s->low = prev->high;
          else if (s->high < prev->low)
            s->high = prev->low;
        }
      path_spans (cr, y, spans, width / 2, layout->plot.width / n_columns / 2);
      cairo_fill (cr);
      return;
    }
  gboolean down = FALSE;
  for (guint k = 0; k < spans->len; k++)
    {
      const Span *s = &g_array_index (spans, Span, k);
      double py = distillery_chart_scale_to_pixel (y, s->high);
      if (!isfinite (py) || !isfinite (s->x))
        down = FALSE;
      else if (down)
        cairo_line_to (cr, s->x, py);
      else
        {
          cairo_move_to (cr, s->x, py);
          down = TRUE;
        }
    }
  cairo_set_line_width (cr, width);
  cairo_stroke (cr);
}

/* A dot on each point of a curve, ringed in the background's colour so
 * that dots of curves that meet stay apart. Not on a dense window, whose
 * points are pixel columns. */
static void
draw_points (DistilleryChart *chart, DistilleryChartLine *line, const DistilleryChartLayout *layout,
             guint n_columns, cairo_t *cr, const DistilleryChartColor *color, const DistilleryChartStyle *style,
             GArray *spans)
{
  const DistilleryChartScale *y = &layout->y[line->axis];
  DistilleryChartColor base = base_color (style);

  if (line_spans (chart, line, DISTILLERY_CHART_ARRAY_RAW, DISTILLERY_CHART_ARRAY_RAW, layout, n_columns, spans))
    return;
  for (guint k = 0; k < spans->len; k++)
    {
      const Span *s = &g_array_index (spans, Span, k);
      double py = distillery_chart_scale_to_pixel (y, s->high);
      const DistilleryChartRect *p = &layout->plot;
      if (!isfinite (py) || !isfinite (s->x) || s->x < p->x - 0.5 || s->x > p->x + p->width + 0.5
          || py < p->y - 0.5 || py > p->y + p->height + 0.5)
        continue;
      cairo_new_path (cr);
      cairo_arc (cr, s->x, py, POINT_RADIUS, 0, 2 * G_PI);
      set_color (cr, color, 1);
      cairo_fill_preserve (cr);
      set_color (cr, &base, 1);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
}

static void
draw_lines (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr,
            const DistilleryChartLayout *layout)
{
  guint n_columns = (guint) MAX (1, ceil (layout->plot.width * device_scale (cr)));
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (Span));

  cairo_save (cr);
  cairo_rectangle (cr, layout->plot.x, layout->plot.y, layout->plot.width, layout->plot.height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      const DistilleryChartColor *color = line_color (style, line);
      if (!line->visible || line->data->n == 0)
        continue;

      if (line->data->band_low != NULL)
        {
          line_spans (chart, line, DISTILLERY_CHART_ARRAY_BAND_LOW, DISTILLERY_CHART_ARRAY_BAND_HIGH,
                      layout, n_columns, spans);
          cairo_new_path (cr);
          path_spans (cr, &layout->y[line->axis], spans, 0, 0);
          set_color (cr, color, BAND_ALPHA);
          cairo_fill (cr);
        }
      if (chart->smoothing > 0)
        {
          draw_curve (chart, line, DISTILLERY_CHART_ARRAY_RAW, layout, n_columns, cr, color,
                        CURVE_WIDTH / 2, RAW_ALPHA, spans);
          draw_curve (chart, line, DISTILLERY_CHART_ARRAY_SMOOTHED, layout, n_columns, cr, color,
                        CURVE_WIDTH, 1, spans);
        }
      else
        draw_curve (chart, line, DISTILLERY_CHART_ARRAY_RAW, layout, n_columns, cr, color,
                      CURVE_WIDTH, 1, spans);
    }
  cairo_restore (cr);
  /* Dots unclipped: a point on the plot's edge is whole. */
  for (guint i = 0; chart->show_points && i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      if (line->visible && line->data->n > 0)
        draw_points (chart, line, layout, n_columns, cr, line_color (style, line), style, spans);
    }
}

static void
draw_references (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr,
                 const DistilleryChartLayout *layout)
{
  double scale = device_scale (cr);
  static const double dash[] = { 6, 4 };

  for (guint r = 0; r < chart->references->len; r++)
    {
      const DistilleryChartReference *ref = &g_array_index (chart->references, DistilleryChartReference, r);
      double py = distillery_chart_scale_to_pixel (&layout->y[ref->axis], ref->value);
      if (!isfinite (py) || py < layout->plot.y - 0.5 || py > layout->plot.y + layout->plot.height + 0.5)
        continue;
      py = snap (py, 2, scale);
      cairo_save (cr);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_set_line_width (cr, 2);
      set_color (cr, &style->foreground, 0.7);
      cairo_move_to (cr, layout->plot.x, py);
      cairo_line_to (cr, layout->plot.x + layout->plot.width, py);
      cairo_stroke (cr);
      cairo_restore (cr);
      if (ref->label != NULL)
        draw_text (cr, style, ref->label, TEXT_NORMAL, layout->plot.x + layout->plot.width - 4, py - 2,
                   1, 1, 0, &style->foreground, 0.8);
    }
}

/* Axes ------------------------------------------------------------------ */

static void
grid_line (cairo_t *cr, const DistilleryChartStyle *style, double x0, double y0, double x1, double y1)
{
  double scale = device_scale (cr);

  cairo_set_line_width (cr, 1);
  set_color (cr, &style->grid, 1);
  if (x0 == x1)
    x0 = x1 = snap (x0, 1, scale);
  else
    y0 = y1 = snap (y0, 1, scale);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
}

static double
widest_label (cairo_t *cr, const DistilleryChartStyle *style, const DistilleryChartTicks *ticks,
              DistilleryChartUnit unit)
{
  double widest = 0;

  for (guint i = 0; i < ticks->n; i++)
    {
      g_autofree char *label = distillery_chart_ticks_format (ticks, i, unit);
      widest = MAX (widest, text_width (cr, style, label));
    }
  return widest;
}

/* The most x ticks whose labels do not touch: fewer until they fit. */
static void
x_ticks (cairo_t *cr, const DistilleryChartStyle *style, const DistilleryChartLayout *layout,
         DistilleryChartTicks *ticks)
{
  double gap = 2 * text_width (cr, style, "0");
  guint max_ticks = (guint) CLAMP (layout->plot.width / (4 * gap), 2, DISTILLERY_CHART_MAX_TICKS);

  for (;; max_ticks--)
    {
      distillery_chart_ticks (ticks, layout->x.min, layout->x.max, layout->x.log, layout->x_unit, max_ticks);
      if (max_ticks <= 2 || ticks->n < 2)
        return;
      /* Log ticks are not evenly spaced: the closest pair decides. */
      double spacing = INFINITY;
      for (guint i = 1; i < ticks->n; i++)
        spacing = MIN (spacing, distillery_chart_scale_to_pixel (&layout->x, ticks->value[i])
                                - distillery_chart_scale_to_pixel (&layout->x, ticks->value[i - 1]));
      if (widest_label (cr, style, ticks, layout->x_unit) + gap <= spacing)
        return;
    }
}

static void
draw_axes (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr,
           const DistilleryChartLayout *layout, const DistilleryChartTicks *y_ticks,
           const DistilleryChartTicks *xt)
{
  const DistilleryChartRect *p = &layout->plot;

  for (guint a = 0; a < DISTILLERY_CHART_N_AXES; a++)
    {
      if (!layout->has_axis[a])
        continue;
      for (guint i = 0; i < y_ticks[a].n; i++)
        {
          double py = distillery_chart_scale_to_pixel (&layout->y[a], y_ticks[a].value[i]);
          g_autofree char *label = distillery_chart_ticks_format (&y_ticks[a], i, chart->axis_unit[a]);
          /* The right axis' ticks share the left one's grid lines. */
          if (a == 0 || !layout->has_axis[0])
            grid_line (cr, style, p->x, py, p->x + p->width, py);
          if (a == 0)
            draw_text (cr, style, label, TEXT_NORMAL, p->x - TICK_GAP, py, 1, 0.5, 0, &style->foreground, 0.75);
          else
            draw_text (cr, style, label, TEXT_NORMAL, p->x + p->width + TICK_GAP, py, 0, 0.5, 0,
                       &style->foreground, 0.75);
        }
      if (chart->axis_label[a] != NULL)
        {
          double x = a == 0 ? PAD : layout->width - PAD;
          draw_text (cr, style, chart->axis_label[a], TEXT_NORMAL, x, p->y + p->height / 2, 0.5, 0,
                     a == 0 ? -G_PI / 2 : G_PI / 2, &style->foreground, 1);
        }
    }
  for (guint i = 0; i < xt->n; i++)
    {
      double px = distillery_chart_scale_to_pixel (&layout->x, xt->value[i]);
      g_autofree char *label = distillery_chart_ticks_format (xt, i, layout->x_unit);
      grid_line (cr, style, px, p->y, px, p->y + p->height);
      draw_text (cr, style, label, TEXT_NORMAL, px, p->y + p->height + TICK_GAP / 2, 0.5, 0, 0,
                 &style->foreground, 0.75);
    }
  draw_text (cr, style, distillery_chart_get_x_title (chart), TEXT_NORMAL,
             p->x + p->width / 2, layout->height - PAD, 0.5, 1, 0, &style->foreground, 1);

  /* The frame: the x axis and the y axes in the foreground colour. */
  double scale = device_scale (cr);
  double bottom = snap (p->y + p->height, 1, scale);
  set_color (cr, &style->foreground, 0.5);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, p->x, bottom);
  cairo_line_to (cr, p->x + p->width, bottom);
  for (guint a = 0; a < DISTILLERY_CHART_N_AXES; a++)
    if (layout->has_axis[a])
      {
        double x = snap (a == 0 ? p->x : p->x + p->width, 1, scale);
        cairo_move_to (cr, x, p->y);
        cairo_line_to (cr, x, bottom);
      }
  cairo_stroke (cr);
}

/* Title and legend ------------------------------------------------------ */

static double
draw_title (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr, double top)
{
  double height;

  if (chart->title == NULL || chart->title[0] == '\0')
    return top;
  g_autoptr(PangoLayout) layout = text_new (cr, style, chart->title, TEXT_BOLD);
  text_size (layout, NULL, &height);
  draw_text (cr, style, chart->title, TEXT_BOLD, PAD, top, 0, 0, 0, &style->foreground, 1);
  return top + height + PAD / 2;
}

/* One entry of the legend: a sample of the line and its name. */
typedef struct
{
  const char                 *name;
  const DistilleryChartColor *color;
  gboolean                    dashed, hidden;
} LegendEntry;

static double
draw_legend (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr, double top, int width)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (LegendEntry));
  double th = line_height (cr, style), x = PAD, scale = device_scale (cr);
  static const double dash[] = { 4, 3 };

  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      LegendEntry e = { line->data->name, line_color (style, line), FALSE, !line->visible };
      g_array_append_val (entries, e);
    }
  for (guint r = 0; r < chart->references->len; r++)
    {
      const DistilleryChartReference *ref = &g_array_index (chart->references, DistilleryChartReference, r);
      LegendEntry e = { ref->label, &style->foreground, TRUE, FALSE };
      if (ref->label != NULL)
        g_array_append_val (entries, e);
    }
  if (entries->len == 0)
    return top;

  for (guint i = 0; i < entries->len; i++)
    {
      const LegendEntry *e = &g_array_index (entries, LegendEntry, i);
      double w = LEGEND_SWATCH + 6 + text_width (cr, style, e->name);
      if (x > PAD && x + w > width - PAD)
        {
          x = PAD;
          top += th + 2;
        }
      double y = snap (top + th / 2, 3, scale);
      cairo_save (cr);
      if (e->dashed)
        cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_set_line_width (cr, 3);
      set_color (cr, e->color, e->hidden ? 0.3 : 1);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + LEGEND_SWATCH, y);
      cairo_stroke (cr);
      cairo_restore (cr);
      draw_text (cr, style, e->name, TEXT_NORMAL, x + LEGEND_SWATCH + 6, top, 0, 0, 0, &style->foreground,
                 e->hidden ? 0.45 : 1);
      x += w + 2 * PAD;
    }
  return top + th + PAD / 2;
}

/* The line charts ------------------------------------------------------- */

static void
draw_line_chart (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr, double top,
                 DistilleryChartLayout *layout)
{
  double th = line_height (cr, style);
  double x_min = 0, x_max = 1;
  DistilleryChartTicks y_ticks[DISTILLERY_CHART_N_AXES] = { 0 }, xt;

  layout->empty = !x_window (chart, &x_min, &x_max);
  layout->x_unit = chart->x_mode == DISTILLERY_CHART_X_WALL ? DISTILLERY_CHART_UNIT_SECONDS
                                                            : DISTILLERY_CHART_UNIT_NUMBER;
  /* The top tick label reaches half a line above the plot. */
  double plot_top = top + th / 2;
  double plot_bottom = layout->height - PAD - th - TICK_GAP - th - TICK_GAP / 2;
  guint max_y_ticks = (guint) CLAMP ((plot_bottom - plot_top) / (2 * th), 2, 12);

  double left = PAD, right = layout->width - PAD;
  for (guint a = 0; a < DISTILLERY_CHART_N_AXES; a++)
    {
      for (guint i = 0; i < chart->lines->len; i++)
        layout->has_axis[a] |= _distillery_chart_line (chart, i)->axis == a;
      for (guint r = 0; r < chart->references->len; r++)
        layout->has_axis[a] |= g_array_index (chart->references, DistilleryChartReference, r).axis == a;
    }
  layout->has_axis[0] |= !layout->has_axis[1];
  for (guint a = 0; a < DISTILLERY_CHART_N_AXES; a++)
    {
      double min, max;
      if (!layout->has_axis[a])
        continue;
      y_range (chart, a, x_min, x_max, max_y_ticks, &min, &max);
      layout->y[a] = (DistilleryChartScale) { min, max, chart->log_y, plot_bottom, plot_top };
      distillery_chart_ticks (&y_ticks[a], min, max, chart->log_y, chart->axis_unit[a], max_y_ticks);
      double margin = widest_label (cr, style, &y_ticks[a], chart->axis_unit[a]) + TICK_GAP
                      + (chart->axis_label[a] != NULL ? th + PAD / 2 : 0);
      if (a == 0)
        left += margin;
      else
        right -= margin;
    }
  /* Room for half the last x label past the plot's right end. */
  if (!layout->has_axis[1])
    right -= 2 * th;
  layout->plot = (DistilleryChartRect) { left, plot_top, MAX (1, right - left), MAX (1, plot_bottom - plot_top) };
  layout->x = (DistilleryChartScale) { x_min, x_max, chart->log_x, left, left + layout->plot.width };
  x_ticks (cr, style, layout, &xt);

  draw_axes (chart, style, cr, layout, y_ticks, &xt);
  if (layout->empty)
    draw_text (cr, style, _("No data yet"), TEXT_NORMAL, left + layout->plot.width / 2,
               plot_top + layout->plot.height / 2, 0.5, 0.5, 0, &style->foreground, 0.6);
  else
    draw_lines (chart, style, cr, layout);
  draw_references (chart, style, cr, layout);
}

/* The agreement matrix -------------------------------------------------- */

static DistilleryChartColor
mix (const DistilleryChartColor *a, const DistilleryChartColor *b, double t)
{
  return (DistilleryChartColor) { a->red + (b->red - a->red) * t, a->green + (b->green - a->green) * t,
                                  a->blue + (b->blue - a->blue) * t, 1 };
}

static guint64
row_total (DistilleryChart *chart, guint t)
{
  guint64 total = 0;

  for (guint s = 0; s < chart->n_classes; s++)
    total += chart->matrix[t * chart->n_classes + s];
  return total;
}

/* A cell's colour runs from the base to the palette's first colour with
 * its share of the teacher's class: one hue, so that the order reads
 * without telling colours apart. */
static DistilleryChartColor
cell_color (const DistilleryChartStyle *style, double share)
{
  DistilleryChartColor base = base_color (style);

  return mix (&base, &style->palette[0], isfinite (share) ? share : 0);
}

static void
draw_matrix (DistilleryChart *chart, const DistilleryChartStyle *style, cairo_t *cr, double top,
             DistilleryChartLayout *layout)
{
  guint n = chart->n_classes;
  double th = line_height (cr, style), widest = 0;
  const char *row_title = _("Teacher’s class"), *column_title = _("Student’s class");

  layout->empty = n == 0;
  if (layout->empty)
    {
      draw_text (cr, style, _("No agreement matrix yet"), TEXT_NORMAL, layout->width / 2.0,
                 (top + layout->height) / 2, 0.5, 0.5, 0, &style->foreground, 0.6);
      return;
    }
  for (guint c = 0; c < n; c++)
    widest = MAX (widest, text_width (cr, style, chart->class_names[c]));

  double legend_width = PAD + 14 + TICK_GAP + text_width (cr, style, "100%");
  double left = PAD + th + PAD / 2 + widest + TICK_GAP;
  double avail_w = layout->width - left - PAD - legend_width;
  double bottom_text = PAD + th + PAD / 2 + TICK_GAP;
  double cell = floor (MIN (avail_w, layout->height - top - bottom_text - th) / n);
  /* Names wider than their column stand upright. */
  gboolean upright = widest > cell - 4;
  if (upright)
    cell = floor (MIN (avail_w, layout->height - top - bottom_text - widest) / n);
  cell = MAX (cell, 1);
  /* Centred in the room left beside the row names and the colour bar. */
  left += MAX (0, floor ((avail_w - cell * n) / 2));
  layout->plot = (DistilleryChartRect) { left, top, cell * n, cell * n };

  double percent_width = text_width (cr, style, "100%");
  for (guint t = 0; t < n; t++)
    {
      guint64 total = row_total (chart, t);
      for (guint s = 0; s < n; s++)
        {
          guint64 count = chart->matrix[t * n + s];
          double share = total ? (double) count / total : NAN;
          DistilleryChartColor color = cell_color (style, share);
          double x = left + s * cell, y = top + t * cell;
          set_color (cr, &color, 1);
          cairo_rectangle (cr, x, y, cell, cell);
          cairo_fill (cr);
          /* Empty cells stay blank, so that the confusions stand out. */
          if (cell >= percent_width + 4 && cell >= th + 2 && count > 0)
            {
              g_autofree char *label = share < 0.005 ? g_strdup ("<1%") : g_strdup_printf ("%.0f%%", 100 * share);
              /* Dark cells take the base colour, light ones the text colour. */
              DistilleryChartColor base = base_color (style);
              draw_text (cr, style, label, TEXT_NORMAL, x + cell / 2, y + cell / 2, 0.5, 0.5, 0,
                         share > 0.5 ? &base : &style->foreground, 1);
            }
        }
    }
  /* The grid between cells, over them. */
  for (guint k = 0; k <= n; k++)
    {
      grid_line (cr, style, left + k * cell, top, left + k * cell, top + n * cell);
      grid_line (cr, style, left, top + k * cell, left + n * cell, top + k * cell);
    }
  for (guint c = 0; c < n; c++)
    {
      const char *name = chart->class_names[c];
      draw_text (cr, style, name, TEXT_NORMAL, left - TICK_GAP, top + (c + 0.5) * cell, 1, 0.5, 0,
                 &style->foreground, 0.75);
      if (upright)
        draw_text (cr, style, name, TEXT_NORMAL, left + (c + 0.5) * cell, top + n * cell + TICK_GAP, 1, 0.5,
                   -G_PI / 2, &style->foreground, 0.75);
      else
        draw_text (cr, style, name, TEXT_NORMAL, left + (c + 0.5) * cell, top + n * cell + TICK_GAP / 2, 0.5, 0,
                   0, &style->foreground, 0.75);
    }
  draw_text (cr, style, row_title, TEXT_NORMAL, left - TICK_GAP - widest - PAD / 2 - th, top + n * cell / 2,
             0.5, 0, -G_PI / 2, &style->foreground, 1);
  draw_text (cr, style, column_title, TEXT_NORMAL, left + n * cell / 2,
             top + n * cell + TICK_GAP + (upright ? widest : th) + PAD / 2, 0.5, 0, 0, &style->foreground, 1);

  /* A colour bar for the share of the teacher's class: the matrix' only
   * legend, so a widget shows it too. */
  double x = left + n * cell + PAD, h = n * cell;
  cairo_pattern_t *ramp = cairo_pattern_create_linear (0, top + h, 0, top);
  DistilleryChartColor lo = cell_color (style, 0), hi = cell_color (style, 1);
  cairo_pattern_add_color_stop_rgb (ramp, 0, lo.red, lo.green, lo.blue);
  cairo_pattern_add_color_stop_rgb (ramp, 1, hi.red, hi.green, hi.blue);
  cairo_rectangle (cr, x, top, 14, h);
  cairo_set_source (cr, ramp);
  cairo_fill_preserve (cr);
  cairo_pattern_destroy (ramp);
  set_color (cr, &style->grid, 1);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  draw_text (cr, style, "100%", TEXT_NORMAL, x + 14 + TICK_GAP, top, 0, 0, 0, &style->foreground, 0.75);
  draw_text (cr, style, "0%", TEXT_NORMAL, x + 14 + TICK_GAP, top + h, 0, 1, 0, &style->foreground, 0.75);
}

void
distillery_chart_draw (DistilleryChart            *chart,
                       const DistilleryChartStyle *style,
                       cairo_t                    *cr,
                       int                         width,
                       int                         height,
                       DistilleryChartLayout      *layout)
{
  DistilleryChartLayout local;

  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (style != NULL && cr != NULL);

  if (layout == NULL)
    layout = &local;
  memset (layout, 0, sizeof *layout);
  layout->width = width;
  layout->height = height;

  cairo_save (cr);
  if (style->background.alpha > 0)
    {
      set_color (cr, &style->background, 1);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
  double top = draw_title (chart, style, cr, PAD);
  if (style->legend && chart->kind != DISTILLERY_CHART_MATRIX)
    top = draw_legend (chart, style, cr, top, width);
  if (chart->kind == DISTILLERY_CHART_MATRIX)
    draw_matrix (chart, style, cr, top, layout);
  else
    draw_line_chart (chart, style, cr, top, layout);
  cairo_restore (cr);
}

/* Hover ----------------------------------------------------------------- */

gboolean
distillery_chart_layout_cell (DistilleryChart             *chart,
                              const DistilleryChartLayout *layout,
                              double                       px,
                              double                       py,
                              guint                       *teacher,
                              guint                       *student)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);

  const DistilleryChartRect *p = &layout->plot;
  if (chart->kind != DISTILLERY_CHART_MATRIX || chart->n_classes == 0
      || px < p->x || py < p->y || px >= p->x + p->width || py >= p->y + p->height)
    return FALSE;
  *student = MIN ((guint) ((px - p->x) / p->width * chart->n_classes), chart->n_classes - 1);
  *teacher = MIN ((guint) ((py - p->y) / p->height * chart->n_classes), chart->n_classes - 1);
  return TRUE;
}

double
distillery_chart_nearest_x (DistilleryChart *chart,
                            double           x,
                            int              direction)
{
  double best = NAN;

  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NAN);

  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      DistilleryChartSeries *s = line->data;
      const double *xs = s->x[chart->x_mode];
      double candidate = NAN;
      if (!line->visible || s->n == 0)
        continue;
      if (direction > 0)
        {
          gsize k = distillery_chart_series_search (s, chart->x_mode, nextafter (x, INFINITY));
          if (k < s->n)
            candidate = xs[k];
          if (!isnan (candidate) && (isnan (best) || candidate < best))
            best = candidate;
          continue;
        }
      gsize k = distillery_chart_series_search (s, chart->x_mode, x);
      if (direction < 0)
        {
          if (k > 0)
            candidate = xs[k - 1];
          if (!isnan (candidate) && (isnan (best) || candidate > best))
            best = candidate;
          continue;
        }
      if (k == s->n || (k > 0 && x - xs[k - 1] < xs[k] - x))
        k--;
      if (isnan (best) || fabs (xs[k] - x) < fabs (best - x))
        best = xs[k];
    }
  return best;
}

/* The value of a line at its point nearest to x, smoothed when the chart
 * smooths. */
static double
line_value_at (DistilleryChart *chart, DistilleryChartLine *line, double x)
{
  DistilleryChartSeries *s = line->data;
  gsize k = distillery_chart_series_search (s, chart->x_mode, x);
  const double *xs = s->x[chart->x_mode];

  if (s->n == 0)
    return NAN;
  if (k == s->n || (k > 0 && x - xs[k - 1] < xs[k] - x))
    k--;
  return chart->smoothing > 0 ? distillery_chart_series_smooth (s, chart->smoothing)[k] : s->y[k];
}

/* The hover box's lines, each with the colour of its curve (NULL for
 * none), and for curves the data x the crosshair stands at. */
static gboolean
hover_lines (DistilleryChart *chart, const DistilleryChartStyle *style, const DistilleryChartLayout *layout,
             double px, double py, GPtrArray *texts, GPtrArray *colors, double *x)
{
  guint t, s;

  if (chart->kind == DISTILLERY_CHART_MATRIX)
    {
      if (!distillery_chart_layout_cell (chart, layout, px, py, &t, &s))
        return FALSE;
      guint64 count = chart->matrix[t * chart->n_classes + s], total = row_total (chart, t);
      g_autofree char *share = distillery_chart_format (total ? (double) count / total : NAN, 0.001, 1,
                                                        DISTILLERY_CHART_UNIT_PERCENT);
      g_ptr_array_add (texts, g_strdup_printf (_("Teacher: %s, student: %s"),
                                               chart->class_names[t], chart->class_names[s]));
      g_ptr_array_add (colors, NULL);
      /* The count as text: xgettext cannot read G_GUINT64_FORMAT. */
      g_autofree char *samples = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
      g_ptr_array_add (texts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sample, %s of the teacher’s “%s”",
                                                            "%s samples, %s of the teacher’s “%s”", count),
                                               samples, share, chart->class_names[t]));
      g_ptr_array_add (colors, NULL);
      return TRUE;
    }

  const DistilleryChartRect *p = &layout->plot;
  if (layout->empty || px < p->x || px > p->x + p->width || py < p->y || py > p->y + p->height)
    return FALSE;
  *x = distillery_chart_nearest_x (chart, distillery_chart_scale_to_value (&layout->x, px), 0);
  if (isnan (*x))
    return FALSE;
  /* Steps are counted, not measured: all their digits. */
  g_autofree char *xs = chart->x_mode == DISTILLERY_CHART_X_STEP ? g_strdup_printf ("%.0f", *x)
                                                                 : distillery_chart_format (*x, 0, fabs (*x), layout->x_unit);
  g_ptr_array_add (texts, g_strdup_printf ("%s %s", distillery_chart_get_x_title (chart), xs));
  g_ptr_array_add (colors, NULL);
  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      if (!line->visible || line->data->n == 0)
        continue;
      double v = line_value_at (chart, line, *x);
      g_autofree char *value = distillery_chart_format (v, 0, fabs (v), chart->axis_unit[line->axis]);
      g_ptr_array_add (texts, g_strdup_printf ("%s: %s", line->data->name, value));
      g_ptr_array_add (colors, (gpointer) line_color (style, line));
    }
  return TRUE;
}

char *
distillery_chart_hover_text (DistilleryChart             *chart,
                             const DistilleryChartLayout *layout,
                             double                       px,
                             double                       py)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) colors = g_ptr_array_new ();
  DistilleryChartStyle style;
  double x;

  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);
  g_return_val_if_fail (layout != NULL, NULL);

  distillery_chart_style_init_light (&style);
  if (!hover_lines (chart, &style, layout, px, py, texts, colors, &x))
    return NULL;
  g_ptr_array_add (texts, NULL);
  return g_strjoinv ("\n", (char **) texts->pdata);
}

void
distillery_chart_draw_hover (DistilleryChart             *chart,
                             const DistilleryChartStyle  *style,
                             const DistilleryChartLayout *layout,
                             cairo_t                     *cr,
                             double                       px,
                             double                       py)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) colors = g_ptr_array_new ();
  double x = NAN, scale = device_scale (cr), th = line_height (cr, style);
  DistilleryChartColor base = base_color (style);

  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (style != NULL && layout != NULL && cr != NULL);

  if (!hover_lines (chart, style, layout, px, py, texts, colors, &x))
    return;

  cairo_save (cr);
  if (chart->kind == DISTILLERY_CHART_MATRIX)
    {
      guint t, s;
      double cell = layout->plot.width / chart->n_classes;
      distillery_chart_layout_cell (chart, layout, px, py, &t, &s);
      set_color (cr, &style->foreground, 1);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, layout->plot.x + s * cell + 1, layout->plot.y + t * cell + 1, cell - 2, cell - 2);
      cairo_stroke (cr);
    }
  else
    {
      double cx = snap (distillery_chart_scale_to_pixel (&layout->x, x), 1, scale);
      px = cx;
      set_color (cr, &style->foreground, 0.5);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, cx, layout->plot.y);
      cairo_line_to (cr, cx, layout->plot.y + layout->plot.height);
      cairo_stroke (cr);
      for (guint i = 0; i < chart->lines->len; i++)
        {
          DistilleryChartLine *line = _distillery_chart_line (chart, i);
          if (!line->visible || line->data->n == 0)
            continue;
          double cy = distillery_chart_scale_to_pixel (&layout->y[line->axis], line_value_at (chart, line, x));
          if (!isfinite (cy) || cy < layout->plot.y || cy > layout->plot.y + layout->plot.height)
            continue;
          cairo_arc (cr, cx, cy, 4, 0, 2 * G_PI);
          set_color (cr, line_color (style, line), 1);
          cairo_fill_preserve (cr);
          set_color (cr, &base, 1);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }

  /* The box: beside the pointer, on the side with room. */
  double box_w = 0, box_h = texts->len * th + PAD;
  for (guint i = 0; i < texts->len; i++)
    box_w = MAX (box_w, text_width (cr, style, texts->pdata[i]) + (colors->pdata[i] ? LEGEND_SWATCH / 2 + 4 : 0));
  box_w += PAD;
  double bx = px + 12 + box_w <= layout->width ? px + 12 : px - 12 - box_w;
  double by = CLAMP (py - box_h / 2, 0, MAX (0, layout->height - box_h));
  bx = MAX (bx, 0);
  cairo_rectangle (cr, bx, by, box_w, box_h);
  set_color (cr, &base, 0.95);
  cairo_fill_preserve (cr);
  set_color (cr, &style->grid, 3);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  for (guint i = 0; i < texts->len; i++)
    {
      double tx = bx + PAD / 2, ty = by + PAD / 2 + i * th;
      const DistilleryChartColor *color = colors->pdata[i];
      if (color != NULL)
        {
          cairo_rectangle (cr, tx, ty + th / 2 - 2, LEGEND_SWATCH / 2, 4);
          set_color (cr, color, 1);
          cairo_fill (cr);
          tx += LEGEND_SWATCH / 2 + 4;
        }
      draw_text (cr, style, texts->pdata[i], TEXT_NORMAL, tx, ty, 0, 0, 0,
                 &style->foreground, i == 0 ? 0.75 : 1);
    }
  cairo_restore (cr);
}

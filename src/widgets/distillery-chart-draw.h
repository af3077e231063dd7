/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one routine that draws a chart: distillery_chart_draw() paints a
 * DistilleryChart into any cairo_t, the widget's snapshot and every export
 * (PNG, SVG, PDF) alike, with the colours and font of a
 * DistilleryChartStyle. It returns the layout it chose (plot area and axis
 * scales) so that a widget can map the pointer back to data, and
 * distillery_chart_draw_hover() adds the crosshair with every curve's
 * value, or the matrix cell's count and share.
 */
#pragma once

#include <cairo.h>

#include "distillery-chart.h"

G_BEGIN_DECLS

typedef struct
{
  double red, green, blue, alpha;
} DistilleryChartColor;

#define DISTILLERY_CHART_PALETTE_SIZE 7

typedef struct
{
  DistilleryChartColor foreground;
  DistilleryChartColor background;   /* alpha 0: leave the surface as it is */
  DistilleryChartColor grid;
  DistilleryChartColor palette[DISTILLERY_CHART_PALETTE_SIZE];
  gboolean             dark;
  char                 font[96];     /* a Pango font description */
  /* Draw the curves' legend into the image; a widget with legend buttons
   * does not. The matrix' colour bar is always drawn. */
  gboolean             legend;
} DistilleryChartStyle;

typedef struct
{
  double x, y, width, height;
} DistilleryChartRect;

typedef struct
{
  int                  width, height;
  DistilleryChartRect  plot;         /* the data area; for the matrix its cells */
  DistilleryChartScale x;
  DistilleryChartScale y[DISTILLERY_CHART_N_AXES];
  gboolean             has_axis[DISTILLERY_CHART_N_AXES];
  DistilleryChartUnit  x_unit;
  gboolean             empty;        /* nothing to draw yet */
} DistilleryChartLayout;

/* Colours for a light or a dark background, opaque, legend drawn. */
void     distillery_chart_style_init_light (DistilleryChartStyle *style);
void     distillery_chart_style_init_dark  (DistilleryChartStyle *style);
/* From a widget's text colour: dark when the text is light. background
 * may be NULL for a transparent one. */
void     distillery_chart_style_init_from_colors (DistilleryChartStyle *style,
                                                  const DistilleryChartColor *foreground,
                                                  const DistilleryChartColor *background);

/* Draws chart into cr's (0, 0, width, height) in user units. layout (may
 * be NULL) receives where things went. */
void     distillery_chart_draw (DistilleryChart *chart, const DistilleryChartStyle *style,
                                cairo_t *cr, int width, int height, DistilleryChartLayout *layout);

/* What the pointer at (px, py) points at: the values of every visible
 * curve at the nearest x, or the matrix cell's count and share. NULL
 * outside the plot. */
char    *distillery_chart_hover_text (DistilleryChart *chart, const DistilleryChartLayout *layout,
                                      double px, double py);
void     distillery_chart_draw_hover (DistilleryChart *chart, const DistilleryChartStyle *style,
                                      const DistilleryChartLayout *layout, cairo_t *cr,
                                      double px, double py);
/* The matrix cell under (px, py): FALSE outside it. */
gboolean distillery_chart_layout_cell (DistilleryChart *chart, const DistilleryChartLayout *layout,
                                       double px, double py, guint *teacher, guint *student);
/* The x of the data point nearest to x among the visible curves, or of the
 * next one before (direction < 0) or after (> 0) it; NaN when none. */
double   distillery_chart_nearest_x (DistilleryChart *chart, double x, int direction);

G_END_DECLS

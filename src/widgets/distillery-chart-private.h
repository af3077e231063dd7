/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The inside of DistilleryChart, shared by the model, the draw routine and
 * the exports. Each curve carries the columns it was last decimated to, so
 * that a redraw whose points, x window and size did not change reuses
 * them. Curves only grow, so the points a window shows are known by their
 * index range: points appended past a zoomed window change nothing in it.
 */
#pragma once

#include "distillery-chart.h"

G_BEGIN_DECLS

/* One array of a curve reduced to pixel columns, and the key it was
 * reduced for: the window and the points [lo, hi) inside it. */
typedef struct
{
  DistilleryChartColumn *columns;
  guint                  n_columns;
  double                 x_min, x_max;
  DistilleryChartXMode   mode;
  gsize                  lo, hi;
  double                 weight;     /* smoothing, for the smoothed array */
} DistilleryChartColumnCache;

typedef enum
{
  DISTILLERY_CHART_ARRAY_RAW,
  DISTILLERY_CHART_ARRAY_SMOOTHED,
  DISTILLERY_CHART_ARRAY_BAND_LOW,
  DISTILLERY_CHART_ARRAY_BAND_HIGH,
  DISTILLERY_CHART_N_ARRAYS,
} DistilleryChartArray;

typedef struct
{
  DistilleryChartSeries     *data;
  guint                      axis;
  guint                      color;      /* index into the palette */
  gboolean                   visible;
  DistilleryChartColumnCache cache[DISTILLERY_CHART_N_ARRAYS];
  /* The y range of the points in the x window the chart last showed. */
  struct
  {
    gboolean             valid;
    DistilleryChartXMode mode;
    double               x_min, x_max;
    gsize                lo, hi;
    float                min, max, min_positive;
  } range;
} DistilleryChartLine;

typedef struct
{
  guint  axis;
  double value;
  char  *label;
} DistilleryChartReference;

struct _DistilleryChart
{
  GObject parent_instance;

  DistilleryChartKind kind;
  char               *title;
  char               *axis_label[DISTILLERY_CHART_N_AXES];
  DistilleryChartUnit axis_unit[DISTILLERY_CHART_N_AXES];

  GPtrArray          *lines;        /* of DistilleryChartLine */
  GArray             *references;   /* of DistilleryChartReference */

  guint64            *matrix;       /* [n_classes * n_classes] */
  guint               n_classes;
  GStrv               class_names;

  DistilleryChartXMode x_mode;
  char               *x_label;      /* NULL: the x mode names the axis */
  gboolean            log_x, log_y;
  gboolean            show_points;
  double              smoothing;

  gboolean            zoomed;
  double              zoom_x_min, zoom_x_max, zoom_y_min, zoom_y_max;
};

static inline DistilleryChartLine *
_distillery_chart_line (DistilleryChart *chart, guint i)
{
  return g_ptr_array_index (chart->lines, i);
}

G_END_DECLS

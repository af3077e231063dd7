/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DistilleryChartView: a DistilleryChart on screen. Above the plot sit the
 * legend (a toggle button per curve that hides and shows it), the x axis
 * choice, a smoothing slider and a log-y toggle; the plot follows the
 * pointer with a crosshair that shows every curve's value, zooms by
 * dragging a box or scrolling, resets on double-click, and does all of it
 * from the keyboard as well. Its actions live under "chart.".
 */
#pragma once

#include <gtk/gtk.h>

#include "distillery-chart-export.h"

G_BEGIN_DECLS

#define DISTILLERY_TYPE_CHART_VIEW (distillery_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryChartView, distillery_chart_view, DISTILLERY, CHART_VIEW, GtkWidget)

GtkWidget       *distillery_chart_view_new       (DistilleryChart *chart);
DistilleryChart *distillery_chart_view_get_chart (DistilleryChartView *view);
void             distillery_chart_view_set_chart (DistilleryChartView *view, DistilleryChart *chart);
/* Adds a point to a curve of the chart; the view redraws at the next frame. */
void             distillery_chart_view_append    (DistilleryChartView *view, guint series,
                                                  double step, double epoch, double wall, double y);
/* What the plot last drew: its area (below the controls) and scales. */
const DistilleryChartLayout *distillery_chart_view_get_layout (DistilleryChartView *view);
/* The colours of the widget's style; legend as exports draw it. */
void             distillery_chart_view_get_style (DistilleryChartView *view, DistilleryChartStyle *style,
                                                  gboolean for_export);
/* Exports at the plot's current size, in the widget's light or dark look. */
gboolean         distillery_chart_view_export    (DistilleryChartView *view, DistilleryChartFormat format,
                                                  const char *path, GError **error);

G_END_DECLS

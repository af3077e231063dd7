/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DistilleryChart: what one chart shows, without GTK. It holds the curves
 * (DistilleryChartSeries with a name, a colour, an axis and a visibility),
 * reference lines, or for the agreement matrix the counts and class names,
 * and the state a reader changes: the x axis (step, epoch or wall time),
 * a log y axis, smoothing and the zoomed window. It emits "changed" when
 * anything that is drawn changed; distillery_chart_draw() draws it and
 * DistilleryChartView shows it in a window.
 */
#pragma once

#include <glib-object.h>

#include "distillery-chart-axis.h"
#include "distillery-chart-series.h"

G_BEGIN_DECLS

typedef enum
{
  DISTILLERY_CHART_LOSS,         /* training loss, its KD and CE parts, validation loss */
  DISTILLERY_CHART_ACCURACY,     /* student accuracy, teacher's as a reference line */
  DISTILLERY_CHART_AGREEMENT,    /* top-1 agreement (left axis), KL (right axis) */
  DISTILLERY_CHART_MATRIX,       /* teacher's class against student's class */
  DISTILLERY_CHART_COMPARISON,   /* one metric of several runs, mean and min-max band */
} DistilleryChartKind;

/* A y axis: the left one (0) or the right one (1). */
#define DISTILLERY_CHART_N_AXES 2

#define DISTILLERY_TYPE_CHART (distillery_chart_get_type ())

G_DECLARE_FINAL_TYPE (DistilleryChart, distillery_chart, DISTILLERY, CHART, GObject)

DistilleryChart     *distillery_chart_new            (DistilleryChartKind kind, const char *title);
DistilleryChartKind  distillery_chart_get_kind       (DistilleryChart *chart);
const char          *distillery_chart_get_title      (DistilleryChart *chart);
void                 distillery_chart_set_title      (DistilleryChart *chart, const char *title);
/* A sentence for screen readers: what the chart shows and its last values. */
char                *distillery_chart_describe       (DistilleryChart *chart);

void                 distillery_chart_set_axis       (DistilleryChart *chart, guint axis, const char *label,
                                                      DistilleryChartUnit unit);
const char          *distillery_chart_get_axis_label (DistilleryChart *chart, guint axis);
DistilleryChartUnit  distillery_chart_get_axis_unit  (DistilleryChart *chart, guint axis);
/* "Step", "Epoch" or "Wall time", translated. */
const char          *distillery_chart_x_mode_label   (DistilleryChartXMode mode);
/* What the x axis counts when it is none of the x modes (the points of a
 * chart of several runs, each at its own number of questions, say): it
 * names the axis instead of the mode, and the view offers no choice of
 * mode, nor smoothing. NULL: the mode's name. */
void                 distillery_chart_set_x_label    (DistilleryChart *chart, const char *label);
const char          *distillery_chart_get_x_label    (DistilleryChart *chart);
/* The x axis' name as drawn: the x label, or the mode's. */
const char          *distillery_chart_get_x_title    (DistilleryChart *chart);

/* Returns the new series' index. Colours follow the palette in order. */
guint                distillery_chart_add_series     (DistilleryChart *chart, const char *name, guint axis,
                                                      gboolean with_band);
guint                distillery_chart_get_n_series   (DistilleryChart *chart);
DistilleryChartSeries *distillery_chart_get_series   (DistilleryChart *chart, guint series);
guint                distillery_chart_get_series_axis (DistilleryChart *chart, guint series);
void                 distillery_chart_append         (DistilleryChart *chart, guint series,
                                                      double step, double epoch, double wall, double y);
void                 distillery_chart_append_band    (DistilleryChart *chart, guint series,
                                                      double step, double epoch, double wall,
                                                      double mean, double low, double high);
gboolean             distillery_chart_get_series_visible (DistilleryChart *chart, guint series);
void                 distillery_chart_set_series_visible (DistilleryChart *chart, guint series, gboolean visible);

void                 distillery_chart_add_reference_line (DistilleryChart *chart, guint axis, double value,
                                                          const char *label);

/* counts[t * n_classes + s]: samples the teacher put in class t and the
 * student in class s. class_names NULL keeps the names of a matrix of as
 * many classes, or numbers the classes. */
void                 distillery_chart_set_matrix     (DistilleryChart *chart, const guint64 *counts, guint n_classes,
                                                      const char *const *class_names);
const guint64       *distillery_chart_get_matrix     (DistilleryChart *chart, guint *n_classes);
const char          *distillery_chart_get_class_name (DistilleryChart *chart, guint class_index);

DistilleryChartXMode distillery_chart_get_x_mode     (DistilleryChart *chart);
void                 distillery_chart_set_x_mode     (DistilleryChart *chart, DistilleryChartXMode mode);
gboolean             distillery_chart_get_log_y      (DistilleryChart *chart);
void                 distillery_chart_set_log_y      (DistilleryChart *chart, gboolean log_y);
/* A logarithmic x axis, ending on powers of ten; points at x <= 0 are not
 * drawn. Its curves are drawn point by point, never reduced to pixel
 * columns: it is for charts of few points. */
gboolean             distillery_chart_get_log_x      (DistilleryChart *chart);
void                 distillery_chart_set_log_x      (DistilleryChart *chart, gboolean log_x);
/* Each point marked with a dot, for curves of a few points each worth
 * seeing (one per run); a curve of one point shows only so. */
gboolean             distillery_chart_get_show_points (DistilleryChart *chart);
void                 distillery_chart_set_show_points (DistilleryChart *chart, gboolean show_points);
double               distillery_chart_get_smoothing  (DistilleryChart *chart);
void                 distillery_chart_set_smoothing  (DistilleryChart *chart, double weight);

/* The data's x range over the visible series, in the current x mode;
 * FALSE when there are no points. */
gboolean             distillery_chart_get_data_x_range (DistilleryChart *chart, double *min, double *max);
/* Zoom to x in [x_min, x_max] and the left axis' y in [y_min, y_max]; a
 * NaN y bound keeps the y axis fitted to the data. */
void                 distillery_chart_zoom           (DistilleryChart *chart, double x_min, double x_max,
                                                      double y_min, double y_max);
void                 distillery_chart_reset_zoom     (DistilleryChart *chart);
/* TRUE when zoomed, with the window's bounds (NaN for a fitted y). */
gboolean             distillery_chart_get_zoom       (DistilleryChart *chart, double *x_min, double *x_max,
                                                      double *y_min, double *y_max);

G_END_DECLS

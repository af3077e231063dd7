/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Charts to files: PNG at one and two pixels per unit, SVG and PDF, all
 * through distillery_chart_draw() on the matching Cairo surface, so that a
 * file shows what the window shows; and a chart's data as CSV. No display
 * is needed: distillery-cli exports with these.
 */
#pragma once

#include "distillery-chart-draw.h"

G_BEGIN_DECLS

#define DISTILLERY_CHART_ERROR (distillery_chart_error_quark ())

typedef enum
{
  DISTILLERY_CHART_ERROR_FAILED,     /* Cairo could not draw or encode */
  DISTILLERY_CHART_ERROR_FORMAT,     /* no such export format */
} DistilleryChartError;

typedef enum
{
  DISTILLERY_CHART_FORMAT_PNG,
  DISTILLERY_CHART_FORMAT_PNG_2X,
  DISTILLERY_CHART_FORMAT_SVG,
  DISTILLERY_CHART_FORMAT_PDF,
  DISTILLERY_CHART_FORMAT_CSV,
  DISTILLERY_CHART_N_FORMATS,
} DistilleryChartFormat;

GQuark      distillery_chart_error_quark (void);
/* "png", "png2x", "svg", "pdf", "csv". */
gboolean    distillery_chart_format_from_string (const char *name, DistilleryChartFormat *format, GError **error);
const char *distillery_chart_format_to_string   (DistilleryChartFormat format);
/* The file name ending: ".png", "@2x.png", ".svg", ".pdf", ".csv". */
const char *distillery_chart_format_suffix      (DistilleryChartFormat format);

/* The file's bytes; width and height in user units (PNG 2x has twice as
 * many pixels, SVG and PDF take them as points). style is ignored for CSV. */
GBytes     *distillery_chart_export_bytes (DistilleryChart *chart, const DistilleryChartStyle *style,
                                           DistilleryChartFormat format, int width, int height, GError **error);
gboolean    distillery_chart_export       (DistilleryChart *chart, const DistilleryChartStyle *style,
                                           DistilleryChartFormat format, int width, int height,
                                           const char *path, GError **error);

G_END_DECLS

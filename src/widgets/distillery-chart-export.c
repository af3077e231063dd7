/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PNG, SVG, PDF and CSV exports of a chart. See distillery-chart-export.h.
 */
#include "config.h"

#include "distillery-chart-export.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "distillery-chart-private.h"

G_DEFINE_QUARK (distillery-chart-error-quark, distillery_chart_error)

static const struct
{
  const char *name, *suffix;
} formats[DISTILLERY_CHART_N_FORMATS] = {
  [DISTILLERY_CHART_FORMAT_PNG] = { "png", ".png" },
  [DISTILLERY_CHART_FORMAT_PNG_2X] = { "png2x", "@2x.png" },
  [DISTILLERY_CHART_FORMAT_SVG] = { "svg", ".svg" },
  [DISTILLERY_CHART_FORMAT_PDF] = { "pdf", ".pdf" },
  [DISTILLERY_CHART_FORMAT_CSV] = { "csv", ".csv" },
};

gboolean
distillery_chart_format_from_string (const char            *name,
                                     DistilleryChartFormat *format,
                                     GError               **error)
{
  g_return_val_if_fail (name != NULL && format != NULL, FALSE);

  for (guint f = 0; f < DISTILLERY_CHART_N_FORMATS; f++)
    if (g_ascii_strcasecmp (name, formats[f].name) == 0)
      {
        *format = f;
        return TRUE;
      }
  g_set_error (error, DISTILLERY_CHART_ERROR, DISTILLERY_CHART_ERROR_FORMAT,
               _("“%s” is not a chart format: use png, png2x, svg, pdf or csv."), name);
  return FALSE;
}

const char *
distillery_chart_format_to_string (DistilleryChartFormat format)
{
  g_return_val_if_fail (format < DISTILLERY_CHART_N_FORMATS, NULL);

  return formats[format].name;
}

const char *
distillery_chart_format_suffix (DistilleryChartFormat format)
{
  g_return_val_if_fail (format < DISTILLERY_CHART_N_FORMATS, NULL);

  return formats[format].suffix;
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* A field quoted when it has to be (RFC 4180). */
static void
append_csv_field (GString *out, const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = field; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_number (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (isfinite (value))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.9g", value));
}

/* Curves in long form, one row a point; the matrix one row a cell. */
static GBytes *
csv_bytes (DistilleryChart *chart)
{
  GString *out = g_string_new (NULL);

  if (chart->kind == DISTILLERY_CHART_MATRIX)
    {
      g_string_append (out, "teacher_class,student_class,count\n");
      for (guint t = 0; t < chart->n_classes; t++)
        for (guint s = 0; s < chart->n_classes; s++)
          {
            append_csv_field (out, chart->class_names[t]);
            g_string_append_c (out, ',');
            append_csv_field (out, chart->class_names[s]);
            g_string_append_printf (out, ",%" G_GUINT64_FORMAT "\n", chart->matrix[t * chart->n_classes + s]);
          }
      return g_string_free_to_bytes (out);
    }

  g_string_append (out, "series,step,epoch,wall,value,low,high\n");
  for (guint i = 0; i < chart->lines->len; i++)
    {
      const DistilleryChartSeries *s = _distillery_chart_line (chart, i)->data;
      for (gsize k = 0; k < s->n; k++)
        {
          append_csv_field (out, s->name);
          for (guint m = 0; m < DISTILLERY_CHART_N_X_MODES; m++)
            append_csv_number (out, s->x[m][k]);
          append_csv_number (out, s->y[k]);
          append_csv_number (out, s->band_low ? s->band_low[k] : NAN);
          append_csv_number (out, s->band_high ? s->band_high[k] : NAN);
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free_to_bytes (out);
}

GBytes *
distillery_chart_export_bytes (DistilleryChart            *chart,
                               const DistilleryChartStyle *style,
                               DistilleryChartFormat       format,
                               int                         width,
                               int                         height,
                               GError                    **error)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);
  g_return_val_if_fail (format < DISTILLERY_CHART_N_FORMATS, NULL);
  g_return_val_if_fail (format == DISTILLERY_CHART_FORMAT_CSV || style != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (format == DISTILLERY_CHART_FORMAT_CSV)
    return csv_bytes (chart);

  GByteArray *bytes = g_byte_array_new ();
  cairo_surface_t *surface;
  int scale = format == DISTILLERY_CHART_FORMAT_PNG_2X ? 2 : 1;

  switch (format)
    {
    case DISTILLERY_CHART_FORMAT_SVG:
      surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
      break;
    case DISTILLERY_CHART_FORMAT_PDF:
      surface = cairo_pdf_surface_create_for_stream (append_bytes, bytes, width, height);
      break;
    case DISTILLERY_CHART_FORMAT_PNG:
    case DISTILLERY_CHART_FORMAT_PNG_2X:
    case DISTILLERY_CHART_FORMAT_CSV:
    case DISTILLERY_CHART_N_FORMATS:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width * scale, height * scale);
      break;
    }
  cairo_t *cr = cairo_create (surface);
  /* Drawing in user units at twice the pixels is what makes 2x crisp:
   * the draw routine snaps lines to device pixels. */
  cairo_scale (cr, scale, scale);
  distillery_chart_draw (chart, style, cr, width, height, NULL);
  cairo_status_t status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && cairo_surface_get_type (surface) == CAIRO_SURFACE_TYPE_IMAGE)
    status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, DISTILLERY_CHART_ERROR, DISTILLERY_CHART_ERROR_FAILED,
                   _("Cannot draw the chart as %s: %s."), formats[format].name, cairo_status_to_string (status));
      g_byte_array_unref (bytes);
      return NULL;
    }
  return g_byte_array_free_to_bytes (bytes);
}

gboolean
distillery_chart_export (DistilleryChart            *chart,
                         const DistilleryChartStyle *style,
                         DistilleryChartFormat       format,
                         int                         width,
                         int                         height,
                         const char                 *path,
                         GError                    **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  g_autoptr(GBytes) bytes = distillery_chart_export_bytes (chart, style, format, width, height, error);
  gsize size;
  const char *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  return g_file_set_contents (path, data, (gssize) size, error);
}

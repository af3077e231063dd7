/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chart model: curves, reference lines, the agreement matrix and the
 * reader's view of them. See distillery-chart.h.
 */
#include "config.h"

#include "distillery-chart-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>

G_DEFINE_FINAL_TYPE (DistilleryChart, distillery_chart, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KIND,
  PROP_TITLE,
  PROP_X_MODE,
  PROP_X_LABEL,
  PROP_LOG_X,
  PROP_LOG_Y,
  PROP_SHOW_POINTS,
  PROP_SMOOTHING,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
changed (DistilleryChart *chart)
{
  g_signal_emit (chart, signals[CHANGED], 0);
}

/* g_set_str() is GLib 2.76; we build against 2.74. */
static gboolean
set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
line_free (gpointer data)
{
  DistilleryChartLine *line = data;

  distillery_chart_series_free (line->data);
  for (guint a = 0; a < DISTILLERY_CHART_N_ARRAYS; a++)
    g_free (line->cache[a].columns);
  g_free (line);
}

static void
reference_clear (gpointer data)
{
  DistilleryChartReference *reference = data;

  g_free (reference->label);
}

static void
distillery_chart_finalize (GObject *object)
{
  DistilleryChart *chart = DISTILLERY_CHART (object);

  g_free (chart->title);
  g_free (chart->x_label);
  for (guint a = 0; a < DISTILLERY_CHART_N_AXES; a++)
    g_free (chart->axis_label[a]);
  g_ptr_array_unref (chart->lines);
  g_array_unref (chart->references);
  g_free (chart->matrix);
  g_strfreev (chart->class_names);

  G_OBJECT_CLASS (distillery_chart_parent_class)->finalize (object);
}

static void
distillery_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryChart *chart = DISTILLERY_CHART (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_uint (value, chart->kind);
      break;
    case PROP_TITLE:
      g_value_set_string (value, chart->title);
      break;
    case PROP_X_MODE:
      g_value_set_uint (value, chart->x_mode);
      break;
    case PROP_X_LABEL:
      g_value_set_string (value, chart->x_label);
      break;
    case PROP_LOG_X:
      g_value_set_boolean (value, chart->log_x);
      break;
    case PROP_LOG_Y:
      g_value_set_boolean (value, chart->log_y);
      break;
    case PROP_SHOW_POINTS:
      g_value_set_boolean (value, chart->show_points);
      break;
    case PROP_SMOOTHING:
      g_value_set_double (value, chart->smoothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DistilleryChart *chart = DISTILLERY_CHART (object);

  switch (prop_id)
    {
    case PROP_KIND:
      chart->kind = g_value_get_uint (value);
      break;
    case PROP_TITLE:
      distillery_chart_set_title (chart, g_value_get_string (value));
      break;
    case PROP_X_MODE:
      distillery_chart_set_x_mode (chart, g_value_get_uint (value));
      break;
    case PROP_X_LABEL:
      distillery_chart_set_x_label (chart, g_value_get_string (value));
      break;
    case PROP_LOG_X:
      distillery_chart_set_log_x (chart, g_value_get_boolean (value));
      break;
    case PROP_LOG_Y:
      distillery_chart_set_log_y (chart, g_value_get_boolean (value));
      break;
    case PROP_SHOW_POINTS:
      distillery_chart_set_show_points (chart, g_value_get_boolean (value));
      break;
    case PROP_SMOOTHING:
      distillery_chart_set_smoothing (chart, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_chart_class_init (DistilleryChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = distillery_chart_finalize;
  object_class->get_property = distillery_chart_get_property;
  object_class->set_property = distillery_chart_set_property;

  properties[PROP_KIND] =
    g_param_spec_uint ("kind", NULL, NULL, DISTILLERY_CHART_LOSS, DISTILLERY_CHART_COMPARISON, DISTILLERY_CHART_LOSS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_MODE] =
    g_param_spec_uint ("x-mode", NULL, NULL, 0, DISTILLERY_CHART_N_X_MODES - 1, DISTILLERY_CHART_X_STEP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_LABEL] =
    g_param_spec_string ("x-label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_X] =
    g_param_spec_boolean ("log-x", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_POINTS] =
    g_param_spec_boolean ("show-points", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_Y] =
    g_param_spec_boolean ("log-y", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* 1 would freeze the curve at its first value. */
  properties[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0, 0.999, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Anything drawn changed: data, visibility, zoom or a property. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
distillery_chart_init (DistilleryChart *chart)
{
  chart->lines = g_ptr_array_new_with_free_func (line_free);
  chart->references = g_array_new (FALSE, FALSE, sizeof (DistilleryChartReference));
  g_array_set_clear_func (chart->references, reference_clear);
  chart->zoom_x_min = chart->zoom_x_max = chart->zoom_y_min = chart->zoom_y_max = NAN;
}

DistilleryChart *
distillery_chart_new (DistilleryChartKind kind,
                      const char         *title)
{
  return g_object_new (DISTILLERY_TYPE_CHART, "kind", kind, "title", title, NULL);
}

DistilleryChartKind
distillery_chart_get_kind (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), DISTILLERY_CHART_LOSS);

  return chart->kind;
}

const char *
distillery_chart_get_title (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);

  return chart->title;
}

void
distillery_chart_set_title (DistilleryChart *chart,
                            const char      *title)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (set_string (&chart->title, title))
    {
      g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_TITLE]);
      changed (chart);
    }
}

const char *
distillery_chart_x_mode_label (DistilleryChartXMode mode)
{
  switch (mode)
    {
    case DISTILLERY_CHART_X_EPOCH:
      return _("Epoch");
    case DISTILLERY_CHART_X_WALL:
      return _("Wall time");
    case DISTILLERY_CHART_X_STEP:
    case DISTILLERY_CHART_N_X_MODES:
    default:
      return _("Step");
    }
}

void
distillery_chart_set_x_label (DistilleryChart *chart,
                              const char      *label)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (set_string (&chart->x_label, label))
    {
      g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_X_LABEL]);
      changed (chart);
    }
}

const char *
distillery_chart_get_x_label (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);

  return chart->x_label;
}

const char *
distillery_chart_get_x_title (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);

  return chart->x_label != NULL ? chart->x_label : distillery_chart_x_mode_label (chart->x_mode);
}

void
distillery_chart_set_axis (DistilleryChart     *chart,
                           guint                axis,
                           const char          *label,
                           DistilleryChartUnit  unit)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (axis < DISTILLERY_CHART_N_AXES);

  set_string (&chart->axis_label[axis], label);
  chart->axis_unit[axis] = unit;
  changed (chart);
}

const char *
distillery_chart_get_axis_label (DistilleryChart *chart,
                                 guint            axis)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);
  g_return_val_if_fail (axis < DISTILLERY_CHART_N_AXES, NULL);

  return chart->axis_label[axis];
}

DistilleryChartUnit
distillery_chart_get_axis_unit (DistilleryChart *chart,
                                guint            axis)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), DISTILLERY_CHART_UNIT_NUMBER);
  g_return_val_if_fail (axis < DISTILLERY_CHART_N_AXES, DISTILLERY_CHART_UNIT_NUMBER);

  return chart->axis_unit[axis];
}

guint
distillery_chart_add_series (DistilleryChart *chart,
                             const char      *name,
                             guint            axis,
                             gboolean         with_band)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), 0);
  g_return_val_if_fail (axis < DISTILLERY_CHART_N_AXES, 0);

  DistilleryChartLine *line = g_new0 (DistilleryChartLine, 1);
  line->data = distillery_chart_series_new (name, with_band);
  line->axis = axis;
  line->color = chart->lines->len;
  line->visible = TRUE;
  g_ptr_array_add (chart->lines, line);
  changed (chart);
  return chart->lines->len - 1;
}

guint
distillery_chart_get_n_series (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), 0);

  return chart->lines->len;
}

DistilleryChartSeries *
distillery_chart_get_series (DistilleryChart *chart,
                             guint            series)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);
  g_return_val_if_fail (series < chart->lines->len, NULL);

  return _distillery_chart_line (chart, series)->data;
}

guint
distillery_chart_get_series_axis (DistilleryChart *chart,
                                  guint            series)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), 0);
  g_return_val_if_fail (series < chart->lines->len, 0);

  return _distillery_chart_line (chart, series)->axis;
}

void
distillery_chart_append_band (DistilleryChart *chart,
                              guint            series,
                              double           step,
                              double           epoch,
                              double           wall,
                              double           mean,
                              double           low,
                              double           high)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (series < chart->lines->len);

  DistilleryChartLine *line = _distillery_chart_line (chart, series);
  distillery_chart_series_append (line->data, step, epoch, wall, mean, low, high);
  changed (chart);
}

void
distillery_chart_append (DistilleryChart *chart,
                         guint            series,
                         double           step,
                         double           epoch,
                         double           wall,
                         double           y)
{
  distillery_chart_append_band (chart, series, step, epoch, wall, y, y, y);
}

gboolean
distillery_chart_get_series_visible (DistilleryChart *chart,
                                     guint            series)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);
  g_return_val_if_fail (series < chart->lines->len, FALSE);

  return _distillery_chart_line (chart, series)->visible;
}

void
distillery_chart_set_series_visible (DistilleryChart *chart,
                                     guint            series,
                                     gboolean         visible)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (series < chart->lines->len);

  DistilleryChartLine *line = _distillery_chart_line (chart, series);
  if (line->visible == !!visible)
    return;
  line->visible = !!visible;
  changed (chart);
}

void
distillery_chart_add_reference_line (DistilleryChart *chart,
                                     guint            axis,
                                     double           value,
                                     const char      *label)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (axis < DISTILLERY_CHART_N_AXES);

  DistilleryChartReference reference = { axis, value, g_strdup (label) };
  g_array_append_val (chart->references, reference);
  changed (chart);
}

void
distillery_chart_set_matrix (DistilleryChart    *chart,
                             const guint64      *counts,
                             guint               n_classes,
                             const char *const  *class_names)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (counts != NULL || n_classes == 0);

  g_free (chart->matrix);
  chart->matrix = g_memdup2 (counts, sizeof (guint64) * n_classes * n_classes);
  /* A live matrix is replaced every epoch: its names stay. */
  if (class_names != NULL || n_classes != chart->n_classes)
    {
      g_strfreev (chart->class_names);
      chart->class_names = g_new0 (char *, n_classes + 1);
      for (guint c = 0; c < n_classes; c++)
        chart->class_names[c] = class_names != NULL && class_names[c] != NULL
                                  ? g_strdup (class_names[c]) : g_strdup_printf ("%u", c);
    }
  chart->n_classes = n_classes;
  changed (chart);
}

const guint64 *
distillery_chart_get_matrix (DistilleryChart *chart,
                             guint           *n_classes)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);

  if (n_classes != NULL)
    *n_classes = chart->n_classes;
  return chart->matrix;
}

const char *
distillery_chart_get_class_name (DistilleryChart *chart,
                                 guint            class_index)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);
  g_return_val_if_fail (class_index < chart->n_classes, NULL);

  return chart->class_names[class_index];
}

DistilleryChartXMode
distillery_chart_get_x_mode (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), DISTILLERY_CHART_X_STEP);

  return chart->x_mode;
}

void
distillery_chart_set_x_mode (DistilleryChart      *chart,
                             DistilleryChartXMode  mode)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (mode < DISTILLERY_CHART_N_X_MODES);

  if (chart->x_mode == mode)
    return;
  chart->x_mode = mode;
  /* A window in steps means nothing in seconds. */
  chart->zoomed = FALSE;
  g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_X_MODE]);
  changed (chart);
}

gboolean
distillery_chart_get_log_y (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);

  return chart->log_y;
}

void
distillery_chart_set_log_y (DistilleryChart *chart,
                            gboolean         log_y)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (chart->log_y == !!log_y)
    return;
  chart->log_y = !!log_y;
  /* A linear y window may hold zero or negative values. */
  chart->zoom_y_min = chart->zoom_y_max = NAN;
  g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_LOG_Y]);
  changed (chart);
}

gboolean
distillery_chart_get_log_x (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);

  return chart->log_x;
}

void
distillery_chart_set_log_x (DistilleryChart *chart,
                            gboolean         log_x)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (chart->log_x == !!log_x)
    return;
  chart->log_x = !!log_x;
  /* A linear window may start at zero or below. */
  chart->zoomed = FALSE;
  g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_LOG_X]);
  changed (chart);
}

gboolean
distillery_chart_get_show_points (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);

  return chart->show_points;
}

void
distillery_chart_set_show_points (DistilleryChart *chart,
                                  gboolean         show_points)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (chart->show_points == !!show_points)
    return;
  chart->show_points = !!show_points;
  g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_SHOW_POINTS]);
  changed (chart);
}

double
distillery_chart_get_smoothing (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), 0);

  return chart->smoothing;
}

void
distillery_chart_set_smoothing (DistilleryChart *chart,
                                double           weight)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  weight = CLAMP (weight, 0, 0.999);
  if (chart->smoothing == weight)
    return;
  chart->smoothing = weight;
  g_object_notify_by_pspec (G_OBJECT (chart), properties[PROP_SMOOTHING]);
  changed (chart);
}

gboolean
distillery_chart_get_data_x_range (DistilleryChart *chart,
                                   double          *min,
                                   double          *max)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);

  double lo = INFINITY, hi = -INFINITY;
  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      if (!line->visible || line->data->n == 0)
        continue;
      /* x is ascending: the ends are the range. */
      lo = MIN (lo, line->data->x[chart->x_mode][0]);
      hi = MAX (hi, line->data->x[chart->x_mode][line->data->n - 1]);
    }
  *min = lo;
  *max = hi;
  return lo <= hi;
}

void
distillery_chart_zoom (DistilleryChart *chart,
                       double           x_min,
                       double           x_max,
                       double           y_min,
                       double           y_max)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));
  g_return_if_fail (x_min < x_max);

  if (chart->log_x && !(x_min > 0))
    return;
  chart->zoomed = TRUE;
  chart->zoom_x_min = x_min;
  chart->zoom_x_max = x_max;
  gboolean y_fixed = y_min < y_max && (!chart->log_y || y_min > 0);
  chart->zoom_y_min = y_fixed ? y_min : NAN;
  chart->zoom_y_max = y_fixed ? y_max : NAN;
  changed (chart);
}

void
distillery_chart_reset_zoom (DistilleryChart *chart)
{
  g_return_if_fail (DISTILLERY_IS_CHART (chart));

  if (!chart->zoomed)
    return;
  chart->zoomed = FALSE;
  chart->zoom_y_min = chart->zoom_y_max = NAN;
  changed (chart);
}

gboolean
distillery_chart_get_zoom (DistilleryChart *chart,
                           double          *x_min,
                           double          *x_max,
                           double          *y_min,
                           double          *y_max)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), FALSE);

  if (x_min != NULL)
    *x_min = chart->zoomed ? chart->zoom_x_min : NAN;
  if (x_max != NULL)
    *x_max = chart->zoomed ? chart->zoom_x_max : NAN;
  if (y_min != NULL)
    *y_min = chart->zoomed ? chart->zoom_y_min : NAN;
  if (y_max != NULL)
    *y_max = chart->zoomed ? chart->zoom_y_max : NAN;
  return chart->zoomed;
}

char *
distillery_chart_describe (DistilleryChart *chart)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART (chart), NULL);

  GString *out = g_string_new (chart->title ? chart->title : "");
  if (chart->kind == DISTILLERY_CHART_MATRIX)
    {
      guint64 total = 0, agree = 0;
      for (guint t = 0; t < chart->n_classes; t++)
        for (guint s = 0; s < chart->n_classes; s++)
          {
            total += chart->matrix[t * chart->n_classes + s];
            agree += t == s ? chart->matrix[t * chart->n_classes + s] : 0;
          }
      g_autofree char *share = distillery_chart_format (total ? (double) agree / total : NAN, 0.001, 1,
                                                        DISTILLERY_CHART_UNIT_PERCENT);
      g_string_append (out, ". ");
      g_string_append_printf (out, _("Student’s class against teacher’s class for %u classes; they agree on %s of the samples."),
                              chart->n_classes, share);
      return g_string_free (out, FALSE);
    }
  g_string_append (out, ". ");
  g_string_append_printf (out, _("%u curves against %s."), chart->lines->len,
                          distillery_chart_get_x_title (chart));
  for (guint i = 0; i < chart->lines->len; i++)
    {
      DistilleryChartLine *line = _distillery_chart_line (chart, i);
      DistilleryChartSeries *s = line->data;
      if (!line->visible)
        g_string_append_printf (out, _(" %s: hidden."), s->name);
      else if (s->n == 0)
        g_string_append_printf (out, _(" %s: no points yet."), s->name);
      else
        {
          double x = s->x[chart->x_mode][s->n - 1];
          g_autofree char *y = distillery_chart_format (s->y[s->n - 1], 0, fabs (s->y[s->n - 1]),
                                                        chart->axis_unit[line->axis]);
          g_autofree char *xs = distillery_chart_format (x, 0, fabs (x), chart->x_mode == DISTILLERY_CHART_X_WALL
                                                                           ? DISTILLERY_CHART_UNIT_SECONDS
                                                                           : DISTILLERY_CHART_UNIT_NUMBER);
          /* Translators: a curve's name, its last value, the x axis and where that value is. */
          g_string_append_printf (out, _(" %s: %s at %s %s."), s->name, y,
                                  distillery_chart_get_x_title (chart), xs);
        }
    }
  return g_string_free (out, FALSE);
}

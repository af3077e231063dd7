/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DistilleryChartView: the controls row (legend toggles, x axis, smoothing,
 * log y) as a child on top, and below it the plot, drawn by one
 * gtk_snapshot_append_cairo() handed to distillery_chart_draw(). The chart
 * says when it changed and the view queues a draw, which GTK coalesces to
 * one a frame; the draw reuses the decimated curves while the data, the
 * window and the size stay the same. See distillery-chart-view.h.
 */
#include "config.h"

#include "distillery-chart-view.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#define ZOOM_STEP 1.25     /* one scroll click or +/- key */
#define PAN_STEP 0.1       /* of the window, one Shift+arrow */
#define DRAG_THRESHOLD 5   /* pixels before a drag is a zoom box */

struct _DistilleryChartView
{
  GtkWidget parent_instance;

  DistilleryChart *chart;
  gulong           changed_id;

  GtkWidget *controls;        /* the row on top */
  GtkWidget *legend;          /* a toggle button per curve */
  GtkWidget *x_mode;
  GtkWidget *smoothing_label;
  GtkWidget *smoothing;
  GtkWidget *log_y;
  GPtrArray *bindings;        /* between the controls and the chart */
  guint      n_legend;        /* curves the legend has buttons for */

  DistilleryChartLayout layout;   /* of the last draw, in plot coordinates */
  int        controls_height;
  gboolean   description_dirty;

  gboolean   hovering;
  double     hover_x, hover_y;    /* plot coordinates */
  gboolean   dragging;
  double     drag_x, drag_y, drag_dx, drag_dy;
};

G_DEFINE_FINAL_TYPE (DistilleryChartView, distillery_chart_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CHART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Style ------------------------------------------------------------------ */

void
distillery_chart_view_get_style (DistilleryChartView  *self,
                                 DistilleryChartStyle *style,
                                 gboolean              for_export)
{
  GdkRGBA fg;

  g_return_if_fail (DISTILLERY_IS_CHART_VIEW (self));
  g_return_if_fail (style != NULL);

#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (GTK_WIDGET (self), &fg);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
#endif
  DistilleryChartColor foreground = { fg.red, fg.green, fg.blue, fg.alpha };
  distillery_chart_style_init_from_colors (style, &foreground, NULL);
  if (for_export)
    {
      /* A file has no window behind it: the light or dark defaults. */
      if (style->dark)
        distillery_chart_style_init_dark (style);
      else
        distillery_chart_style_init_light (style);
      return;
    }
  /* The legend is the row of toggle buttons above the plot. */
  style->legend = FALSE;
  const PangoFontDescription *font = pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self)));
  if (font != NULL)
    {
      g_autofree char *name = pango_font_description_to_string (font);
      g_strlcpy (style->font, name, sizeof style->font);
    }
}

/* Legend ----------------------------------------------------------------- */

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  DistilleryChartView *self = g_object_get_data (G_OBJECT (area), "chart-view");
  guint series = GPOINTER_TO_UINT (user_data);
  DistilleryChartStyle style;

  distillery_chart_view_get_style (self, &style, FALSE);
  const DistilleryChartColor *c = &style.palette[series % DISTILLERY_CHART_PALETTE_SIZE];
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha);
  cairo_rectangle (cr, 0, height / 2.0 - 2, width, 4);
  cairo_fill (cr);
}

static void
legend_toggled (GtkToggleButton *button, DistilleryChartView *self)
{
  guint series = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "series"));

  distillery_chart_set_series_visible (self->chart, series, gtk_toggle_button_get_active (button));
}

/* Adds buttons for curves added since the legend was last built. */
static void
update_legend (DistilleryChartView *self)
{
  guint n = self->chart ? distillery_chart_get_n_series (self->chart) : 0;

  for (guint i = self->n_legend; i < n; i++)
    {
      DistilleryChartSeries *series = distillery_chart_get_series (self->chart, i);
      GtkWidget *button = gtk_toggle_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      /* The colour sample is decoration: the button's label names the curve. */
      GtkWidget *swatch = g_object_new (GTK_TYPE_DRAWING_AREA, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);

      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 16);
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
      g_object_set_data (G_OBJECT (swatch), "chart-view", self);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, GUINT_TO_POINTER (i), NULL);
      gtk_box_append (GTK_BOX (box), swatch);
      gtk_box_append (GTK_BOX (box), gtk_label_new (series->name));
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "flat");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button),
                                    distillery_chart_get_series_visible (self->chart, i));
      gtk_widget_set_tooltip_text (button, _("Show or hide this curve"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, series->name, -1);
      g_object_set_data (G_OBJECT (button), "series", GUINT_TO_POINTER (i));
      g_signal_connect (button, "toggled", G_CALLBACK (legend_toggled), self);
      gtk_box_append (GTK_BOX (self->legend), button);
    }
  self->n_legend = n;
}

static void
clear_legend (DistilleryChartView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->legend)) != NULL)
    gtk_box_remove (GTK_BOX (self->legend), child);
  self->n_legend = 0;
}

/* The chart ---------------------------------------------------------------- */

static void
chart_changed (DistilleryChart *chart, DistilleryChartView *self)
{
  if (distillery_chart_get_n_series (chart) != self->n_legend)
    update_legend (self);
  /* Visibility can change from the API as well as from the buttons. */
  guint i = 0;
  for (GtkWidget *b = gtk_widget_get_first_child (self->legend); b; b = gtk_widget_get_next_sibling (b), i++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (b), distillery_chart_get_series_visible (chart, i));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chart.reset-zoom",
                                 distillery_chart_get_zoom (chart, NULL, NULL, NULL, NULL));
  self->description_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
distillery_chart_view_set_chart (DistilleryChartView *self,
                                 DistilleryChart     *chart)
{
  g_return_if_fail (DISTILLERY_IS_CHART_VIEW (self));
  g_return_if_fail (chart == NULL || DISTILLERY_IS_CHART (chart));

  if (self->chart == chart)
    return;
  if (self->chart != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->chart);
      for (guint i = 0; i < self->bindings->len; i++)
        g_binding_unbind (self->bindings->pdata[i]);
      g_ptr_array_set_size (self->bindings, 0);
      clear_legend (self);
    }
  g_set_object (&self->chart, chart);
  self->hovering = FALSE;
  if (chart != NULL)
    {
      gboolean curves = distillery_chart_get_kind (chart) != DISTILLERY_CHART_MATRIX;
      self->changed_id = g_signal_connect (chart, "changed", G_CALLBACK (chart_changed), self);
      g_ptr_array_add (self->bindings,
                       g_object_bind_property (chart, "x-mode", self->x_mode, "selected",
                                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
      g_ptr_array_add (self->bindings,
                       g_object_bind_property (chart, "smoothing", gtk_range_get_adjustment (GTK_RANGE (self->smoothing)),
                                               "value", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
      g_ptr_array_add (self->bindings,
                       g_object_bind_property (chart, "log-y", self->log_y, "active",
                                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
      /* An x of its own (x-label: a point per run, say) has no modes to
       * choose from, nor a training curve's noise to smooth. */
      gboolean over_time = curves && distillery_chart_get_x_label (chart) == NULL;
      gtk_widget_set_visible (self->x_mode, over_time);
      gtk_widget_set_visible (self->smoothing_label, over_time);
      gtk_widget_set_visible (self->smoothing, over_time);
      gtk_widget_set_visible (self->log_y, curves);
      update_legend (self);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      distillery_chart_get_title (chart) ? distillery_chart_get_title (chart) : _("Chart"),
                                      -1);
      chart_changed (chart, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHART]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

DistilleryChart *
distillery_chart_view_get_chart (DistilleryChartView *self)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART_VIEW (self), NULL);

  return self->chart;
}

void
distillery_chart_view_append (DistilleryChartView *self,
                              guint                series,
                              double               step,
                              double               epoch,
                              double               wall,
                              double               y)
{
  g_return_if_fail (DISTILLERY_IS_CHART_VIEW (self));
  g_return_if_fail (self->chart != NULL);

  distillery_chart_append (self->chart, series, step, epoch, wall, y);
}

const DistilleryChartLayout *
distillery_chart_view_get_layout (DistilleryChartView *self)
{
  g_return_val_if_fail (DISTILLERY_IS_CHART_VIEW (self), NULL);

  return &self->layout;
}

/* Zoom and pan -------------------------------------------------------------- */

static gboolean
has_curves (DistilleryChartView *self)
{
  return self->chart != NULL && distillery_chart_get_kind (self->chart) != DISTILLERY_CHART_MATRIX
         && !self->layout.empty && self->layout.plot.width > 0;
}

/* Zooms x by factor (below 1: in) around the plot's pixel column px,
 * keeping a zoomed y window. */
/* Both work on pixels, so that a log axis zooms and pans evenly too. */
static void
zoom_x (DistilleryChartView *self, double factor, double px)
{
  const DistilleryChartScale *x = &self->layout.x;
  double y_min, y_max;

  if (!has_curves (self))
    return;
  double lo = distillery_chart_scale_to_value (x, px - (px - x->from) * factor);
  double hi = distillery_chart_scale_to_value (x, px + (x->to - px) * factor);
  distillery_chart_get_zoom (self->chart, NULL, NULL, &y_min, &y_max);
  if (hi > lo)
    distillery_chart_zoom (self->chart, lo, hi, y_min, y_max);
}

static void
pan_x (DistilleryChartView *self, double fraction)
{
  const DistilleryChartScale *x = &self->layout.x;
  double y_min, y_max, shift = (x->to - x->from) * fraction;

  if (!has_curves (self))
    return;
  distillery_chart_get_zoom (self->chart, NULL, NULL, &y_min, &y_max);
  distillery_chart_zoom (self->chart, distillery_chart_scale_to_value (x, x->from + shift),
                         distillery_chart_scale_to_value (x, x->to + shift), y_min, y_max);
}

static double
plot_centre_x (DistilleryChartView *self)
{
  return self->hovering ? self->hover_x : self->layout.plot.x + self->layout.plot.width / 2;
}

/* Actions ------------------------------------------------------------------- */

static void
reset_zoom_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);

  if (self->chart != NULL)
    distillery_chart_reset_zoom (self->chart);
}

static void
toggle_log_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);

  if (self->chart != NULL && distillery_chart_get_kind (self->chart) != DISTILLERY_CHART_MATRIX)
    distillery_chart_set_log_y (self->chart, !distillery_chart_get_log_y (self->chart));
}

gboolean
distillery_chart_view_export (DistilleryChartView   *self,
                              DistilleryChartFormat  format,
                              const char            *path,
                              GError               **error)
{
  DistilleryChartStyle style;

  g_return_val_if_fail (DISTILLERY_IS_CHART_VIEW (self), FALSE);
  g_return_val_if_fail (self->chart != NULL, FALSE);

  distillery_chart_view_get_style (self, &style, TRUE);
  return distillery_chart_export (self->chart, &style, format,
                                  MAX (self->layout.width, 320), MAX (self->layout.height, 240), path, error);
}

static void
export_to_file (DistilleryChartView *self, GFile *file, DistilleryChartFormat format)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL && !distillery_chart_view_export (self, format, path, &error))
    g_warning ("%s", error->message);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
export_dialog_done (GObject *dialog, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DistilleryChartView) self = user_data;
  g_autoptr(GFile) file = gtk_file_dialog_save_finish (GTK_FILE_DIALOG (dialog), result, NULL);

  if (file != NULL)
    export_to_file (self, file, GPOINTER_TO_UINT (g_object_get_data (dialog, "format")));
}
#else
static void
export_dialog_done (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr(DistilleryChartView) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      export_to_file (self, file, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "format")));
    }
  g_object_unref (dialog);
}
#endif

/* chart.export("svg"): asks where, then writes the chart in that format. */
static void
export_action (GtkWidget *widget, const char *name, GVariant *parameter)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);
  DistilleryChartFormat format;
  g_autoptr(GError) error = NULL;

  if (self->chart == NULL)
    return;
  if (!distillery_chart_format_from_string (g_variant_get_string (parameter, NULL), &format, &error))
    {
      g_warning ("%s", error->message);
      return;
    }
  const char *title = distillery_chart_get_title (self->chart);
  g_autofree char *file_name = g_strconcat (title ? title : _("Chart"), distillery_chart_format_suffix (format), NULL);
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (widget));

#if GTK_CHECK_VERSION (4, 10, 0)
  GtkFileDialog *dialog = gtk_file_dialog_new ();
  gtk_file_dialog_set_title (dialog, _("Export Chart"));
  gtk_file_dialog_set_initial_name (dialog, file_name);
  g_object_set_data (G_OBJECT (dialog), "format", GUINT_TO_POINTER (format));
  gtk_file_dialog_save (dialog, parent, NULL, export_dialog_done, g_object_ref (self));
  g_object_unref (dialog);
#else
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Export Chart"), parent,
                                                              GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), file_name);
  g_object_set_data (G_OBJECT (dialog), "format", GUINT_TO_POINTER (format));
  g_signal_connect (dialog, "response", G_CALLBACK (export_dialog_done), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
#endif
}

/* Pointer and keyboard ------------------------------------------------------ */

static void
hover_at (DistilleryChartView *self, double x, double y)
{
  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, DistilleryChartView *self)
{
  hover_at (self, x, y - self->controls_height);
}

static void
leave_cb (GtkEventControllerMotion *motion, DistilleryChartView *self)
{
  self->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll, double dx, double dy, DistilleryChartView *self)
{
  if (!has_curves (self) || dy == 0)
    return FALSE;
  zoom_x (self, pow (ZOOM_STEP, dy), plot_centre_x (self));
  return TRUE;
}

static void
pressed_cb (GtkGestureClick *click, int n_press, double x, double y, DistilleryChartView *self)
{
  if (y < self->controls_height)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (n_press == 2 && self->chart != NULL)
    distillery_chart_reset_zoom (self->chart);
}

static void
drag_begin_cb (GtkGestureDrag *drag, double x, double y, DistilleryChartView *self)
{
  if (!has_curves (self) || y < self->controls_height)
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->dragging = TRUE;
  self->drag_x = x;
  self->drag_y = y - self->controls_height;
  self->drag_dx = self->drag_dy = 0;
}

static void
drag_update_cb (GtkGestureDrag *drag, double dx, double dy, DistilleryChartView *self)
{
  self->drag_dx = dx;
  self->drag_dy = dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A box zooms both axes; a flat one, x alone with y fitted to the data. */
static void
drag_end_cb (GtkGestureDrag *drag, double dx, double dy, DistilleryChartView *self)
{
  const DistilleryChartLayout *l = &self->layout;

  if (!self->dragging)
    return;
  self->dragging = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (fabs (dx) < DRAG_THRESHOLD || !has_curves (self))
    return;
  double x0 = distillery_chart_scale_to_value (&l->x, MIN (self->drag_x, self->drag_x + dx));
  double x1 = distillery_chart_scale_to_value (&l->x, MAX (self->drag_x, self->drag_x + dx));
  double y0 = NAN, y1 = NAN;
  if (fabs (dy) >= DRAG_THRESHOLD)
    {
      y0 = distillery_chart_scale_to_value (&l->y[0], MAX (self->drag_y, self->drag_y + dy));
      y1 = distillery_chart_scale_to_value (&l->y[0], MIN (self->drag_y, self->drag_y + dy));
    }
  distillery_chart_zoom (self->chart, x0, x1, y0, y1);
}

/* Arrows move the crosshair from point to point (from cell to cell in the
 * matrix), Shift+arrows pan, + and - zoom, 0 and Home reset, L switches
 * the log axis, Escape hides the crosshair. */
static gboolean
key_pressed_cb (GtkEventControllerKey *key, guint keyval, guint keycode, GdkModifierType state,
                DistilleryChartView *self)
{
  const DistilleryChartLayout *l = &self->layout;
  gboolean shift = (state & GDK_SHIFT_MASK) != 0;
  int dx = 0, dy = 0;

  if (self->chart == NULL)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: dx = -1; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: dx = 1; break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: dy = -1; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: dy = 1; break;
    case GDK_KEY_plus: case GDK_KEY_equal: case GDK_KEY_KP_Add:
      zoom_x (self, 1 / ZOOM_STEP, plot_centre_x (self));
      return TRUE;
    case GDK_KEY_minus: case GDK_KEY_KP_Subtract:
      zoom_x (self, ZOOM_STEP, plot_centre_x (self));
      return TRUE;
    case GDK_KEY_0: case GDK_KEY_KP_0: case GDK_KEY_Home:
      gtk_widget_activate_action (GTK_WIDGET (self), "chart.reset-zoom", NULL);
      return TRUE;
    case GDK_KEY_l: case GDK_KEY_L:
      gtk_widget_activate_action (GTK_WIDGET (self), "chart.toggle-log", NULL);
      return TRUE;
    case GDK_KEY_Escape:
      if (!self->hovering)
        return FALSE;
      self->hovering = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return TRUE;
    default:
      return FALSE;
    }

  if (distillery_chart_get_kind (self->chart) == DISTILLERY_CHART_MATRIX)
    {
      guint n, t = 0, s = 0;
      if (distillery_chart_get_matrix (self->chart, &n) == NULL || n == 0 || l->empty)
        return FALSE;
      if (self->hovering)
        distillery_chart_layout_cell (self->chart, l, self->hover_x, self->hover_y, &t, &s);
      s = (guint) CLAMP ((int) s + (self->hovering ? dx : 0), 0, (int) n - 1);
      t = (guint) CLAMP ((int) t + (self->hovering ? dy : 0), 0, (int) n - 1);
      double cell = l->plot.width / n;
      hover_at (self, l->plot.x + (s + 0.5) * cell, l->plot.y + (t + 0.5) * cell);
    }
  else if (dx != 0 && has_curves (self))
    {
      if (shift)
        {
          pan_x (self, dx * PAN_STEP);
          return TRUE;
        }
      double from = self->hovering ? distillery_chart_scale_to_value (&l->x, self->hover_x) : l->x.min;
      double x = distillery_chart_nearest_x (self->chart, from, self->hovering ? dx : 0);
      if (isnan (x))
        return TRUE;
      /* Walking off the window pans it along. */
      if (x < l->x.min || x > l->x.max)
        pan_x (self, (distillery_chart_scale_to_pixel (&l->x, x) - (x < l->x.min ? l->x.from : l->x.to))
                     / (l->x.to - l->x.from));
      hover_at (self, distillery_chart_scale_to_pixel (&l->x, x), l->plot.y + l->plot.height / 2);
    }
  else
    return FALSE;

#if GTK_CHECK_VERSION (4, 14, 0)
  g_autofree char *text = distillery_chart_hover_text (self->chart, l, self->hover_x, self->hover_y);
  if (text != NULL)
    gtk_accessible_announce (GTK_ACCESSIBLE (self), text, GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
#endif
  return TRUE;
}

/* Layout and drawing -------------------------------------------------------- */

static void
distillery_chart_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                               int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);
  int child_min, child_nat;

  gtk_widget_measure (self->controls, orientation, -1, &child_min, &child_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (child_min, 240);
      *natural = MAX (child_nat, 480);
    }
  else
    {
      *minimum = child_min + 160;
      *natural = child_nat + 320;
    }
}

static void
distillery_chart_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);
  int child_min, child_nat;

  gtk_widget_measure (self->controls, GTK_ORIENTATION_VERTICAL, width, &child_min, &child_nat, NULL, NULL);
  self->controls_height = child_nat;
  gtk_widget_allocate (self->controls, width, child_nat, -1, NULL);
}

static void
update_description (DistilleryChartView *self)
{
  g_autofree char *description = distillery_chart_describe (self->chart);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  self->description_dirty = FALSE;
}

static void
distillery_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget) - self->controls_height;
  DistilleryChartStyle style;

  if (self->chart != NULL && width > 0 && height > 0)
    {
      /* At most once a frame, and only after a change. */
      if (self->description_dirty)
        update_description (self);
      distillery_chart_view_get_style (self, &style, FALSE);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, self->controls_height));
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      distillery_chart_draw (self->chart, &style, cr, width, height, &self->layout);
      if (self->hovering && !self->dragging)
        distillery_chart_draw_hover (self->chart, &style, &self->layout, cr, self->hover_x, self->hover_y);
      if (self->dragging)
        {
          const DistilleryChartRect *p = &self->layout.plot;
          double x = CLAMP (self->drag_x + self->drag_dx, p->x, p->x + p->width);
          gboolean box = fabs (self->drag_dy) >= DRAG_THRESHOLD;
          double y0 = box ? self->drag_y : p->y;
          double y1 = box ? CLAMP (self->drag_y + self->drag_dy, p->y, p->y + p->height) : p->y + p->height;
          cairo_rectangle (cr, MIN (self->drag_x, x), MIN (y0, y1), fabs (x - self->drag_x), fabs (y1 - y0));
          cairo_set_source_rgba (cr, style.palette[0].red, style.palette[0].green, style.palette[0].blue, 0.15);
          cairo_fill_preserve (cr);
          cairo_set_source_rgba (cr, style.palette[0].red, style.palette[0].green, style.palette[0].blue, 0.8);
          cairo_set_line_width (cr, 1);
          cairo_stroke (cr);
        }
      cairo_destroy (cr);
      gtk_snapshot_restore (snapshot);
    }
  gtk_widget_snapshot_child (widget, self->controls, snapshot);
}

/* GObject ------------------------------------------------------------------- */

static void
distillery_chart_view_dispose (GObject *object)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (object);

  distillery_chart_view_set_chart (self, NULL);
  g_clear_pointer (&self->controls, gtk_widget_unparent);

  G_OBJECT_CLASS (distillery_chart_view_parent_class)->dispose (object);
}

static void
distillery_chart_view_finalize (GObject *object)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (object);

  g_ptr_array_unref (self->bindings);

  G_OBJECT_CLASS (distillery_chart_view_parent_class)->finalize (object);
}

static void
distillery_chart_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      g_value_set_object (value, self->chart);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_chart_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DistilleryChartView *self = DISTILLERY_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      distillery_chart_view_set_chart (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
distillery_chart_view_class_init (DistilleryChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = distillery_chart_view_dispose;
  object_class->finalize = distillery_chart_view_finalize;
  object_class->get_property = distillery_chart_view_get_property;
  object_class->set_property = distillery_chart_view_set_property;
  widget_class->measure = distillery_chart_view_measure;
  widget_class->size_allocate = distillery_chart_view_size_allocate;
  widget_class->snapshot = distillery_chart_view_snapshot;

  properties[PROP_CHART] =
    g_param_spec_object ("chart", NULL, NULL, DISTILLERY_TYPE_CHART,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "chart.reset-zoom", NULL, reset_zoom_action);
  gtk_widget_class_install_action (widget_class, "chart.toggle-log", NULL, toggle_log_action);
  gtk_widget_class_install_action (widget_class, "chart.export", "s", export_action);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
distillery_chart_view_init (DistilleryChartView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;

  self->bindings = g_ptr_array_new ();
  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_focus_on_click (widget, TRUE);

  self->controls = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (self->controls, 6);
  gtk_widget_set_margin_end (self->controls, 6);
  gtk_widget_set_margin_top (self->controls, 6);
  gtk_widget_set_parent (self->controls, widget);

  self->legend = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  gtk_widget_set_hexpand (self->legend, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->legend), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Legend"), -1);
  gtk_box_append (GTK_BOX (self->controls), self->legend);

  const char *modes[] = { distillery_chart_x_mode_label (DISTILLERY_CHART_X_STEP),
                          distillery_chart_x_mode_label (DISTILLERY_CHART_X_EPOCH),
                          distillery_chart_x_mode_label (DISTILLERY_CHART_X_WALL), NULL };
  self->x_mode = gtk_drop_down_new_from_strings (modes);
  gtk_widget_set_tooltip_text (self->x_mode, _("What the x axis counts"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->x_mode), GTK_ACCESSIBLE_PROPERTY_LABEL, _("X axis"), -1);
  gtk_box_append (GTK_BOX (self->controls), self->x_mode);

  self->smoothing_label = gtk_label_new (_("Smoothing"));
  gtk_widget_add_css_class (self->smoothing_label, "dim-label");
  gtk_box_append (GTK_BOX (self->controls), self->smoothing_label);
  self->smoothing = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0, 0.99, 0.01);
  gtk_scale_set_draw_value (GTK_SCALE (self->smoothing), FALSE);
  gtk_widget_set_size_request (self->smoothing, 120, -1);
  gtk_widget_set_tooltip_text (self->smoothing, _("Smoothing: exponential moving average, raw curve faint behind"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->smoothing), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Smoothing"), -1);
  gtk_box_append (GTK_BOX (self->controls), self->smoothing);

  self->log_y = gtk_toggle_button_new_with_label (_("Log"));
  gtk_widget_set_tooltip_text (self->log_y, _("Logarithmic y axis (L)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->log_y), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Logarithmic y axis"), -1);
  gtk_box_append (GTK_BOX (self->controls), self->log_y);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (widget, controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_action_set_enabled (widget, "chart.reset-zoom", FALSE);
}

GtkWidget *
distillery_chart_view_new (DistilleryChart *chart)
{
  return g_object_new (DISTILLERY_TYPE_CHART_VIEW, "chart", chart, NULL);
}

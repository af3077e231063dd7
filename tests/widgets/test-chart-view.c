/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DistilleryChartView in a real window: it renders what its chart holds
 * (read back from the render node as pixels), its legend buttons hide and
 * show curves, its controls follow the chart, and the pointer, scroll and
 * keyboard handlers zoom, pan, reset and switch the log axis. The handlers
 * are driven by emitting their controllers' signals, as GTK does on input.
 * Without a display the cases are skipped.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "distillery-chart-view.h"

static gboolean have_display;

static gboolean
skip_without_display (void)
{
  if (have_display)
    return FALSE;
  g_test_skip ("No display: the chart view needs one (run under xvfb-run)");
  return TRUE;
}

static void
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Runs the main context until the view has drawn its plot, for five
 * seconds at most. */
static void
wait_for_plot (DistilleryChartView *view)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_once (5000, timed_out_cb, &timed_out);

  while (distillery_chart_view_get_layout (view)->plot.width <= 1 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

typedef struct
{
  GtkWidget           *window;
  DistilleryChartView *view;
  DistilleryChart     *chart;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  if (!have_display)
    return;
  f->chart = distillery_chart_new (DISTILLERY_CHART_LOSS, "Loss");
  distillery_chart_add_series (f->chart, "Training loss", 0, FALSE);
  distillery_chart_add_series (f->chart, "Validation loss", 0, FALSE);
  f->view = DISTILLERY_CHART_VIEW (distillery_chart_view_new (f->chart));
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 500);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  for (guint i = 0; i <= 1000; i++)
    {
      distillery_chart_view_append (f->view, 0, i, i / 100.0, i * 0.1, 0.5);
      if (i % 100 == 0)
        distillery_chart_view_append (f->view, 1, i, i / 100.0, i * 0.1, 0.8);
    }
  gtk_window_present (GTK_WINDOW (f->window));
  wait_for_plot (f->view);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (!have_display)
    return;
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->chart);
}

/* The view rendered as GTK would, as a texture. */
static GdkTexture *
render (Fixture *f)
{
  GtkWidget *widget = GTK_WIDGET (f->view);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_autoptr(GskRenderNode) node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_object_unref (paintable);
  g_assert_nonnull (node);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
test_renders (Fixture *f, gconstpointer data)
{
  if (skip_without_display ())
    return;

  const DistilleryChartLayout *layout = distillery_chart_view_get_layout (f->view);
  g_assert_cmpfloat (layout->x.min, ==, 0);
  g_assert_cmpfloat (layout->x.max, ==, 1000);

  g_autoptr(GdkTexture) texture = render (f);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, width * 4);

  DistilleryChartStyle style;
  distillery_chart_view_get_style (f->view, &style, FALSE);
  /* The training loss, 0.5 everywhere, in the first colour along its row;
   * the view draws below its controls. */
  int top = height - layout->height;
  int row = top + (int) round (distillery_chart_scale_to_pixel (&layout->y[0], 0.5));
  guint hits = 0;
  for (int x = (int) layout->plot.x; x < (int) (layout->plot.x + layout->plot.width); x++)
    for (int y = row - 2; y <= row + 2; y++)
      {
        const guchar *p = pixels + (gsize) y * width * 4 + x * 4;   /* B, G, R, A in memory */
        if (abs (p[2] - (int) (style.palette[0].red * 255)) < 30
            && abs (p[1] - (int) (style.palette[0].green * 255)) < 30
            && abs (p[0] - (int) (style.palette[0].blue * 255)) < 30)
          {
            hits++;
            break;
          }
      }
  g_assert_cmpuint (hits, >, layout->plot.width * 0.9);
}

/* The legend's button for a curve: the legend is the first box of the
 * controls, which are the view's first child. */
static GtkWidget *
legend_button (Fixture *f, guint series)
{
  GtkWidget *legend = gtk_widget_get_first_child (gtk_widget_get_first_child (GTK_WIDGET (f->view)));
  GtkWidget *button = gtk_widget_get_first_child (legend);

  for (guint i = 0; i < series && button != NULL; i++)
    button = gtk_widget_get_next_sibling (button);
  g_assert_true (button == NULL || GTK_IS_TOGGLE_BUTTON (button));
  return button;
}

static void
test_legend (Fixture *f, gconstpointer data)
{
  if (skip_without_display ())
    return;

  GtkWidget *button = legend_button (f, 1);
  g_assert_nonnull (button);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), FALSE);
  g_assert_false (distillery_chart_get_series_visible (f->chart, 1));
  distillery_chart_set_series_visible (f->chart, 1, TRUE);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));

  /* A curve added later gets its button. */
  distillery_chart_add_series (f->chart, "KD part", 0, FALSE);
  g_assert_nonnull (legend_button (f, 2));
}

static GtkEventController *
find_controller (GtkWidget *widget, GType type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
    }
  g_assert_not_reached ();
}

static gboolean
press_key (Fixture *f, guint keyval, GdkModifierType state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (find_controller (GTK_WIDGET (f->view), GTK_TYPE_EVENT_CONTROLLER_KEY),
                         "key-pressed", keyval, 0, state, &handled);
  return handled;
}

static void
next_frame (Fixture *f)
{
  /* The layout the handlers use is the last draw's. */
  gtk_widget_queue_draw (GTK_WIDGET (f->view));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->view));
}

static void
test_zoom (Fixture *f, gconstpointer data)
{
  const DistilleryChartLayout *layout;
  double x0, x1, y0, y1;
  gboolean handled;

  if (skip_without_display ())
    return;
  layout = distillery_chart_view_get_layout (f->view);
  GtkWidget *widget = GTK_WIDGET (f->view);

  /* Scrolling up zooms x in around the pointer. */
  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_SCROLL), "scroll", 0.0, -1.0, &handled);
  g_assert_true (handled);
  g_assert_true (distillery_chart_get_zoom (f->chart, &x0, &x1, &y0, &y1));
  g_assert_cmpfloat_with_epsilon (x1 - x0, 1000 / 1.25, 1e-6);
  g_assert_true (isnan (y0));

  /* Double-click resets. */
  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_GESTURE_CLICK), "pressed", 2,
                         layout->plot.x + 10, layout->height / 2.0 + 100);
  g_assert_false (distillery_chart_get_zoom (f->chart, NULL, NULL, NULL, NULL));

  /* A dragged box zooms both axes to it. */
  next_frame (f);
  GtkEventController *drag = find_controller (widget, GTK_TYPE_GESTURE_DRAG);
  int top = gtk_widget_get_height (widget) - layout->height;
  double sx = distillery_chart_scale_to_pixel (&layout->x, 200), ex = distillery_chart_scale_to_pixel (&layout->x, 400);
  double sy = distillery_chart_scale_to_pixel (&layout->y[0], 0.7), ey = distillery_chart_scale_to_pixel (&layout->y[0], 0.3);
  g_signal_emit_by_name (drag, "drag-begin", sx, sy + top);
  g_signal_emit_by_name (drag, "drag-update", ex - sx, ey - sy);
  g_signal_emit_by_name (drag, "drag-end", ex - sx, ey - sy);
  g_assert_true (distillery_chart_get_zoom (f->chart, &x0, &x1, &y0, &y1));
  g_assert_cmpfloat_with_epsilon (x0, 200, 1e-6);
  g_assert_cmpfloat_with_epsilon (x1, 400, 1e-6);
  g_assert_cmpfloat_with_epsilon (y0, 0.3, 1e-6);
  g_assert_cmpfloat_with_epsilon (y1, 0.7, 1e-6);
  next_frame (f);
  g_assert_cmpfloat_with_epsilon (layout->x.min, 200, 1e-6);

  /* The action resets too. */
  g_assert_true (gtk_widget_activate_action (widget, "chart.reset-zoom", NULL));
  g_assert_false (distillery_chart_get_zoom (f->chart, NULL, NULL, NULL, NULL));
}

static void
test_keyboard (Fixture *f, gconstpointer data)
{
  double x0, x1;

  if (skip_without_display ())
    return;
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (f->view)));

  /* + zooms in, Shift+Right pans, 0 resets. */
  g_assert_true (press_key (f, GDK_KEY_plus, 0));
  g_assert_true (distillery_chart_get_zoom (f->chart, &x0, &x1, NULL, NULL));
  g_assert_cmpfloat_with_epsilon (x1 - x0, 800, 1e-6);
  next_frame (f);
  g_assert_true (press_key (f, GDK_KEY_Right, GDK_SHIFT_MASK));
  double moved0, moved1;
  g_assert_true (distillery_chart_get_zoom (f->chart, &moved0, &moved1, NULL, NULL));
  g_assert_cmpfloat_with_epsilon (moved0 - x0, 80, 1e-6);
  g_assert_true (press_key (f, GDK_KEY_0, 0));
  g_assert_false (distillery_chart_get_zoom (f->chart, NULL, NULL, NULL, NULL));

  /* L switches the log axis, through chart.toggle-log. */
  g_assert_true (press_key (f, GDK_KEY_l, 0));
  g_assert_true (distillery_chart_get_log_y (f->chart));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "chart.toggle-log", NULL));
  g_assert_false (distillery_chart_get_log_y (f->chart));

  /* Arrows walk the crosshair from point to point. */
  next_frame (f);
  g_assert_true (press_key (f, GDK_KEY_Right, 0));
  g_assert_true (press_key (f, GDK_KEY_Right, 0));
  const DistilleryChartLayout *layout = distillery_chart_view_get_layout (f->view);
  g_autofree char *text = NULL;
  for (double px = layout->plot.x; px < layout->plot.x + 20 && text == NULL; px += 0.5)
    text = distillery_chart_hover_text (f->chart, layout, px, layout->plot.y + 5);
  g_assert_nonnull (text);
  g_assert_true (press_key (f, GDK_KEY_Escape, 0));
  g_assert_false (press_key (f, GDK_KEY_a, 0));
}

static void
test_controls (Fixture *f, gconstpointer data)
{
  if (skip_without_display ())
    return;

  distillery_chart_set_smoothing (f->chart, 0.6);
  distillery_chart_set_x_mode (f->chart, DISTILLERY_CHART_X_WALL);
  next_frame (f);
  const DistilleryChartLayout *layout = distillery_chart_view_get_layout (f->view);
  g_assert_cmpint (layout->x_unit, ==, DISTILLERY_CHART_UNIT_SECONDS);
  g_assert_cmpfloat_with_epsilon (layout->x.max, 100, 1e-9);

  /* A new chart replaces the legend and keeps the controls bound. */
  g_autoptr(DistilleryChart) other = distillery_chart_new (DISTILLERY_CHART_ACCURACY, "Accuracy");
  distillery_chart_add_series (other, "Student", 0, FALSE);
  distillery_chart_view_set_chart (f->view, other);
  g_assert_nonnull (legend_button (f, 0));
  g_assert_null (legend_button (f, 1));
  g_assert_true (distillery_chart_view_get_chart (f->view) == other);
  distillery_chart_set_smoothing (f->chart, 0.1);
  g_assert_cmpfloat (distillery_chart_get_smoothing (other), ==, 0);

  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "distillery-chart-view-test.svg", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (distillery_chart_view_export (f->view, DISTILLERY_CHART_FORMAT_SVG, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add ("/chart-view/renders", Fixture, NULL, fixture_set_up, test_renders, fixture_tear_down);
  g_test_add ("/chart-view/legend", Fixture, NULL, fixture_set_up, test_legend, fixture_tear_down);
  g_test_add ("/chart-view/zoom", Fixture, NULL, fixture_set_up, test_zoom, fixture_tear_down);
  g_test_add ("/chart-view/keyboard", Fixture, NULL, fixture_set_up, test_keyboard, fixture_tear_down);
  g_test_add ("/chart-view/controls", Fixture, NULL, fixture_set_up, test_controls, fixture_tear_down);

  return g_test_run ();
}

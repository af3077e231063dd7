/* SPDX-License-Identifier: GPL-3.0-or-later */

/* DistilleryDatasetPage: the class bars and the sample grid are drawn
 * with Cairo in drawing areas, in the widget's own text colour and the
 * accent colour, so they follow the light and dark styles.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "distillery-dataset-page.h"
#include "distillery-project.h"

#define GRID_SAMPLES 48

struct _DistilleryDatasetPage
{
  GtkWidget          parent_instance;

  GtkWidget         *status;          /* while loading, or an error */
  GtkWidget         *content;
  GtkWidget         *facts;           /* AdwPreferencesGroup */
  GtkWidget         *rows[4];
  GtkWidget         *classes_area;
  GtkWidget         *samples_group;
  GtkWidget         *samples_area;

  DistillerySession *session;
  gint64             dataset_id;
  GCancellable      *loading;
  guint             *class_counts;    /* n_classes, training and test together */
  char             **class_names;
  guint              n_classes;
  float             *samples;         /* GRID_SAMPLES images, or NULL */
  guint              n_samples_shown, width, height;
};

G_DEFINE_FINAL_TYPE (DistilleryDatasetPage, distillery_dataset_page, GTK_TYPE_WIDGET)

typedef struct
{
  char              *path;
  gint64             id;
  DistilleryDataset *train, *test;
} Loading;

static void
loading_free (Loading *l)
{
  g_free (l->path);
  g_clear_pointer (&l->train, distillery_dataset_free);
  g_clear_pointer (&l->test, distillery_dataset_free);
  g_free (l);
}

static void
load_in_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Loading *l = data;
  GError *error = NULL;
  g_autoptr(DistilleryStore) store = distillery_store_open (l->path, DISTILLERY_STORE_OPEN_READ_ONLY, &error);

  if (store == NULL || !distillery_project_load_dataset (store, l->id, &l->train, &l->test, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
get_color (GtkWidget *widget, GdkRGBA *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
draw_classes (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  DistilleryDatasetPage *self = data;
  GdkRGBA fg;
  guint most = 1;
  const double label_w = MIN (160, width / 3.0), row_h = self->n_classes ? (double) height / self->n_classes : 0;

  get_color (GTK_WIDGET (area), &fg);
  for (guint c = 0; c < self->n_classes; c++)
    most = MAX (most, self->class_counts[c]);
  for (guint c = 0; c < self->n_classes; c++)
    {
      g_autofree char *count = g_strdup_printf ("%u", self->class_counts[c]);
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), self->class_names[c]);
      int tw, th;
      double y = c * row_h;
      double bar = (width - label_w - 60) * self->class_counts[c] / (double) most;

      pango_layout_set_width (layout, (int) (label_w - 8) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, 0, y + (row_h - th) / 2);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);

      /* The accent blue of the GNOME palette, readable on light and dark. */
      cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 1);
      cairo_rectangle (cr, label_w, y + row_h * 0.15, MAX (bar, 1), row_h * 0.7);
      cairo_fill (cr);

      layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), count);
      pango_layout_get_pixel_size (layout, &tw, &th);
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_move_to (cr, label_w + bar + 6, y + (row_h - th) / 2);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

static void
draw_samples (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  DistilleryDatasetPage *self = data;
  const guint columns = 12, w = self->width, h = self->height;

  if (self->samples == NULL || w == 0 || h == 0)
    return;
  double cell = MIN ((double) width / columns, 64);
  for (guint i = 0; i < self->n_samples_shown; i++)
    {
      const float *x = self->samples + (gsize) i * w * h;
      cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
      guchar *pixels = cairo_image_surface_get_data (image);
      int stride = cairo_image_surface_get_stride (image);

      cairo_surface_flush (image);
      for (guint r = 0; r < h; r++)
        for (guint c = 0; c < w; c++)
          {
            guint8 v = (guint8) CLAMP (x[r * w + c] * 255.0f, 0, 255);
            guint32 *p = (guint32 *) (pixels + r * stride) + c;
            *p = (guint32) v << 16 | (guint32) v << 8 | v;
          }
      cairo_surface_mark_dirty (image);
      cairo_save (cr);
      cairo_translate (cr, (i % columns) * cell + 1, (i / columns) * cell + 1);
      cairo_scale (cr, (cell - 2) / w, (cell - 2) / h);
      cairo_set_source_surface (cr, image, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (image);
    }
}

static void
set_fact (GtkWidget *row, const char *value)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer data)
{
  DistilleryDatasetPage *self = DISTILLERY_DATASET_PAGE (source);
  Loading *l = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_status_page_set_description (ADW_STATUS_PAGE (self->status), error->message);
      return;
    }
  DistilleryDataset *train = l->train, *test = l->test;
  self->n_classes = train->n_classes;
  g_free (self->class_counts);
  self->class_counts = g_new0 (guint, self->n_classes);
  for (guint i = 0; i < train->n_samples; i++)
    self->class_counts[train->labels[i]]++;
  for (guint i = 0; i < test->n_samples; i++)
    self->class_counts[test->labels[i]]++;
  g_strfreev (self->class_names);
  self->class_names = g_strdupv (train->class_names);

  g_autofree char *samples = g_strdup_printf (_("%u for training, %u for testing"), train->n_samples, test->n_samples);
  g_autofree char *features = train->image_width
    ? g_strdup_printf (_("%u (images of %u × %u pixels)"), train->n_features, train->image_width, train->image_height)
    : g_strdup_printf ("%u", train->n_features);
  g_autofree char *classes = g_strdup_printf ("%u", train->n_classes);
  set_fact (self->rows[1], samples);
  set_fact (self->rows[2], features);
  set_fact (self->rows[3], classes);
  gtk_widget_set_size_request (self->classes_area, -1, MAX (120, 26 * (int) self->n_classes));
  gtk_widget_queue_draw (self->classes_area);

  g_clear_pointer (&self->samples, g_free);
  self->width = train->image_width;
  self->height = train->image_height;
  gtk_widget_set_visible (self->samples_group, self->width > 0);
  if (self->width > 0)
    {
      gsize size = (gsize) self->width * self->height;
      self->n_samples_shown = MIN (GRID_SAMPLES, train->n_samples);
      self->samples = g_memdup2 (train->features, self->n_samples_shown * size * sizeof (float));
      gtk_widget_set_size_request (self->samples_area, -1, ((self->n_samples_shown + 11) / 12) * 56);
      gtk_widget_queue_draw (self->samples_area);
    }
  gtk_widget_set_visible (self->status, FALSE);
  gtk_widget_set_visible (self->content, TRUE);
}

void
distillery_dataset_page_set_dataset (DistilleryDatasetPage *self, DistillerySession *session, gint64 dataset_id)
{
  g_return_if_fail (DISTILLERY_IS_DATASET_PAGE (self));

  if (session == self->session && dataset_id == self->dataset_id)
    return;
  g_set_object (&self->session, session);
  self->dataset_id = dataset_id;
  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  if (session == NULL)
    return;

  g_autoptr(DistilleryStoreDataset) d = distillery_store_get_dataset (distillery_session_get_store (session),
                                                                      dataset_id, NULL);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->facts), d ? d->name : "");
  set_fact (self->rows[0], d ? (g_str_equal (d->kind, "idx") ? _("IDX files") : _("CSV file")) : "");
  gtk_widget_set_visible (self->content, FALSE);
  gtk_widget_set_visible (self->status, TRUE);
  adw_status_page_set_description (ADW_STATUS_PAGE (self->status), NULL);

  Loading *l = g_new0 (Loading, 1);
  l->path = g_strdup (distillery_session_get_path (session));
  l->id = dataset_id;
  self->loading = g_cancellable_new ();
  g_autoptr(GTask) task = g_task_new (self, self->loading, loaded, NULL);
  g_task_set_task_data (task, l, (GDestroyNotify) loading_free);
  g_task_run_in_thread (task, load_in_thread);
}

static void
distillery_dataset_page_dispose (GObject *object)
{
  DistilleryDatasetPage *self = DISTILLERY_DATASET_PAGE (object);

  if (self->loading != NULL)
    g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (distillery_dataset_page_parent_class)->dispose (object);
}

static void
distillery_dataset_page_finalize (GObject *object)
{
  DistilleryDatasetPage *self = DISTILLERY_DATASET_PAGE (object);

  g_free (self->class_counts);
  g_strfreev (self->class_names);
  g_free (self->samples);
  G_OBJECT_CLASS (distillery_dataset_page_parent_class)->finalize (object);
}

static void
distillery_dataset_page_class_init (DistilleryDatasetPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = distillery_dataset_page_dispose;
  object_class->finalize = distillery_dataset_page_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BOX_LAYOUT);
}

static void
distillery_dataset_page_init (DistilleryDatasetPage *self)
{
  static const char *const facts[4] = { N_("Kind"), N_("Samples"), N_("Features"), N_("Classes") };
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *g, *import;

  gtk_widget_set_hexpand (scrolled, TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (self->content, 24);
  gtk_widget_set_margin_bottom (self->content, 24);
  gtk_widget_set_margin_start (self->content, 12);
  gtk_widget_set_margin_end (self->content, 12);

  self->facts = adw_preferences_group_new ();
  import = gtk_button_new_with_mnemonic (_("_Import Another…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (import), "win.import-dataset");
  gtk_widget_add_css_class (import, "flat");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->facts), import);
  for (guint i = 0; i < 4; i++)
    {
      self->rows[i] = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rows[i]), _(facts[i]));
      gtk_widget_add_css_class (self->rows[i], "property");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->facts), self->rows[i]);
    }
  gtk_box_append (GTK_BOX (self->content), self->facts);

  g = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (g), _("Samples per Class"));
  self->classes_area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->classes_area), draw_classes, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->classes_area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Bar chart of the number of samples in each class"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (g), self->classes_area);
  gtk_box_append (GTK_BOX (self->content), g);

  self->samples_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->samples_group), _("First Training Samples"));
  self->samples_area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->samples_area), draw_samples, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->samples_area), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Grid of the first training images"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->samples_group), self->samples_area);
  gtk_box_append (GTK_BOX (self->content), self->samples_group);

  self->status = adw_status_page_new ();
  adw_status_page_set_title (ADW_STATUS_PAGE (self->status), _("Reading the Data Set…"));
  gtk_widget_set_vexpand (self->status, TRUE);

  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), self->status);
  gtk_box_append (GTK_BOX (box), self->content);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

DistilleryDatasetPage *
distillery_dataset_page_new (void)
{
  return g_object_new (DISTILLERY_TYPE_DATASET_PAGE, NULL);
}

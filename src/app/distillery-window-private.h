/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The main window's insides, shared by the files it is split into:
 * distillery-window.c (the window, its project, sidebar and pages) and
 * distillery-window-files.c (new, open, save as, the demo, recent
 * projects, dialogs).
 */

#pragma once

#include "distillery-experiment-page.h"
#include "distillery-dataset-page.h"
#include "distillery-teacher-page.h"
#include "distillery-compare-page.h"
#include "distillery-session.h"
#include "distillery-window.h"

G_BEGIN_DECLS

/* What a sidebar row stands for. */
typedef enum
{
  DISTILLERY_ITEM_NONE,
  DISTILLERY_ITEM_DATASET,
  DISTILLERY_ITEM_TEACHER,
  DISTILLERY_ITEM_EXPERIMENT,
  DISTILLERY_ITEM_RUN,
  DISTILLERY_ITEM_COMPARE,
} DistilleryItemKind;

struct _DistilleryWindow
{
  AdwApplicationWindow parent_instance;

  /* Template children. */
  AdwToastOverlay     *toasts;
  GtkStack            *stack;
  AdwPreferencesGroup *recent_group;
  AdwStatusPage       *busy_page;
  GtkSpinner          *busy_spinner;
  AdwWindowTitle      *project_title;
  GtkWidget           *run_button;
  GtkMenuButton       *runs_button;
  GtkListBox          *runs_list;
  GtkListBox          *sidebar;
  GtkStack            *pages;

  GSettings           *settings;        /* delayed: the window's size */
  GSettings           *shared_settings; /* applied at once: recent projects, runs */
  char                *recipe_mnist;    /* MNIST's folder, between a recipe's two dialogs */
  GPtrArray           *recent_rows;     /* rows of recent_group */
  GtkFilter           *active_filter;   /* runs_list shows active jobs */

  DistillerySession   *session;         /* NULL on the welcome page */
  GCancellable        *opening;         /* an open under way */
  DistilleryItemKind   selected_kind;
  gint64               selected_id;
  gboolean             rebuilding;      /* the sidebar is being refilled */
  guint                refresh_sidebar_source, refresh_page_source;
  gboolean             close_confirmed;

  DistilleryDatasetPage    *dataset_page;
  DistilleryTeacherPage    *teacher_page;
  DistilleryExperimentPage *experiment_page;
  DistilleryComparePage    *compare_page;
};

/* distillery-window.c */
void     _distillery_window_set_session   (DistilleryWindow *self, DistillerySession *session);
void     _distillery_window_show_busy     (DistilleryWindow *self, const char *title);
void     _distillery_window_show_error    (DistilleryWindow *self, const char *title, const char *message);
void     _distillery_window_toast         (DistilleryWindow *self, const char *message);
void     _distillery_window_set_enabled   (DistilleryWindow *self, const char *action, gboolean enabled);

/* distillery-window-files.c */
void     _distillery_window_files_init    (DistilleryWindow *self);
void     _distillery_window_refresh_recent (DistilleryWindow *self);
void     _distillery_window_open_path     (DistilleryWindow *self, const char *path);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */

/* What the tests that drive the real window in-process share: running the
 * main loop until something holds, waiting for frames, screenshots into
 * the build folder (screenshots/), finding rows by title, and the dialogs
 * the window asks its questions in.
 */

#pragma once

#include <adwaita.h>

#include "distillery-application.h"
#include "distillery-window.h"

G_BEGIN_DECLS

/* Runs the main context until condition holds; FALSE after `seconds`. */
gboolean          workbench_iterate_until (gboolean (*condition) (gpointer), gpointer data, guint seconds);
/* Waits for the next n frames of widget, so that what changed is drawn. */
void              workbench_wait_frames   (GtkWidget *widget, int n);
/* Saves what widget shows as screenshots/NAME.png in G_TEST_BUILDDIR. */
void              workbench_screenshot    (GtkWidget *widget, const char *name);
/* The first AdwPreferencesRow under widget titled title that is on
 * screen, or NULL. */
GtkWidget        *workbench_find_row      (GtkWidget *widget, const char *title);
/* The first widget of type under widget (mapped or not), or NULL. */
GtkWidget        *workbench_find_widget   (GtkWidget *widget, GType type);
/* A new window of app showing the project at path, once it is open. */
DistilleryWindow *workbench_open_project  (DistilleryApplication *app, const char *path);
/* Waits until window shows no toast (they go by themselves), so that a
 * screenshot shows what is under them. */
void              workbench_wait_toasts_gone (GtkWidget *window);
/* The question (AdwAlertDialog or AdwMessageDialog) window shows, or NULL. */
GtkWidget        *workbench_question      (GtkWindow *window);
/* Answers the question window shows: "confirm" or "cancel". */
void              workbench_answer        (GtkWindow *window, const char *response);

/* Removes a test's folder (its files) and its configuration folder
 * (the consents to run programs written there). */
void              workbench_remove_test_folder (const char *dir, const char *config);

G_END_DECLS

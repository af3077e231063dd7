/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Questions the window asks before it does something that cannot be
 * undone or that the user should agree to: AdwAlertDialog on
 * libadwaita 1.5 and later, AdwMessageDialog before. And the file
 * dialogs every window uses.
 */

#pragma once

#include <gtk/gtk.h>

#include "distillery-session.h"

G_BEGIN_DECLS

/* Called with TRUE when the user chose to go ahead. */
typedef void (*DistilleryConfirmed) (gboolean confirmed, gpointer data);

/* Asks; `destructive` colours the confirming button as a warning. The
 * callback is called once, in any case; cancel is the default. */
void distillery_confirm (GtkWidget *parent, const char *heading, const char *body,
                         const char *cancel_label, const char *confirm_label, gboolean destructive,
                         DistilleryConfirmed callback, gpointer data);

/* Called with allowed TRUE once the programs may run: there were none to
 * allow, or the user allowed them and that was remembered; error says
 * why it could not be when that failed. */
typedef void (*DistilleryProgramsAllowed) (gboolean allowed, const GError *error, gpointer data);

/* Before runs of a teacher start: the programs it would run (itself, or
 * an ensemble's members) that came with a project from elsewhere run
 * only once the user agreed, for this project and command; asks when
 * there are any, and calls back at once when there are none. */
void distillery_allow_programs (GtkWidget *parent, DistillerySession *session, gint64 teacher_id,
                                DistilleryProgramsAllowed callback, gpointer data);

/* Called once the user chose (files non-empty) or gave up (files NULL). */
typedef void (*DistilleryFilesChosen) (GListModel *files, gpointer data);

/* A file dialog: GtkFileDialog on GTK 4.10 and later, GtkFileChooserNative
 * before; both go through the portal in a sandbox. kind: "open",
 * "open-multiple" or "save"; filter (may be NULL) is taken. */
void distillery_choose_files (GtkWindow *parent, const char *kind, const char *title, const char *accept,
                              const char *suggested_name, GtkFileFilter *filter,
                              DistilleryFilesChosen callback, gpointer data);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The confirmation dialog and the file dialogs; see distillery-dialogs.h. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "distillery-consent.h"
#include "distillery-dialogs.h"
#include "distillery-project.h"

typedef struct
{
  DistilleryConfirmed callback;
  gpointer            data;
} Asking;

static void
responded (GObject *dialog, const char *response, gpointer user_data)
{
  Asking *a = user_data;
  a->callback (g_strcmp0 (response, "confirm") == 0, a->data);
  g_free (a);
}

void
distillery_confirm (GtkWidget *parent, const char *heading, const char *body,
                    const char *cancel_label, const char *confirm_label, gboolean destructive,
                    DistilleryConfirmed callback, gpointer data)
{
  Asking *a = g_new0 (Asking, 1);
  AdwResponseAppearance appearance = destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED;

  a->callback = callback;
  a->data = data;
#if ADW_CHECK_VERSION (1, 5, 0)
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);
  AdwAlertDialog *alert = ADW_ALERT_DIALOG (dialog);
  adw_alert_dialog_add_responses (alert, "cancel", cancel_label, "confirm", confirm_label, NULL);
  adw_alert_dialog_set_response_appearance (alert, "confirm", appearance);
  adw_alert_dialog_set_default_response (alert, "cancel");
  adw_alert_dialog_set_close_response (alert, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (responded), a);
  adw_dialog_present (dialog, parent);
#else
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (parent)), heading, body);
  AdwMessageDialog *message = ADW_MESSAGE_DIALOG (dialog);
  adw_message_dialog_add_responses (message, "cancel", cancel_label, "confirm", confirm_label, NULL);
  adw_message_dialog_set_response_appearance (message, "confirm", appearance);
  adw_message_dialog_set_default_response (message, "cancel");
  adw_message_dialog_set_close_response (message, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (responded), a);
  gtk_window_present (GTK_WINDOW (dialog));
#endif
}

/* ---- Programs of a project ------------------------------------------ */

typedef struct
{
  DistillerySession        *session;
  char                    **commands;
  DistilleryProgramsAllowed callback;
  gpointer                  data;
} Allowing;

static void
programs_confirmed (gboolean confirmed, gpointer data)
{
  Allowing *a = data;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; confirmed && a->commands[i] != NULL; i++)
    confirmed = distillery_consent_allow (distillery_session_get_path (a->session), a->commands[i], &error);
  a->callback (confirmed, error, a->data);
  g_strfreev (a->commands);
  g_object_unref (a->session);
  g_free (a);
}

void
distillery_allow_programs (GtkWidget *parent, DistillerySession *session, gint64 teacher_id,
                           DistilleryProgramsAllowed callback, gpointer data)
{
  g_auto(GStrv) commands = teacher_id != 0
    ? distillery_project_programs_to_allow (distillery_session_get_store (session), teacher_id, NULL)
    : NULL;

  if (commands == NULL || commands[0] == NULL)
    {
      callback (TRUE, NULL, data);
      return;
    }
  g_autofree char *list = g_strjoinv ("\n", commands);
  g_autofree char *body = g_strdup_printf (_("This experiment’s teacher runs programs that came with the project:\n\n%s\n\n"
                                             "They run with your permissions. Allow them only if you trust where "
                                             "the project came from."), list);
  Allowing *a = g_new0 (Allowing, 1);
  a->session = g_object_ref (session);
  a->commands = g_steal_pointer (&commands);
  a->callback = callback;
  a->data = data;
  distillery_confirm (parent, _("Allow the Teacher’s Programs to Run?"), body, _("_Cancel"),
                      _("_Allow and Run"), FALSE, programs_confirmed, a);
}

/* ---- File dialogs ------------------------------------------------- */

typedef struct
{
  DistilleryFilesChosen callback;
  gpointer              data;
} Choosing;

static void
chosen (Choosing *c, GListModel *files)
{
  c->callback (files != NULL && g_list_model_get_n_items (files) > 0 ? files : NULL, c->data);
  g_free (c);
}

#if GTK_CHECK_VERSION (4, 10, 0)
static void
dialog_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GtkFileDialog *dialog = GTK_FILE_DIALOG (source);
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GFile) file = NULL;
  const char *kind = g_object_get_data (source, "kind");

  if (g_strcmp0 (kind, "open-multiple") == 0)
    files = gtk_file_dialog_open_multiple_finish (dialog, result, NULL);
  else
    {
      file = g_str_equal (kind, "save") ? gtk_file_dialog_save_finish (dialog, result, NULL)
                                        : gtk_file_dialog_open_finish (dialog, result, NULL);
      if (file != NULL)
        {
          GListStore *store = g_list_store_new (G_TYPE_FILE);
          g_list_store_append (store, file);
          files = G_LIST_MODEL (store);
        }
    }
  chosen (data, files);
}
#else
static void
chooser_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  g_autoptr(GListModel) files = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
  chosen (data, files);
  g_object_unref (dialog);
}
#endif

void
distillery_choose_files (GtkWindow *parent, const char *kind, const char *title, const char *accept,
                         const char *suggested_name, GtkFileFilter *filter,
                         DistilleryFilesChosen callback, gpointer data)
{
  Choosing *c = g_new0 (Choosing, 1);
  c->callback = callback;
  c->data = data;

#if GTK_CHECK_VERSION (4, 10, 0)
  g_autoptr(GtkFileDialog) dialog = gtk_file_dialog_new ();
  gtk_file_dialog_set_title (dialog, title);
  gtk_file_dialog_set_accept_label (dialog, accept);
  if (filter != NULL)
    {
      g_autoptr(GListStore) filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
      g_list_store_append (filters, filter);
      gtk_file_dialog_set_filters (dialog, G_LIST_MODEL (filters));
      g_object_unref (filter);
    }
  g_object_set_data (G_OBJECT (dialog), "kind", (gpointer) kind);
  if (g_str_equal (kind, "save"))
    {
      gtk_file_dialog_set_initial_name (dialog, suggested_name);
      gtk_file_dialog_save (dialog, parent, NULL, dialog_done, c);
    }
  else if (g_str_equal (kind, "open-multiple"))
    gtk_file_dialog_open_multiple (dialog, parent, NULL, dialog_done, c);
  else
    gtk_file_dialog_open (dialog, parent, NULL, dialog_done, c);
#else
  gboolean save = g_str_equal (kind, "save");
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, parent,
                                                              save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                                   : GTK_FILE_CHOOSER_ACTION_OPEN,
                                                              accept, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), g_str_equal (kind, "open-multiple"));
  if (filter != NULL)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  if (save)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested_name);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response), c);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  if (filter != NULL)
    g_object_unref (filter);
#endif
}

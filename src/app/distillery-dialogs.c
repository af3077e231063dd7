/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The confirmation dialog; see distillery-dialogs.h. */

#include "config.h"

#include <adwaita.h>

#include "distillery-dialogs.h"

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

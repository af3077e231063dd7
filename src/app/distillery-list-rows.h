/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef struct _DistilleryListUpdate DistilleryListUpdate;

DistilleryListUpdate *distillery_list_update_begin (GtkListBox           *box);
gboolean              distillery_list_update_want  (DistilleryListUpdate *update,
                                                    const char           *key,
                                                    const char           *content);
void                  distillery_list_update_add   (DistilleryListUpdate *update,
                                                    GtkWidget            *row);
void                  distillery_list_update_end   (DistilleryListUpdate *update);

G_END_DECLS

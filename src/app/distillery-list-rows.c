/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lists that follow the project in place. The sidebar and the runs table
 * are read again whenever a run changes. Refilling a GtkListBox with new
 * rows is what costs: making a few dozen rows took 6-15 ms, and styling,
 * measuring and drawing them in the next frame 20-50 ms more, on our
 * two-core test machine while two runs trained (and it grew with the runs
 * of the project). So the lists are updated, not refilled. The caller
 * names each item in order by a key (what it stands for, unique in the
 * list) and its content (everything its row shows, as text); only an
 * item whose row is missing or shows something else gets a new row, and
 * the rows of items no longer named go:
 *
 *   DistilleryListUpdate *u = distillery_list_update_begin (box);
 *   for (each item)
 *     if (distillery_list_update_want (u, key, content))
 *       distillery_list_update_add (u, make_row (item));
 *   distillery_list_update_end (u);
 */
#include "config.h"

#include "distillery-list-rows.h"

#define KEY "distillery-row-key"
#define CONTENT "distillery-row-content"

typedef struct
{
  char      *key;
  GtkWidget *row;     /* the row kept, or the new one (a reference) */
  gboolean   is_new;
} Item;

struct _DistilleryListUpdate
{
  GtkListBox *box;
  GHashTable *old;    /* key → row the box has (keys of its rows) */
  GArray     *items;  /* Item, in order */
  char       *content; /* of the item wanted and not yet added */
};

static const char *
key_of (GtkWidget *row)
{
  return GTK_IS_LIST_BOX_ROW (row) ? g_object_get_data (G_OBJECT (row), KEY) : NULL;
}

static void
clear_item (gpointer data)
{
  Item *item = data;
  g_free (item->key);
  if (item->is_new)
    g_clear_object (&item->row);
}

DistilleryListUpdate *
distillery_list_update_begin (GtkListBox *box)
{
  DistilleryListUpdate *update = g_new0 (DistilleryListUpdate, 1);

  g_return_val_if_fail (GTK_IS_LIST_BOX (box), NULL);
  update->box = box;
  update->old = g_hash_table_new (g_str_hash, g_str_equal);
  update->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (update->items, clear_item);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (key_of (child) != NULL)
      g_hash_table_insert (update->old, (gpointer) key_of (child), child);
  return update;
}

/* The next item is KEY showing CONTENT. FALSE if its row is there as it
 * should be; TRUE if the caller must now make one and give it to
 * distillery_list_update_add(). */
gboolean
distillery_list_update_want (DistilleryListUpdate *update,
                             const char           *key,
                             const char           *content)
{
  Item item = { g_strdup (key), NULL, FALSE };
  GtkWidget *row = g_hash_table_lookup (update->old, key);

  g_return_val_if_fail (update->content == NULL, FALSE);
  if (row != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (row), CONTENT), content) == 0)
    {
      /* Kept, once: the key is taken from the table. */
      g_hash_table_remove (update->old, key);
      item.row = row;
      g_array_append_val (update->items, item);
      return FALSE;
    }
  g_array_append_val (update->items, item);
  update->content = g_strdup (content);
  return TRUE;
}

/* The new row of the item just wanted (a GtkListBoxRow, may be floating). */
void
distillery_list_update_add (DistilleryListUpdate *update,
                            GtkWidget            *row)
{
  Item *item;

  g_return_if_fail (GTK_IS_LIST_BOX_ROW (row) && update->content != NULL);
  item = &g_array_index (update->items, Item, update->items->len - 1);
  item->row = g_object_ref_sink (row);
  item->is_new = TRUE;
  g_object_set_data_full (G_OBJECT (row), KEY, g_strdup (item->key), g_free);
  g_object_set_data_full (G_OBJECT (row), CONTENT, g_steal_pointer (&update->content), g_free);
}

/* Makes the box show the items in order, and frees UPDATE. */
void
distillery_list_update_end (DistilleryListUpdate *update)
{
  GtkListBox *box = update->box;
  g_autoptr(GHashTable) kept = g_hash_table_new (NULL, NULL);

  g_return_if_fail (update->content == NULL);
  for (guint i = 0; i < update->items->len; i++)
    {
      Item *item = &g_array_index (update->items, Item, i);
      if (!item->is_new)
        g_hash_table_add (kept, item->row);
    }
  /* Away with the rows not kept (keyless ones, a placeholder's, stay). */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)), *next; child != NULL; child = next)
    {
      next = gtk_widget_get_next_sibling (child);
      if (key_of (child) != NULL && !g_hash_table_contains (kept, child))
        gtk_list_box_remove (box, child);
    }
  /* The kept rows are in the items' order unless an item moved (a
   * renamed experiment sorts elsewhere): its row is taken out and put
   * back in its place. */
  GtkWidget *cursor = gtk_widget_get_first_child (GTK_WIDGET (box));
  for (guint i = 0; i < update->items->len; i++)
    {
      Item *item = &g_array_index (update->items, Item, i);
      while (cursor != NULL && key_of (cursor) == NULL)
        cursor = gtk_widget_get_next_sibling (cursor);
      if (cursor == item->row)
        {
          cursor = gtk_widget_get_next_sibling (cursor);
          continue;
        }
      if (!item->is_new)
        {
          /* Moved: out of its place (a reference held), in at this one. */
          g_object_ref (item->row);
          gtk_list_box_remove (box, item->row);
          gtk_list_box_insert (box, item->row, (int) i);
          g_object_unref (item->row);
        }
      else
        gtk_list_box_insert (box, item->row, (int) i);
    }
  g_hash_table_unref (update->old);
  g_array_unref (update->items);
  g_free (update);
}

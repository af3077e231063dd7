/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Consents to run external programs; see distillery-consent.h. The file
 * is small and read whole each time: consents are asked for when a run
 * starts, not per question.
 */
#include "config.h"

#include "distillery-consent.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

G_LOCK_DEFINE_STATIC (consents);
static GHashTable *allowed_for_now;   /* absolute project paths */

static char *
consent_file (void)
{
  return g_build_filename (g_get_user_config_dir (), "distillery", "allowed-programs", NULL);
}

static char *
canonical (const char *path)
{
  return g_canonicalize_filename (path, NULL);
}

char *
distillery_consent_command (const char *const *argv)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      /* Quoted only where a shell would need it, so it reads as typed. */
      gboolean plain = *argv[i] != '\0';
      for (const char *p = argv[i]; *p != '\0' && plain; p++)
        plain = g_ascii_isalnum (*p) || strchr ("_-./=:,+@%", *p) != NULL;
      g_autofree char *quoted = plain ? g_strdup (argv[i]) : g_shell_quote (argv[i]);
      g_string_append_printf (s, "%s%s", i ? " " : "", quoted);
    }
  /* One line per consent: a command never spans two. */
  g_strdelimit (s->str, "\n\t", ' ');
  return g_string_free (s, FALSE);
}

gboolean
distillery_consent_is_allowed (const char *project_path, const char *command)
{
  g_autofree char *path = canonical (project_path);
  g_autofree char *file = consent_file ();
  g_autofree char *contents = NULL;
  g_autofree char *wanted = g_strdup_printf ("%s\t%s", path, command);
  gboolean allowed = FALSE;

  G_LOCK (consents);
  allowed = allowed_for_now != NULL && g_hash_table_contains (allowed_for_now, path);
  G_UNLOCK (consents);
  if (allowed || !g_file_get_contents (file, &contents, NULL, NULL))
    return allowed;
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  return g_strv_contains ((const char *const *) lines, wanted);
}

gboolean
distillery_consent_allow (const char *project_path, const char *command, GError **error)
{
  g_autofree char *path = canonical (project_path);
  g_autofree char *file = consent_file ();
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *contents = NULL;

  if (distillery_consent_is_allowed (project_path, command))
    return TRUE;
  g_file_get_contents (file, &contents, NULL, NULL);
  g_autofree char *updated = g_strdup_printf ("%s%s\t%s\n", contents ? contents : "", path, command);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (file, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

void
distillery_consent_allow_for_now (const char *project_path)
{
  G_LOCK (consents);
  if (allowed_for_now == NULL)
    allowed_for_now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (allowed_for_now, canonical (project_path));
  G_UNLOCK (consents);
}

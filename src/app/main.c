/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The `distillery` binary: sets up translations and runs the application.
 * Everything else lives in the distillery-app library so the tests can
 * drive the same code.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "distillery-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DistilleryApplication) app = NULL;

  /* Before GTK starts, so that --help is translated too. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = distillery_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

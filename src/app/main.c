/* SPDX-License-Identifier: GPL-3.0-or-later */

/* The `distillery` binary: sets up translations and runs the application.
 * Everything else lives in the distillery-app library so the tests can
 * drive the same code.
 */

#include "config.h"

#include "distillery-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DistilleryApplication) app = NULL;

  distillery_application_setup_translations ();
  app = distillery_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

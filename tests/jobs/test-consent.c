/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Consent to run a project's programs: nothing is allowed until allowed,
 * a consent covers one command of one project and survives the process
 * (it is a line in the user's configuration), and --allow-external's
 * consent covers a project's programs for this process only. The test's
 * configuration folder is a temporary one (G_TEST_OPTION_ISOLATE_DIRS).
 */
#include "config.h"

#include <string.h>

#include "distillery-consent.h"

static void
test_consent (void)
{
  const char *const argv[] = { "/usr/bin/python3", "teacher.py", "--data", "my file.csv", NULL };
  g_autofree char *command = distillery_consent_command (argv);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (command, ==, "/usr/bin/python3 teacher.py --data 'my file.csv'");
  g_assert_false (distillery_consent_is_allowed ("/tmp/a.distillery", command));
  g_assert_true (distillery_consent_allow ("/tmp/a.distillery", command, &error));
  g_assert_no_error (error);
  g_assert_true (distillery_consent_is_allowed ("/tmp/a.distillery", command));
  g_assert_true (distillery_consent_is_allowed ("/tmp/./a.distillery", command));
  g_assert_false (distillery_consent_is_allowed ("/tmp/b.distillery", command));
  g_assert_false (distillery_consent_is_allowed ("/tmp/a.distillery", "/bin/rm -rf /"));
  /* Allowing again adds nothing. */
  g_assert_true (distillery_consent_allow ("/tmp/a.distillery", command, &error));
  g_autofree char *file = g_build_filename (g_get_user_config_dir (), "distillery", "allowed-programs", NULL);
  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);

  distillery_consent_allow_for_now ("/tmp/b.distillery");
  g_assert_true (distillery_consent_is_allowed ("/tmp/b.distillery", "/bin/anything"));
  g_assert_false (distillery_consent_is_allowed ("/tmp/c.distillery", "/bin/anything"));
  g_free (contents);
  contents = NULL;
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "b.distillery"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/jobs/consent", test_consent);
  return g_test_run ();
}

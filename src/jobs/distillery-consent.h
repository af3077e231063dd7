/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Consent to run a project's external programs. A project file can come
 * from anyone, and a teacher of kind "program" runs a command line of the
 * file's choosing; so no such program starts until this user has allowed
 * that command for that project. Consents are kept in the user's
 * configuration folder (distillery/allowed-programs: one line per
 * consent, the project's absolute path, a tab, the command), shared by
 * the window and distillery-cli. A process may also allow a project's
 * programs for its own lifetime only (distillery-cli --allow-external).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* argv joined as a shell would show it, for people and for the file. */
char    *distillery_consent_command      (const char *const *argv);
gboolean distillery_consent_is_allowed   (const char *project_path, const char *command);
/* Remembers the consent; FALSE with an error when it cannot be saved. */
gboolean distillery_consent_allow        (const char *project_path, const char *command, GError **error);
/* Every program of this project, until the process ends; nothing saved. */
void     distillery_consent_allow_for_now (const char *project_path);

G_END_DECLS

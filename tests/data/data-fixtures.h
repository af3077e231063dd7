/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixture files for the data tests: written at test time into one scratch
 * folder, gzipped on request, and checked errors in one call. Broken
 * inputs are made here rather than committed, so each test shows exactly
 * what is wrong with its file.
 */
#pragma once

#include <glib.h>
#include <stdarg.h>

char   *fixture_write    (const char    *name,
                          const void    *data,
                          gsize          length);
char   *fixture_write_gz (const char    *name,
                          const void    *data,
                          gsize          length,
                          gsize          cut);
char   *fixture_folder   (void);
void    fixture_cleanup  (void);

void    assert_error_says  (const GError *error,
                            int           code,
                            ...) G_GNUC_NULL_TERMINATED;
void    assert_error_saysv (const GError *error,
                            int           code,
                            va_list       fragments);

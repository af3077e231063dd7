/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fixture files for the data tests: written at test time into one scratch
 * folder, gzipped on request, read back as the bytes a project file would
 * keep, and checks of errors and data sets in one call each. Broken inputs
 * are made here rather than committed, so each test shows exactly what is
 * wrong with its file.
 */
#pragma once

#include <glib.h>

#include "distillery-dataset.h"

char   *fixture_write        (const char              *name,
                              const void              *data,
                              gsize                    length);
char   *fixture_write_gz     (const char              *name,
                              const void              *data,
                              gsize                    length,
                              gsize                    cut);
GBytes *fixture_read         (const char              *path);
char   *fixture_folder       (void);
void    fixture_cleanup      (void);

void    assert_error_says     (const GError            *error,
                               int                      code,
                               ...) G_GNUC_NULL_TERMINATED;
void    assert_error_says_all (const GError            *error,
                               int                      code,
                               const char *const       *fragments);
void    assert_same_error     (const GError            *error,
                               const GError            *expected);
void    assert_same_dataset   (const DistilleryDataset *dataset,
                               const DistilleryDataset *expected);

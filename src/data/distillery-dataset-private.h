/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the loaders of src/data share, and what the tests reach into: whole
 * file reading with transparent gzip, from a path or from bytes in memory,
 * the number parser behind the CSV loader, and building a data set around
 * buffers already filled.
 */
#pragma once

#include "distillery-dataset.h"

G_BEGIN_DECLS

gboolean           _distillery_read_file    (const char *path,
                                             char      **contents,
                                             gsize      *length,
                                             GError    **error);
GBytes            *_distillery_read_bytes   (const char *path,
                                             GError    **error);
gboolean           _distillery_unpack       (GBytes     *file,
                                             const char *name,
                                             char      **contents,
                                             gsize      *length,
                                             GError    **error);
void               _distillery_prefault     (void       *buffer,
                                             gsize       size);
gboolean           _distillery_parse_number (const char *text,
                                             double     *value);
DistilleryDataset *_distillery_dataset_take (guint       n_samples,
                                             guint       n_features,
                                             guint       n_classes,
                                             float      *features,
                                             gint32     *labels);

G_END_DECLS

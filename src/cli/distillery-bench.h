/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `distillery-cli bench`: training throughput of the engine, and the peak
 * memory of a distillation run.
 */
#pragma once

#include <glib.h>

int      distillery_cli_bench    (int argc, char **argv);
/* Prints the peak memory of a KD run on `samples` random images, run by
 * `cli` (this program) in a child process, against the bytes it needs. */
gboolean distillery_bench_memory (const char *cli, guint32 samples, GError **error);

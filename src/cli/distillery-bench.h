/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `distillery-cli bench`: training throughput of the engine.
 */
#pragma once

int distillery_cli_bench (int argc, char **argv);

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * paths.h - what mip6lbd and the programs that talk to it agree on without
 * linking the daemon: its default paths, version and exit codes.
 */
#ifndef MIP6LB_PATHS_H
#define MIP6LB_PATHS_H

#ifndef MIP6LBD_VERSION
#define MIP6LBD_VERSION "0.1.0"
#endif

#define MIP6LBD_DEFAULT_CONFIG  "/etc/mip6lb/mip6lb.conf"
#define MIP6LBD_DEFAULT_PIN_DIR "/sys/fs/bpf/mip6lb"
#define MIP6LBD_DEFAULT_SOCKET  "/run/mip6lb/mip6lbd.sock"

/* Exit codes, the same for mip6lbd and mip6lbctl. */
#define MIP6LBD_EXIT_OK     0
#define MIP6LBD_EXIT_ERROR  1
#define MIP6LBD_EXIT_USAGE  2   /* bad usage or a rejected config */

#endif

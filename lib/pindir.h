/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pindir.h - directories for bpffs pins, shared by mip6lbd and mip6lb-decap.
 */
#ifndef MIP6LB_PINDIR_H
#define MIP6LB_PINDIR_H

#include <sys/types.h>

/* mkdir -p PATH with MODE for every directory it creates: 0 or -errno
 * (-ENAMETOOLONG past PATH_MAX). */
int mkdir_p(const char *path, mode_t mode);

#endif

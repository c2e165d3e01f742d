/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The project's version, STATIOND_VERSION in the Makefile, passed to the
 * compiler of every userspace object that includes this header (the
 * Manager's Version property, stationctl --version, the console).
 */
#ifndef STATIOND_SHARED_VERSION_H
#define STATIOND_SHARED_VERSION_H

#ifndef STATIOND_VERSION
#error "STATIOND_VERSION comes from the Makefile (-DSTATIOND_VERSION=...)"
#endif

#endif

/* libnc version: compile-time macros and the run-time library version. */
#ifndef NC_VERSION_H
#define NC_VERSION_H

#include "nc/export.h"

#define NC_VERSION_MAJOR 0
#define NC_VERSION_MINOR 1
#define NC_VERSION_PATCH 0
#define NC_VERSION_INT(a, b, c) (((a) << 16) | ((b) << 8) | (c))
#define NC_VERSION NC_VERSION_INT(NC_VERSION_MAJOR, NC_VERSION_MINOR, NC_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library linked at run time, as NC_VERSION_INT(). */
NC_API unsigned nc_version(void);
/* The same as a string, "0.1.0". */
NC_API const char *nc_version_string(void);

#ifdef __cplusplus
}
#endif
#endif

#include "nc/version.h"

#define NC_STR_(x) #x
#define NC_STR(x) NC_STR_(x)

unsigned nc_version(void)
{
    return NC_VERSION;
}

const char *nc_version_string(void)
{
    return NC_STR(NC_VERSION_MAJOR) "." NC_STR(NC_VERSION_MINOR) "." NC_STR(NC_VERSION_PATCH);
}

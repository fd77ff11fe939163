#include "nc/version.h"

unsigned nc_version(void)
{
    return NC_VERSION;
}

const char *nc_version_string(void)
{
    return NC_VERSION_STRING;
}

unsigned nc_version_api(void)
{
    return NC_API_VERSION;
}

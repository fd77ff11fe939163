#include "apps/common/output_file.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nc/error.h"
#include "nc/log.h"

int output_check_target(const char *path, int overwrite)
{
    struct stat st;
    if (overwrite || lstat(path, &st) != 0) return 0;
    nc_log(NULL, NC_LOG_ERROR, "%s: file exists (use -y to overwrite)", path);
    return NC_EEXIST;
}

int output_file_open(NCOutputFile *out, const char *target, int overwrite)
{
    int ret = output_check_target(target, overwrite);
    if (ret < 0) {
        memset(out, 0, sizeof(*out));
        return ret;
    }
    return nci_atomic_file_open(out, target, overwrite);
}

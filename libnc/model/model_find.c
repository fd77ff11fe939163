/* The model search order of DESIGN.md: explicit path, NC_MODEL_PATH, the install
 * prefix. No build-tree path is compiled in: tests and apps run from a build tree
 * find the shipped models through NC_MODEL_PATH (meson test sets it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libnc/model/model_format.h"
#include "nc/error.h"
#include "nc/log.h"

#ifndef NC_MODELS_INSTALL_DIR
#define NC_MODELS_INSTALL_DIR ""
#endif

static int is_dir(const char *path)
{
    struct stat st;
    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Loads dir/<id>.ncm (dir of len bytes) if it exists: 1 found (result in *ret), 0 not. */
static int try_dir(NCModel **out, const char *dir, size_t len, const char *id, int *ret)
{
    if (!len)
        return 0;
    char path[4096];
    if (len + strlen(id) + 6 > sizeof(path))
        return 0;
    snprintf(path, sizeof(path), "%.*s/%s.ncm", (int)len, dir, id);
    if (!is_file(path)) {
        nc_log(NULL, NC_LOG_VERBOSE, "model: no %s", path);
        return 0;
    }
    *ret = nc_model_load_file(out, path);
    return 1;
}

static int check_id(NCModel **out, const char *id, int ret)
{
    if (ret >= 0 && strcmp(nc_model_id(*out), id)) {
        nc_log(NULL, NC_LOG_ERROR, "model: looked for %s, the file holds %s", id,
               nc_model_id(*out));
        nc_model_free(out);
        return NC_EMODEL;
    }
    return ret;
}

int nc_model_find(NCModel **out, const char *id, const char *explicit_path)
{
    if (!out || !id)
        return NC_EINVAL;
    *out = NULL;
    if (!ncm_valid_id(id, strlen(id), NC_MODEL_MAX_ID)) {
        nc_log(NULL, NC_LOG_ERROR, "model: invalid model id");
        return NC_EINVAL;
    }
    int ret = 0;
    if (explicit_path) {
        if (is_dir(explicit_path)) {
            if (try_dir(out, explicit_path, strlen(explicit_path), id, &ret))
                return check_id(out, id, ret);
            nc_log(NULL, NC_LOG_ERROR, "model: no %s.ncm in %s", id, explicit_path);
            return NC_EMODEL;
        }
        return check_id(out, id, nc_model_load_file(out, explicit_path));
    }
    const char *env = getenv("NC_MODEL_PATH");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (try_dir(out, p, len, id, &ret))
            return check_id(out, id, ret);
        p += len + (colon != NULL);
    }
    if (try_dir(out, NC_MODELS_INSTALL_DIR, strlen(NC_MODELS_INSTALL_DIR), id, &ret))
        return check_id(out, id, ret);
    nc_log(NULL, NC_LOG_ERROR,
           "model: %s.ncm not found in NC_MODEL_PATH (%s) or %s; train it with "
           "nc-train or pass its path",
           id, env ? env : "unset", NC_MODELS_INSTALL_DIR);
    return NC_EMODEL;
}

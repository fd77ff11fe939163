/* The model search order of DESIGN.md: explicit path, NC_MODEL_PATH, the install
 * prefix. No build-tree path is compiled in: tests and apps run from a build tree
 * find the shipped models through NC_MODEL_PATH (meson test sets it). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libnc/codec_internal.h"
#include "libnc/model_header.h"
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

/* Calls visit(dir, len, opaque) for each folder of the search order (those of
 * NC_MODEL_PATH, then the install folder) until it returns non-zero; returns that. */
static int for_each_search_dir(int (*visit)(const char *dir, size_t len, void *opaque),
                               void *opaque)
{
    const char *env = getenv("NC_MODEL_PATH");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        int done = len ? visit(p, len, opaque) : 0;
        if (done) return done;
        p += len + (colon != NULL);
    }
    size_t len = strlen(NC_MODELS_INSTALL_DIR);
    return len ? visit(NC_MODELS_INSTALL_DIR, len, opaque) : 0;
}

typedef struct FindJob {
    NCModel **out;
    const char *id;
    int ret;
} FindJob;

static int find_in_dir(const char *dir, size_t len, void *opaque)
{
    FindJob *job = opaque;
    return try_dir(job->out, dir, len, job->id, &job->ret);
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

int nci_codec_find_model(NCCodecContext *ctx, NCModel **model, const char *id, const char *path,
                         const NCIModelPin *pin)
{
    int ret = nc_model_find(model, id, path && *path ? path : NULL);
    if (ret < 0) {
        nc_log(ctx, NC_LOG_ERROR, "cannot load model %s", id);
        return ret;
    }
    if (pin && (ret = nci_model_pin_check(ctx, *model, pin)) < 0) {
        nc_model_free(model);
        return ret;
    }
    if (ctx) {
        snprintf(ctx->model_id, sizeof(ctx->model_id), "%s", id);
        nc_log(ctx, NC_LOG_VERBOSE, "model %s", id);
    }
    return 0;
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
    FindJob job = {out, id, 0};
    if (for_each_search_dir(find_in_dir, &job))
        return check_id(out, id, job.ret);
    const char *env = getenv("NC_MODEL_PATH");
    nc_log(NULL, NC_LOG_ERROR,
           "model: %s.ncm not found in NC_MODEL_PATH (%s) or %s; train it with "
           "nc-train or pass its path",
           id, env ? env : "unset", NC_MODELS_INSTALL_DIR);
    return NC_EMODEL;
}

/* The "> " line near the top of the card dir/<id>.md, or "". */
static void read_summary(const char *dir, size_t len, const char *id, char *out, size_t size)
{
    char path[4096], line[512];
    out[0] = 0;
    snprintf(path, sizeof(path), "%.*s/%s.md", (int)len, dir, id);
    FILE *f = fopen(path, "r");
    if (!f) return;
    for (int n = 0; n < 10 && fgets(line, sizeof(line), f); n++) {
        if (strncmp(line, "> ", 2)) continue;
        size_t end = strcspn(line + 2, "\r\n");
        snprintf(out, size, "%.*s", (int)end, line + 2);
        break;
    }
    fclose(f);
}

typedef struct ListJob {
    NCModelEntry *entries;
    size_t count, cap;
    int ret;
} ListJob;

static int listed_already(const ListJob *job, const char *id)
{
    for (size_t i = 0; i < job->count; i++)
        if (!strcmp(job->entries[i].id, id)) return 1;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds dir/<id>.ncm when it loads and holds model id (what nc_model_find() would
 * load for id, were no earlier folder to have it). */
static int list_file(ListJob *job, const char *dir, size_t len, const char *name)
{
    char id[NC_MODEL_MAX_ID + 1], path[4096];
    size_t n = strlen(name) - 4;
    if (n > NC_MODEL_MAX_ID || len + strlen(name) + 2 > sizeof(path)) return 0;
    snprintf(id, sizeof(id), "%.*s", (int)n, name);
    snprintf(path, sizeof(path), "%.*s/%s", (int)len, dir, name);
    NCModel *model = NULL;
    if (listed_already(job, id) || !is_file(path) || nc_model_load_file(&model, path) < 0) return 0;
    int ok = !strcmp(nc_model_id(model), id);
    if (ok && job->count == job->cap) {
        size_t cap = job->cap ? job->cap * 2 : 8;
        NCModelEntry *grown = realloc(job->entries, cap * sizeof(*grown));
        if (!grown) {
            nc_model_free(&model);
            job->ret = NC_ENOMEM;
            return 1;
        }
        job->entries = grown, job->cap = cap;
    }
    if (ok) {
        NCModelEntry *e = &job->entries[job->count++];
        memset(e, 0, sizeof(*e));
        snprintf(e->id, sizeof(e->id), "%s", id);
        snprintf(e->arch, sizeof(e->arch), "%s", nc_model_arch(model));
        snprintf(e->path, sizeof(e->path), "%s", path);
        struct stat st;
        e->size = stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
        read_summary(dir, len, id, e->summary, sizeof(e->summary));
    }
    nc_model_free(&model);
    return 0;
}

static int list_dir(const char *dir, size_t len, void *opaque)
{
    ListJob *job = opaque;
    char path[4096];
    if (len >= sizeof(path)) return 0;
    snprintf(path, sizeof(path), "%.*s", (int)len, dir);
    DIR *d = opendir(path);
    if (!d) return 0;
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (struct dirent *ent; (ent = readdir(d)) != NULL;) {
        size_t n = strlen(ent->d_name);
        if (n <= 4 || strcmp(ent->d_name + n - 4, ".ncm")) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof(*names));
            if (!grown) break;
            names = grown;
        }
        if (!(names[count] = strdup(ent->d_name))) break;
        count++;
    }
    closedir(d);
    qsort(names, count, sizeof(*names), compare_names); /* readdir's order is the file system's */
    int stop = 0;
    for (size_t i = 0; i < count; i++) {
        if (!stop) stop = list_file(job, dir, len, names[i]);
        free(names[i]);
    }
    free(names);
    return stop;
}

int nc_model_list(NCModelEntry **entries, size_t *count)
{
    if (!entries || !count) return NC_EINVAL;
    ListJob job = {0};
    for_each_search_dir(list_dir, &job);
    if (job.ret < 0) {
        free(job.entries);
        job.entries = NULL, job.count = 0;
    }
    *entries = job.entries;
    *count = job.count;
    return job.ret;
}

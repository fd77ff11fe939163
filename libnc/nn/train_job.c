#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libnc/nn/train_job.h"
#include "nc/error.h"
#include "nc/log.h"

const char *train_option(const NCTrainJob *job, const char *key)
{
    size_t len = strlen(key);
    const char *found = NULL;
    for (int i = 0; i < job->n_options; i++) /* the last one given wins */
        if (!strncmp(job->options[i], key, len) && job->options[i][len] == '=')
            found = job->options[i] + len + 1;
    return found;
}

int train_option_int(const NCTrainJob *job, const char *key, int64_t def, int64_t min,
                        int64_t max, int64_t *out)
{
    const char *v = train_option(job, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno || x < min || x > max) {
        nc_log(NULL, NC_LOG_ERROR, "option %s=%s: want an integer in [%lld, %lld]\n", key, v,
               (long long)min, (long long)max);
        return NC_EINVAL;
    }
    *out = x;
    return 0;
}

int train_option_float(const NCTrainJob *job, const char *key, double def, double min,
                          double max, double *out)
{
    const char *v = train_option(job, key);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno || !(x >= min && x <= max)) {
        nc_log(NULL, NC_LOG_ERROR, "option %s=%s: want a number in [%g, %g]\n", key, v, min, max);
        return NC_EINVAL;
    }
    *out = x;
    return 0;
}

int train_check_options(const NCTrainJob *job, const char *const *known)
{
    for (int i = 0; i < job->n_options; i++) {
        const char *eq = strchr(job->options[i], '=');
        size_t len = eq ? (size_t)(eq - job->options[i]) : 0;
        int found = 0;
        for (int k = 0; len && known[k] && !found; k++)
            found = strlen(known[k]) == len && !strncmp(known[k], job->options[i], len);
        if (!found) {
            nc_log(NULL, NC_LOG_ERROR, "unknown training option %s\n", job->options[i]);
            return NC_EINVAL;
        }
    }
    return 0;
}

static int save_checkpoint(const NCTrainJob *job, const char *arch, NNParams *ps, NNOptim *o,
                           const NNRng *rng)
{
    uint64_t user[1] = {rng->state};
    int ret = nn_checkpoint_save(job->checkpoint_path, arch, ps, o, user, 1);
    if (ret < 0)
        nc_log(NULL, NC_LOG_ERROR, "cannot write checkpoint %s\n", job->checkpoint_path);
    return ret;
}

int train_run(const NCTrainJob *job, const char *arch, NNParams *ps, NNOptim *o,
                 const NNSchedule *sched, int64_t total, NNStepFn fn, void *ctx,
                 double *final_loss)
{
    NNRng rng;
    nn_rng_seed(&rng, job->seed);
    if (job->resume_path) {
        uint64_t user[1];
        int ret = nn_checkpoint_load(job->resume_path, arch, ps, o, user, 1);
        if (ret < 0)
            return ret;
        rng.state = user[0];
        nc_log(NULL, NC_LOG_INFO, "resumed at step %lld\n", (long long)o->step);
    }
    NNGraph *g = nn_graph_alloc();
    if (!g)
        return NC_ENOMEM;
    int64_t every = job->checkpoint_every > 0 ? job->checkpoint_every : 500;
    double recent = 0;
    int n_recent = 0, ret = 0;
    while (o->step < total) {
        int64_t step = o->step;
        nn_graph_reset(g);
        NNTensor *loss = fn(ctx, g, step, &rng);
        ret = nn_backward(g, loss);
        if (ret >= 0 && !(loss->data[0] == loss->data[0])) {
            nc_log(NULL, NC_LOG_ERROR, "loss is NaN at step %lld\n", (long long)step);
            ret = NC_ERANGE;
        }
        if (ret < 0)
            break;
        /* a short running mean, so the printed loss does not jump with each batch */
        recent = n_recent < 50 ? recent + loss->data[0] : recent * 0.98 + loss->data[0];
        n_recent += n_recent < 50;
        double shown = n_recent < 50 ? recent / n_recent : recent * 0.02;
        ret = nn_optim_step(o, ps, nn_schedule_lr(sched, step));
        if (ret < 0)
            break;
        if (job->progress)
            job->progress(job->opaque, o->step, total, shown);
        if (final_loss)
            *final_loss = shown;
        int stop = (job->stop && *job->stop) || (job->stop_at > 0 && o->step >= job->stop_at);
        if (o->step % every == 0 || o->step == total || stop) {
            ret = save_checkpoint(job, arch, ps, o, &rng);
            if (ret < 0)
                break;
        }
        if (stop && o->step < total) {
            ret = NC_EAGAIN;
            break;
        }
    }
    nn_graph_free(&g);
    return ret;
}

int train_model_id(const NCTrainJob *job, char id[64])
{
    const char *base = strrchr(job->out_path, '/');
    base = base ? base + 1 : job->out_path;
    size_t len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".ncm"))
        len -= 4;
    int ok = len >= 1 && len <= 63;
    for (size_t i = 0; ok && i < len; i++) {
        char c = base[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        nc_log(NULL, NC_LOG_ERROR, "%s: the model file name (its id) may use only "
               "[A-Za-z0-9._-], at most 63 of them, and should end in .ncm\n", job->out_path);
        return NC_EINVAL;
    }
    memcpy(id, base, len);
    id[len] = 0;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int train_read_dir(const char *dir, size_t max_bytes, uint8_t **data, size_t *size)
{
    DIR *d = opendir(dir);
    if (!d) {
        nc_log(NULL, NC_LOG_ERROR, "%s: %s\n", dir, strerror(errno));
        return NC_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int ret = 0;
    while ((e = readdir(d)) && ret == 0) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, sizeof(*names) * cap);
            if (!grown) {
                ret = NC_ENOMEM;
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name)))
            ret = NC_ENOMEM;
        else
            n++;
    }
    closedir(d);
    if (names)
        qsort(names, n, sizeof(*names), cmp_str);
    uint8_t *buf = NULL;
    size_t used = 0;
    for (size_t i = 0; i < n && ret == 0 && used < max_bytes; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) || !S_ISREG(st.st_mode))
            continue;
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t want = (size_t)st.st_size < max_bytes - used ? (size_t)st.st_size : max_bytes - used;
        uint8_t *grown = realloc(buf, used + want + 1);
        if (!grown) {
            ret = NC_ENOMEM;
        } else {
            buf = grown;
            used += fread(buf + used, 1, want, f);
        }
        fclose(f);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (ret == 0 && used == 0) {
        nc_log(NULL, NC_LOG_ERROR, "%s: no training files\n", dir);
        ret = NC_EINVAL;
    }
    if (ret < 0) {
        free(buf);
        return ret;
    }
    *data = buf;
    *size = used;
    return 0;
}

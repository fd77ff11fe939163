#include "apps/common/codec_help.h"

#include <stdlib.h>
#include <string.h>

#include "apps/common/cli.h"
#include "libnc/text.h"
#include "nc/model.h"
#include "nc/options.h"

static void capabilities(unsigned caps, char *buf, size_t size)
{
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {{NC_CODEC_CAP_LOSSLESS, "lossless"},
                 {NC_CODEC_CAP_STREAMING, "streaming"},
                 {NC_CODEC_CAP_DELAY, "delay"},
                 {NC_CODEC_CAP_THREADS, "threads"}};
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(caps & names[i].flag)) continue;
        if (buf[0]) strncat(buf, ",", size - strlen(buf) - 1);
        strncat(buf, names[i].name, size - strlen(buf) - 1);
    }
    if (!buf[0]) snprintf(buf, size, "-");
}

int codec_apply_options(NCCodecContext *ctx, const char *const *options, int n,
                           const char *help_hint)
{
    const char *name = ctx->codec->name;
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(options[i], '=');
        char key[64];
        snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - options[i]) : 0, options[i]);
        if (!eq || !nc_opt_find(ctx->codec, key)) {
            cli_error("%s has no option '%s' (%s lists them)", name, key, help_hint);
            return NC_ENOOPT;
        }
        cli_clear_reason();
        int ret = nc_opt_set(ctx, key, eq + 1);
        if (ret < 0) return cli_fail(ret, "%s: -o %s", name, options[i]);
    }
    return 0;
}

void codec_help_list(FILE *out, int is_encoder)
{
    fprintf(out, "%-16s %-6s %-26s %s\n", "NAME", "MEDIA", "CAPABILITIES", "DESCRIPTION");
    void *it = NULL;
    const NCCodec *c;
    int n = 0;
    while ((c = nc_codec_iterate(&it))) {
        if (nc_codec_is_encoder(c) != !!is_encoder) continue;
        char caps[64];
        capabilities(c->capabilities, caps, sizeof(caps));
        fprintf(out, "%-16s %-6s %-26s %s\n", c->name, nc_media_type_name(c->media_type), caps,
                c->long_name ? c->long_name : "");
        n++;
    }
    if (n == 0) fprintf(out, "(no %s in this build)\n", is_encoder ? "encoders" : "decoders");
}

static const char *type_name(enum NCOptionType type)
{
    switch (type) {
    case NC_OPT_INT: return "int";
    case NC_OPT_FLOAT: return "float";
    case NC_OPT_BOOL: return "bool";
    case NC_OPT_STRING: return "string";
    case NC_OPT_ENUM: return "enum";
    default: return "?";
    }
}

/* "1 to 9 bit/s", "0.5 to 2", "at most 64 bytes", or "" for enums and bools. */
static void range_text(const NCOption *opt, char *buf, size_t size)
{
    double min, max;
    buf[0] = '\0';
    if (opt->type == NC_OPT_STRING) {
        if (opt->max > 0) snprintf(buf, size, "at most %.0f bytes", opt->max);
    } else if ((opt->type == NC_OPT_INT || opt->type == NC_OPT_FLOAT) &&
               nc_opt_get_bounds(opt, &min, &max) == 0) {
        snprintf(buf, size, "%.*g to %.*g%s%s", 15, min, 15, max, opt->unit ? " " : "",
                 opt->unit ? opt->unit : "");
    }
}

void codec_help_options(FILE *out, const NCCodec *codec)
{
    fprintf(out, "%s: %s\n", codec->name, codec->long_name ? codec->long_name : "");
    fprintf(out, "  %s %s\n", nc_codec_is_encoder(codec) ? "encoder," : "decoder,",
            nc_media_type_name(codec->media_type));
    if (codec->sample_rates) {
        fprintf(out, "  sample rates:");
        for (const int *r = codec->sample_rates; *r; r++) fprintf(out, " %d", *r);
        fprintf(out, " Hz\n");
    }
    if (codec->channel_counts) {
        fprintf(out, "  channels:");
        for (const int *c = codec->channel_counts; *c; c++) fprintf(out, " %d", *c);
        fprintf(out, "\n");
    }
    if (codec->pix_fmts) {
        fprintf(out, "  pixel formats:");
        for (const enum NCPixelFormat *p = codec->pix_fmts; *p != NC_PIX_NONE; p++)
            fprintf(out, " %s", nc_pix_fmt_name(*p) ? nc_pix_fmt_name(*p) : "?");
        fprintf(out, "\n");
    }
    const NCOption *opt = nc_opt_next(codec, NULL);
    if (!opt) {
        fprintf(out, "No options.\n");
        return;
    }
    fprintf(out, "Options (-o NAME=VALUE):\n");
    for (; opt; opt = nc_opt_next(codec, opt)) {
        char range[96], def[128];
        range_text(opt, range, sizeof(range));
        if (nc_opt_default_string(opt, def, sizeof(def)) < 0) snprintf(def, sizeof(def), "?");
        fprintf(out, "  %-20s <%s>  %s\n", opt->name, type_name(opt->type),
                opt->help ? opt->help : "");
        fprintf(out, "  %-20s %s%sdefault %s\n", "", range, range[0] ? ", " : "", def);
        if (opt->type == NC_OPT_ENUM && opt->enum_values)
            for (const NCOptionEnumValue *e = opt->enum_values; e->name; e++)
                fprintf(out, "  %-20s   %-12s %s\n", "", e->name, e->help ? e->help : "");
    }
}

/* Appends word to the comma-separated list in buf unless it is there already. */
static void add_word(char *buf, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = buf; (p = strstr(p, word)) != NULL; p += n)
        if ((p == buf || p[-1] == ',') && (p[n] == ',' || !p[n])) return;
    if (buf[0]) strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, word, size - strlen(buf) - 1);
}

int codec_help_models(FILE *out)
{
    NCModelEntry *models;
    size_t count;
    int ret = nc_model_list(&models, &count);
    if (ret < 0) return ret;
    fprintf(out, "%-20s %-28s %-12s %8s  %s\n", "MODEL", "CODECS", "MEDIA", "SIZE", "SUMMARY");
    for (size_t i = 0; i < count; i++) {
        const NCModelEntry *m = &models[i];
        char codecs[128] = "", media[64] = "";
        void *it = NULL;
        for (const NCCodec *c; (c = nc_codec_iterate(&it));) {
            if (!nc_codec_is_encoder(c) || !c->model_arch || strcmp(c->model_arch, m->arch)) continue;
            /* the codec's own default marks the model, so no card has to say it */
            const NCOption *opt = nc_opt_find(c, "model");
            char def[sizeof(m->id)], name[64];
            int is_default = opt && nc_opt_default_string(opt, def, sizeof(def)) >= 0 &&
                             !strcmp(def, m->id);
            snprintf(name, sizeof(name), "%s%s", c->name, is_default ? "*" : "");
            add_word(codecs, sizeof(codecs), name);
            add_word(media, sizeof(media), nc_media_type_name(c->media_type));
        }
        char size[32];
        if (m->size >= 1 << 20) snprintf(size, sizeof(size), "%.1f MB", m->size / 1048576.0);
        else snprintf(size, sizeof(size), "%.0f kB", m->size / 1024.0);
        char summary[sizeof(m->summary)], path[sizeof(m->path)];
        fprintf(out, "%-20s %-28s %-12s %8s  %s\n%-20s %s\n", m->id, codecs[0] ? codecs : "-",
                media[0] ? media : "-", size, nc_text_escape(summary, sizeof(summary), m->summary),
                "", nc_text_escape(path, sizeof(path), m->path));
    }
    if (count == 0) fprintf(out, "(none: NC_MODEL_PATH and the install folder hold no model)\n");
    else fprintf(out, "*: the codec's default model (its model option's default)\n");
    free(models);
    return (int)count;
}

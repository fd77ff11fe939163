/* nc-train: trains a codec's model from a data folder and writes it as .ncm. The
 * codec's trainer (codecs/trainers.c) owns the recipe; this program parses the
 * command line, shows progress with the loss and time left, checkpoints on
 * Ctrl-C and resumes with --resume. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/common/cli.h"
#include "apps/common/output_file.h"
#include "apps/common/progress.h"
#include "codecs/trainers.h"
#include "libnc/nn/ops.h"
#include "nc/nc.h"

#define MAX_OPTIONS 64

static volatile int stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(void)
{
    printf("Usage: nc-train CODEC --data DIR --out MODEL.ncm [options]\n"
           "Trains CODEC's model on the files in DIR and writes MODEL.ncm (its id is the\n"
           "file name without .ncm). Checkpoints go to MODEL.ncm.ckpt; Ctrl-C writes one\n"
           "and stops, and --resume continues exactly where it stopped.\n\n"
           "  -d, --data DIR          training data (never the test split)\n"
           "  -O, --out MODEL.ncm     the model to write\n"
           "  -n, --steps N           training steps (default: the trainer's)\n"
           "  -r, --resume CKPT       continue from a checkpoint\n"
           "  -s, --seed S            random seed (default 1)\n"
           "  -t, --threads N         GEMM threads (default: OpenBLAS's)\n"
           "  -c, --checkpoint-every N  steps between checkpoints (default 500)\n"
           "      --stop-at N         stop after step N as Ctrl-C would (train in parts)\n"
           "  -o KEY=VALUE            a trainer option (repeatable)\n"
           "  -y, --overwrite         replace an existing MODEL.ncm\n"
           "  -l, --list              list the trainers and their options\n"
           "  -q, --quiet             print errors only (no progress bar)\n"
           "  -v, --verbose           say more\n"
           "  -h, --help              this help\n"
           "  -V, --version           print the version\n\n"
           "Exit status: 0 when trained, 1 on failure, 3 when interrupted (resumable).\n");
}

static void list_trainers(void)
{
    for (int i = 0; trainer_table[i]; i++) {
        printf("%s\n  ", trainer_table[i]->name);
        for (const char *h = trainer_table[i]->help; *h; h++) /* indent every help line */
            fputs(*h == '\n' ? "\n  " : (char[]){*h, 0}, stdout);
        printf("\n\n");
    }
}

typedef struct TrainProgress {
    NCProgress bar;
    char label[64];
} TrainProgress;

static void on_progress(void *opaque, int64_t step, int64_t total, double loss)
{
    TrainProgress *p = opaque;
    if (!p->bar.enabled)
        return;
    p->bar.total = total;
    snprintf(p->label, sizeof(p->label), "loss %.5g", loss);
    progress_update(&p->bar, step);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'}, {"out", required_argument, NULL, 'O'},
        {"steps", required_argument, NULL, 'n'}, {"resume", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'}, {"threads", required_argument, NULL, 't'},
        {"checkpoint-every", required_argument, NULL, 'c'},
        {"stop-at", required_argument, NULL, 'S'}, {"overwrite", no_argument, NULL, 'y'},
        {"list", no_argument, NULL, 'l'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    /* before anything else runs: the right OpenBLAS kernels make training 4-5x faster */
    nn_blas_restart_tuned(argv);
    cli_init(argv[0]);
    NCTrainJob job;
    memset(&job, 0, sizeof(job));
    job.seed = 1;
    const char *options[MAX_OPTIONS];
    long value, threads = 0;
    int overwrite = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:O:n:r:s:t:c:o:ylqvhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': job.data_dir = optarg; break;
        case 'O': job.out_path = optarg; break;
        case 'r': job.resume_path = optarg; break;
        case 'n':
            if (cli_parse_int(optarg, 1, 1000000000L, &value) < 0)
                return cli_usage_error("--steps wants a positive integer");
            job.steps = value;
            break;
        case 's':
            if (cli_parse_int(optarg, 0, 0x7fffffffL, &value) < 0)
                return cli_usage_error("--seed wants an integer in [0, 2^31)");
            job.seed = (uint64_t)value;
            break;
        case 't':
            if (cli_parse_int(optarg, 1, 256, &threads) < 0)
                return cli_usage_error("--threads wants an integer in [1, 256]");
            break;
        case 'c':
            if (cli_parse_int(optarg, 1, 1000000000L, &value) < 0)
                return cli_usage_error("--checkpoint-every wants a positive integer");
            job.checkpoint_every = value;
            break;
        case 'S':
            if (cli_parse_int(optarg, 1, 1000000000L, &value) < 0)
                return cli_usage_error("--stop-at wants a positive integer");
            job.stop_at = value;
            break;
        case 'o':
            if (job.n_options == MAX_OPTIONS || !strchr(optarg, '='))
                return cli_usage_error("-o wants KEY=VALUE (at most %d)", MAX_OPTIONS);
            options[job.n_options++] = optarg;
            break;
        case 'y': overwrite = 1; break;
        case 'l': list_trainers(); return NC_EXIT_OK;
        case 'q': cli_set_quiet(); break;
        case 'v': cli_set_verbose(); break;
        case 'h': usage(); return NC_EXIT_OK;
        case 'V': cli_print_version(); return NC_EXIT_OK;
        default: return cli_bad_option(c, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(argc - optind < 1 ? "expected CODEC" : "too many arguments");
    const NCTrainer *trainer = trainer_find(argv[optind]);
    if (!trainer) {
        cli_error("no trainer for %s (nc-train --list shows them)", argv[optind]);
        return NC_EXIT_FAILURE;
    }
    if (!job.data_dir || !job.out_path)
        return cli_usage_error("--data and --out are required");
    cli_clear_reason();
    /* a resumed run rewrites its own output, so only a fresh run needs -y */
    if (!job.resume_path && output_check_target(job.out_path, overwrite) < 0)
        return cli_fail(NC_EEXIST, "%s", job.out_path), NC_EXIT_FAILURE;
    size_t n = strlen(job.out_path) + 6;
    char *ckpt = malloc(n);
    if (!ckpt)
        return NC_EXIT_FAILURE;
    snprintf(ckpt, n, "%s.ckpt", job.out_path);
    job.checkpoint_path = ckpt;
    job.options = options;
    job.stop = &stop_requested;
    nn_set_threads((int)threads);

    TrainProgress progress;
    memset(&progress, 0, sizeof(progress));
    progress_start(&progress.bar, progress.label, "steps", job.steps);
    snprintf(progress.label, sizeof(progress.label), "training");
    job.progress = on_progress;
    job.opaque = &progress;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    int ret = trainer->train(&job);
    progress_finish(&progress.bar);
    int status = NC_EXIT_OK;
    if (ret == NC_EAGAIN) {
        cli_error("interrupted; resume with: --resume %s", ckpt);
        status = 3;
    } else if (ret < 0) {
        cli_fail(ret, "training %s", trainer->name);
        status = NC_EXIT_FAILURE;
    } else if (!cli_is_quiet()) {
        fprintf(stderr, "%s: wrote %s\n", cli_program(), job.out_path);
    }
    free(ckpt);
    return status;
}

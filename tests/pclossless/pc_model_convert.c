/* pc_model_convert OLD.ncm NEW.ncm: rewrites a pclossless model of the unpacked form
 * (tensors edge and leaf, written before the packed form) in the packed form the codec
 * reads, with the same id, parameters and integers (pc_model_convert() in
 * codecs/pclossless/pc_model.h), checks that NEW.ncm's coding tables equal OLD.ncm's
 * value for value, and prints both sizes and content hashes (the SHA-256 that stream
 * headers carry). Exit status 0 only when all of that holds. */
#include <stdio.h>

#include "codecs/pclossless/pc_model.h"
#include "nc/error.h"
#include "nc/model.h"

static void print_model(const char *what, const char *path)
{
    NCModel *m = NULL;
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && !fseek(f, 0, SEEK_END)) size = ftell(f);
    if (f) fclose(f);
    if (nc_model_load_file(&m, path) < 0) return;
    printf("%s %s: %ld bytes, content sha256 ", what, path, size);
    const uint8_t *sha = nc_model_sha256(m);
    for (int i = 0; i < NC_MODEL_SHA256_SIZE; i++)
        printf("%02x", sha[i]);
    printf("\n");
    nc_model_free(&m);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OLD.ncm NEW.ncm\n", argv[0]);
        return 2;
    }
    int ret = pc_model_convert(argv[1], argv[2]);
    if (ret < 0) {
        fprintf(stderr, "pc_model_convert: %s -> %s failed: %s\n", argv[1], argv[2],
                nc_strerror(ret));
        return 1;
    }
    print_model("old", argv[1]);
    print_model("new", argv[2]);
    printf("coding tables identical: yes\n");
    return 0;
}

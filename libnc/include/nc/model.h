/* Model files (.ncm): trained networks with an id, an architecture name,
 * hyper-parameters and named tensors, sealed by a SHA-256 of their content.
 * The format is specified in conformance/spec/model.md.
 *
 * Loading:
 *     NCModel *m;
 *     int r = nc_model_find(&m, "pclossless-gray", NULL);  // search order below
 *     const NCModelTensor *w = nc_model_tensor(m, "layer0.weight");
 *     ...
 *     nc_model_free(&m);
 *
 * A codec writes nc_model_id() and nc_model_sha256() into its stream header; the
 * decoder calls nc_model_check() with them and refuses a different model.
 *
 * Writing (experimental API: declared only when NC_EXPERIMENTAL_API is defined
 * before the include; it may change in any release, see APIchanges):
 *     NCModelWriter *w = nc_model_writer_alloc("demo-small", "conv1d-demo");
 *     nc_model_writer_set_param_int(w, "channels", 16);
 *     nc_model_writer_add_f32(w, "conv0.weight", 3, dims, data, NC_MODEL_F16);
 *     nc_model_writer_write_file(w, "demo-small.ncm");  // atomic: temp file + rename
 *     nc_model_writer_free(&w);
 *
 * A loaded model is read-only and may be shared by threads. */
#ifndef NC_MODEL_H
#define NC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "nc/export.h"

#define NC_MODEL_SHA256_SIZE 32
#define NC_MODEL_MAX_DIMS 8
#define NC_MODEL_MAX_ID 63 /* bytes of an id or architecture name */

enum NCModelDType {
    NC_MODEL_F32 = 1,
    NC_MODEL_F16 = 2,
    NC_MODEL_I8 = 3, /* int8 with one f32 scale per row (dims[0]) */
    NC_MODEL_I16 = 4,
    NC_MODEL_I32 = 5,
};

typedef struct NCModelTensor {
    const char *name;
    enum NCModelDType dtype;
    int ndim;
    int64_t dims[NC_MODEL_MAX_DIMS];
    int64_t numel;
    /* The elements, 64-byte aligned, in the dtype's type (int8 values for
     * NC_MODEL_I8); valid as long as the model. */
    const void *data;
    /* NC_MODEL_I8 only: dims[0] scales (1 for a scalar); NULL otherwise. */
    const float *scales;
} NCModelTensor;

typedef struct NCModel NCModel;
typedef struct NCModelWriter NCModelWriter;

#ifdef __cplusplus
extern "C" {
#endif

/* Loads and verifies the file at path. NC_EIO if it cannot be read, NC_EMODEL
 * if it is not a valid .ncm file (the reason is logged). */
NC_API int nc_model_load_file(NCModel **out, const char *path);
/* Loads and verifies size bytes of a model image; the model keeps a copy. */
NC_API int nc_model_load_memory(NCModel **out, const void *data, size_t size);
/* Finds and loads <id>.ncm: at explicit_path only, when it is not NULL (a file,
 * or a folder holding <id>.ncm); otherwise in each folder of NC_MODEL_PATH
 * (':'-separated), then <prefix>/share/libnc/models (where models are installed). The loaded model's id must equal id.
 * NC_EMODEL when nothing is found (the places searched are logged). */
NC_API int nc_model_find(NCModel **out, const char *id, const char *explicit_path);
/* A model file the search order finds (nc_model_list()). */
typedef struct NCModelEntry {
    char id[NC_MODEL_MAX_ID + 1];
    char arch[NC_MODEL_MAX_ID + 1]; /* which codecs use it: NCCodec.model_arch */
    char path[4096];
    int64_t size;                   /* bytes of the file */
    char summary[256];              /* the "> " line of its card <id>.md beside it, or "" */
} NCModelEntry;

/* Lists the models nc_model_find() can load without an explicit path: every valid
 * <id>.ncm holding model id in the folders of NC_MODEL_PATH, then the install
 * folder, each id once (the first found, as nc_model_find() picks), in search
 * order and by name within a folder. free() *entries. (Since api 1.1.) */
NC_API int nc_model_list(NCModelEntry **entries, size_t *count);
/* Frees *model (which may be NULL) and sets *model to NULL. */
NC_API void nc_model_free(NCModel **model);

NC_API const char *nc_model_id(const NCModel *model);
NC_API const char *nc_model_arch(const NCModel *model);
/* The SHA-256 of the file content, NC_MODEL_SHA256_SIZE bytes. */
NC_API const uint8_t *nc_model_sha256(const NCModel *model);
/* 0 if model has this id and hash; NC_EMODEL (logged, with both hashes in hex)
 * otherwise. The check a decoder makes against its stream header. */
NC_API int nc_model_check(const NCModel *model, const char *id,
                          const uint8_t sha256[NC_MODEL_SHA256_SIZE]);

/* Hyper-parameters, stored as text. NULL if absent. */
NC_API const char *nc_model_param(const NCModel *model, const char *key);
/* Parsed forms: NC_EMODEL (logged) if absent, NC_EINVAL if the whole text is not
 * a number. */
NC_API int nc_model_param_int(const NCModel *model, const char *key, int64_t *out);
NC_API int nc_model_param_float(const NCModel *model, const char *key, double *out);
NC_API int nc_model_param_count(const NCModel *model);
/* The i-th pair in file order; NC_ERANGE past the end. */
NC_API int nc_model_param_at(const NCModel *model, int i, const char **key,
                             const char **value);

NC_API int nc_model_tensor_count(const NCModel *model);
NC_API const NCModelTensor *nc_model_tensor_at(const NCModel *model, int i);
/* The tensor called name, or NULL. */
NC_API const NCModelTensor *nc_model_tensor(const NCModel *model, const char *name);
/* Like nc_model_tensor(), but NC_EMODEL (logged) unless the tensor exists with
 * exactly these ndim and dims. */
NC_API int nc_model_tensor_expect(const NCModel *model, const char *name, int ndim,
                                  const int64_t *dims, const NCModelTensor **out);
/* Converts (dequantizes) any tensor to float; n must be t->numel. */
NC_API int nc_model_tensor_to_f32(const NCModelTensor *t, float *dst, int64_t n);

#ifdef NC_EXPERIMENTAL_API
/* A model builder. id and arch: 1..63 bytes of [A-Za-z0-9._-]. NULL on failure. */
NC_API NCModelWriter *nc_model_writer_alloc(const char *id, const char *arch);
NC_API void nc_model_writer_free(NCModelWriter **writer);
/* Adds a hyper-parameter (keys unique, [A-Za-z0-9._-], values <= 4095 bytes). */
NC_API int nc_model_writer_set_param(NCModelWriter *w, const char *key, const char *value);
NC_API int nc_model_writer_set_param_int(NCModelWriter *w, const char *key, int64_t value);
/* Written with %.17g, so the value reads back exactly. */
NC_API int nc_model_writer_set_param_float(NCModelWriter *w, const char *key, double value);
/* Adds a tensor whose elements are already in dtype's type (int8 values plus
 * dims[0] scales for NC_MODEL_I8; scales is ignored otherwise). The data is copied. */
NC_API int nc_model_writer_add_tensor(NCModelWriter *w, const char *name,
                                      enum NCModelDType dtype, int ndim,
                                      const int64_t *dims, const void *data,
                                      const float *scales);
/* Adds float data stored as dtype: NC_MODEL_F32, NC_MODEL_F16 (rounded to nearest
 * even) or NC_MODEL_I8 (per-row scale max|x|/127). */
NC_API int nc_model_writer_add_f32(NCModelWriter *w, const char *name, int ndim,
                                   const int64_t *dims, const float *data,
                                   enum NCModelDType dtype);
/* The file image in a new malloc'd buffer (free() it); sha256 may be NULL. */
NC_API int nc_model_writer_write_memory(NCModelWriter *w, uint8_t **data, size_t *size,
                                        uint8_t sha256[NC_MODEL_SHA256_SIZE]);
/* Writes the file atomically (path.tmp then rename); sha256 may be NULL. */
NC_API int nc_model_writer_write_file(NCModelWriter *w, const char *path,
                                      uint8_t sha256[NC_MODEL_SHA256_SIZE]);
#endif /* NC_EXPERIMENTAL_API */

#ifdef __cplusplus
}
#endif
#endif

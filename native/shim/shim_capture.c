// The llmgraph shim's capture part (see llmgraph_shim.c): llama.cpp's intermediate tensors, for layer-by-layer parity.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

// ---- intermediate tensors (layer-by-layer parity) --------------------------------------------------

// Every named node llama.cpp computes ("attn_norm-0", "Qcur-0", "kq-0", "l_out-1", "result_output", ...),
// copied as f32 by the scheduler's evaluation callback into a store Java reads afterwards: one copy per
// tensor in C rather than one Java upcall per node. A name computed twice (llama.cpp names the matrix product
// and then the roped "Qcur-0" alike) keeps its last value, the one the graph goes on with. Names that ggml
// made up ("node_7", "... (view)", "... (reshaped)") are not wanted.

struct llmgraph_captured {
    char name[GGML_MAX_NAME];
    int64_t ne[GGML_MAX_DIMS];
    float * data;
};

struct llmgraph_capture {
    struct llmgraph_captured * items;
    int32_t count;
    int32_t capacity;
    int32_t failed;  // a tensor whose layout this copy does not handle (a non-contiguous quantized view)
    char failed_name[GGML_MAX_NAME];
};

struct llmgraph_capture * llmgraph_capture_new(void) {
    return calloc(1, sizeof(struct llmgraph_capture));
}

void llmgraph_capture_clear(struct llmgraph_capture * capture) {
    for (int32_t i = 0; i < capture->count; i++) {
        free(capture->items[i].data);
    }
    capture->count = 0;
    capture->failed = 0;
    capture->failed_name[0] = '\0';
}

void llmgraph_capture_free(struct llmgraph_capture * capture) {
    if (capture != NULL) {
        llmgraph_capture_clear(capture);
        free(capture->items);
        free(capture);
    }
}

static int capture_wanted(const struct ggml_tensor * t) {
    const char * name = ggml_get_name(t);
    return name[0] != '\0' && strchr(name, ' ') == NULL && strncmp(name, "node_", 5) != 0
        && t->data != NULL && (t->type == GGML_TYPE_F32 || t->type == GGML_TYPE_F16
                               || t->type == GGML_TYPE_BF16 || ggml_get_type_traits(t->type)->to_float != NULL);
}

// Copies t as f32, row by row (a row is contiguous whenever nb[0] is the element size), else element by element.
static float * capture_copy(const struct ggml_tensor * t) {
    const int64_t n = ggml_nelements(t);
    float * out = malloc(sizeof(float) * (size_t) (n > 0 ? n : 1));
    if (out == NULL) {
        return NULL;
    }
    const size_t type_size = ggml_type_size(t->type);
    const int64_t block = ggml_blck_size(t->type);
    const int contiguous_rows = t->nb[0] == type_size && t->ne[0] % block == 0;
    const ggml_to_float_t to_float = ggml_get_type_traits(t->type)->to_float;
    if (!contiguous_rows && block != 1) {
        free(out);
        return NULL;
    }
    const size_t row_bytes = contiguous_rows ? ggml_row_size(t->type, t->ne[0]) : type_size;
    char * row = malloc(row_bytes > 0 ? row_bytes : 1);
    if (row == NULL) {
        free(out);
        return NULL;
    }
    float * dst = out;
    for (int64_t i3 = 0; i3 < t->ne[3]; i3++) {
        for (int64_t i2 = 0; i2 < t->ne[2]; i2++) {
            for (int64_t i1 = 0; i1 < t->ne[1]; i1++) {
                const size_t base = (size_t) (i1 * t->nb[1] + i2 * t->nb[2] + i3 * t->nb[3]);
                const int64_t pieces = contiguous_rows ? 1 : t->ne[0];
                const int64_t per_piece = contiguous_rows ? t->ne[0] : 1;
                for (int64_t i0 = 0; i0 < pieces; i0++) {
                    ggml_backend_tensor_get(t, row, base + (size_t) i0 * t->nb[0], row_bytes);
                    if (t->type == GGML_TYPE_F32) {
                        memcpy(dst, row, sizeof(float) * (size_t) per_piece);
                    } else {
                        to_float(row, dst, per_piece);
                    }
                    dst += per_piece;
                }
            }
        }
    }
    free(row);
    return out;
}

static bool capture_callback(struct ggml_tensor * t, bool ask, void * user_data) {
    struct llmgraph_capture * capture = user_data;
    if (ask) {
        return capture_wanted(t);
    }
    if (!capture_wanted(t)) {
        return true;
    }
    float * data = capture_copy(t);
    if (data == NULL) {
        if (!capture->failed) {
            capture->failed = 1;
            snprintf(capture->failed_name, sizeof capture->failed_name, "%s", ggml_get_name(t));
        }
        return true;
    }
    struct llmgraph_captured * item = NULL;
    for (int32_t i = 0; i < capture->count; i++) {
        if (strcmp(capture->items[i].name, ggml_get_name(t)) == 0) {
            item = &capture->items[i];
            free(item->data);
            break;
        }
    }
    if (item == NULL) {
        if (capture->count == capture->capacity) {
            int32_t capacity = capture->capacity == 0 ? 256 : capture->capacity * 2;
            struct llmgraph_captured * items = realloc(capture->items, sizeof *items * (size_t) capacity);
            if (items == NULL) {
                free(data);
                return true;
            }
            capture->items = items;
            capture->capacity = capacity;
        }
        item = &capture->items[capture->count++];
        snprintf(item->name, sizeof item->name, "%s", ggml_get_name(t));
    }
    for (int d = 0; d < GGML_MAX_DIMS; d++) {
        item->ne[d] = t->ne[d];
    }
    item->data = data;
    return true;
}

// As llmgraph_context_new, with every named node of each computed graph copied into capture.
struct llama_context * llmgraph_context_new_capturing(struct llama_model * model, int32_t n_ctx, int32_t n_threads,
                                                      int32_t flash_attn, struct llmgraph_capture * capture) {
    return new_context(model, n_ctx, n_ctx, n_threads, flash_attn, 0, capture_callback, capture);
}

int32_t llmgraph_capture_count(const struct llmgraph_capture * capture) {
    return capture->count;
}

const char * llmgraph_capture_name(const struct llmgraph_capture * capture, int32_t i) {
    return capture->items[i].name;
}

int64_t llmgraph_capture_ne(const struct llmgraph_capture * capture, int32_t i, int32_t dim) {
    return capture->items[i].ne[dim];
}

const float * llmgraph_capture_data(const struct llmgraph_capture * capture, int32_t i) {
    return capture->items[i].data;
}

// The first tensor that could not be copied, or "" when every wanted one was.
const char * llmgraph_capture_failed(const struct llmgraph_capture * capture) {
    return capture->failed_name;
}

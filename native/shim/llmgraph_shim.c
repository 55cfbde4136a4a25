// A thin C layer over llama.h for llmgraph.
//
// Why it exists: llama.h passes large parameter structs by value (llama_model_params,
// llama_context_params, llama_batch) whose layout changes between llama.cpp versions. Binding them
// field by field from Java would break silently on the next version; this file is compiled against
// the very header it uses, so the compiler keeps the layouts right. Every function here takes and
// returns plain scalars and pointers, which the Java side binds with the FFM API.
//
// Errors: functions return NULL or a negative number and leave a message in llmgraph_last_error(),
// taken from llama.cpp's own log (its last error line) when it has one.

#define _GNU_SOURCE  // POLLRDHUP
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <linux/tcp.h>  // its tcp_info has the byte and segment counters; glibc's has not
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "llama.h"

static _Thread_local char last_error[2048];
static int log_verbose = 0;
static char last_log_error[1024];

static void set_error(const char * message) {
    snprintf(last_error, sizeof last_error, "%s", message);
}

static void on_log(enum ggml_log_level level, const char * text, void * user_data) {
    (void) user_data;
    if (level == GGML_LOG_LEVEL_ERROR) {
        snprintf(last_log_error, sizeof last_log_error, "%s", text);
        size_t n = strlen(last_log_error);
        while (n > 0 && (last_log_error[n - 1] == '\n' || last_log_error[n - 1] == ' ')) {
            last_log_error[--n] = '\0';
        }
    }
    if (log_verbose || level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

const char * llmgraph_last_error(void) {
    return last_error;
}

void llmgraph_init(int verbose) {
    log_verbose = verbose;
    llama_log_set(on_log, NULL);
    llama_backend_init();
}

// ---- models --------------------------------------------------------------------------------------

struct llama_model * llmgraph_model_load(const char * path, int vocab_only, int n_gpu_layers) {
    struct llama_model_params params = llama_model_default_params();
    params.vocab_only = vocab_only != 0;
    params.n_gpu_layers = n_gpu_layers;
    params.use_extra_bufts = 0;  // keep weights in plain buffers, as llmgraph does
    last_log_error[0] = '\0';
    struct llama_model * model = llama_model_load_from_file(path, params);
    if (model == NULL) {
        char message[1200];
        snprintf(message, sizeof message, "llama.cpp could not load %s%s%s", path,
                 last_log_error[0] ? ": " : "", last_log_error);
        set_error(message);
    }
    return model;
}

// Loads a model with its layers placed as llama.cpp's --device / -ngl / --tensor-split place them: devices is a
// list of n_devices ggml devices (e.g. RPC servers' devices), n_gpu_layers how many of the last layers (the output
// counting as one more) go to them, tensor_split their shares (NULL: by free memory).
struct llama_model * llmgraph_model_load_on(const char * path, ggml_backend_dev_t * devices, int32_t n_devices,
                                            int32_t n_gpu_layers, const float * tensor_split) {
    if (n_devices < 0 || (size_t) n_devices > llama_max_devices()) {
        set_error("llmgraph_model_load_on: more devices than llama.cpp can place layers on");
        return NULL;
    }
    ggml_backend_dev_t list[n_devices + 1];
    float split[llama_max_devices()];
    memset(split, 0, sizeof split);
    for (int32_t i = 0; i < n_devices; i++) {
        list[i] = devices[i];
        split[i] = tensor_split == NULL ? 0.0f : tensor_split[i];
    }
    list[n_devices] = NULL;
    struct llama_model_params params = llama_model_default_params();
    params.devices = list;
    params.n_gpu_layers = n_gpu_layers;
    params.split_mode = LLAMA_SPLIT_MODE_LAYER;
    params.tensor_split = split;
    params.use_extra_bufts = 0;
    last_log_error[0] = '\0';
    struct llama_model * model = llama_model_load_from_file(path, params);
    if (model == NULL) {
        char message[1200];
        snprintf(message, sizeof message, "llama.cpp could not load %s%s%s", path,
                 last_log_error[0] ? ": " : "", last_log_error);
        set_error(message);
    }
    return model;
}

void llmgraph_model_free(struct llama_model * model) {
    llama_model_free(model);
}

int32_t llmgraph_model_n_vocab(const struct llama_model * model) {
    return llama_vocab_n_tokens(llama_model_get_vocab(model));
}

int32_t llmgraph_model_meta(const struct llama_model * model, const char * key, char * buf, size_t size) {
    return llama_model_meta_val_str(model, key, buf, size);
}

// ---- tokenizer -----------------------------------------------------------------------------------

int32_t llmgraph_tokenize(const struct llama_model * model, const char * text, int32_t text_len,
                          int32_t * tokens, int32_t max_tokens, int32_t add_special, int32_t parse_special) {
    return llama_tokenize(llama_model_get_vocab(model), text, text_len, tokens, max_tokens,
                          add_special != 0, parse_special != 0);
}

int32_t llmgraph_detokenize(const struct llama_model * model, const int32_t * tokens, int32_t n_tokens,
                            char * text, int32_t max_len, int32_t remove_special, int32_t unparse_special) {
    return llama_detokenize(llama_model_get_vocab(model), tokens, n_tokens, text, max_len,
                            remove_special != 0, unparse_special != 0);
}

int32_t llmgraph_token_to_piece(const struct llama_model * model, int32_t token, char * buf, int32_t len,
                                int32_t special) {
    return llama_token_to_piece(llama_model_get_vocab(model), token, buf, len, 0, special != 0);
}

int32_t llmgraph_vocab_special(const struct llama_model * model, int32_t which) {
    const struct llama_vocab * vocab = llama_model_get_vocab(model);
    switch (which) {
        case 0: return llama_vocab_bos(vocab);
        case 1: return llama_vocab_eos(vocab);
        case 2: return llama_vocab_get_add_bos(vocab);
        default: return -1;
    }
}

// ---- forward pass (llama.cpp as the referee) -----------------------------------------------------

// The parameters every context here shares: one sequence of up to n_ctx tokens, batches of n_batch, n_threads.
static struct llama_context_params one_sequence_params(int32_t n_ctx, int32_t n_batch, int32_t n_threads) {
    struct llama_context_params params = llama_context_default_params();
    params.n_ctx = (uint32_t) n_ctx;
    params.n_batch = (uint32_t) n_batch;
    params.n_ubatch = (uint32_t) n_batch;
    params.n_seq_max = 1;
    params.n_threads = n_threads;
    params.n_threads_batch = n_threads;
    params.no_perf = 1;
    return params;
}

// llama.cpp's context for params; on failure NULL, with "llama.cpp could not create <what>" and its log's last error.
static struct llama_context * init_context(struct llama_model * model, struct llama_context_params params,
                                           const char * what) {
    last_log_error[0] = '\0';
    struct llama_context * ctx = llama_init_from_model(model, params);
    if (ctx == NULL) {
        char message[1200];
        snprintf(message, sizeof message, "llama.cpp could not create %s%s%s", what,
                 last_log_error[0] ? ": " : "", last_log_error);
        set_error(message);
    }
    return ctx;
}

// Records "<call> returned <status>" with the log's last error, after a llama_decode or llama_encode that failed.
static void set_call_error(const char * call, int32_t status) {
    char message[1200];
    snprintf(message, sizeof message, "%s returned %d%s%s", call, status, last_log_error[0] ? ": " : "",
             last_log_error);
    set_error(message);
}

// A batch of one sequence (sequence 0): tokens at positions 0..n_tokens-1, every position's output kept.
static struct llama_batch one_sequence_batch(const int32_t * tokens, int32_t n_tokens) {
    struct llama_batch batch = llama_batch_init(n_tokens, 0, 1);
    for (int32_t i = 0; i < n_tokens; i++) {
        batch.token[i] = tokens[i];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
    }
    batch.n_tokens = n_tokens;
    return batch;
}

// A context for one sequence of up to n_ctx tokens; eval_callback (may be NULL) sees every computed tensor.
static struct llama_context * new_context(struct llama_model * model, int32_t n_ctx, int32_t n_batch,
                                          int32_t n_threads, int32_t flash_attn, int32_t offload_ops,
                                          ggml_backend_sched_eval_callback eval_callback, void * eval_data) {
    struct llama_context_params params = one_sequence_params(n_ctx, n_batch, n_threads);
    params.flash_attn_type = flash_attn ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.op_offload = offload_ops != 0;
    params.cb_eval = eval_callback;
    params.cb_eval_user_data = eval_data;
    return init_context(model, params, "a context");
}

// offload_ops: whether llama.cpp may run large ops of CPU-resident layers on a GPU (its default). Off for a
// CPU reference in a CUDA build, which would otherwise compute prompt batches of 32+ tokens on the GPU.
struct llama_context * llmgraph_context_new(struct llama_model * model, int32_t n_ctx, int32_t n_batch,
                                            int32_t n_threads, int32_t flash_attn, int32_t offload_ops) {
    return new_context(model, n_ctx, n_batch, n_threads, flash_attn, offload_ops, NULL, NULL);
}

void llmgraph_context_free(struct llama_context * ctx) {
    llama_free(ctx);
}

// Runs one batch of tokens at positions 0..n_tokens-1 in a fresh cache and copies the logits of every
// position into out (n_tokens rows of n_vocab floats). Returns 0 on success.
int32_t llmgraph_decode_all(struct llama_context * ctx, const int32_t * tokens, int32_t n_tokens, float * out) {
    llama_memory_clear(llama_get_memory(ctx), 1);
    struct llama_batch batch = one_sequence_batch(tokens, n_tokens);
    last_log_error[0] = '\0';
    int32_t status = llama_decode(ctx, batch);
    if (status != 0) {
        set_call_error("llama_decode", status);
        llama_batch_free(batch);
        return status;
    }
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    for (int32_t i = 0; i < n_tokens; i++) {
        memcpy(out + (size_t) i * n_vocab, llama_get_logits_ith(ctx, i), sizeof(float) * (size_t) n_vocab);
    }
    llama_batch_free(batch);
    return 0;
}

// ---- encoder-decoders (llama.cpp's t5 as the referee) ----------------------------------------------

// Encodes enc_tokens at positions 0..n_enc-1 (llama_encode, which keeps the encoder's output for the decoder's
// cross-attention), then decodes dec_tokens at positions 0..n_dec-1 in a fresh cache and copies the logits of every
// decoder position into out (n_dec rows of n_vocab floats). Returns 0 on success.
int32_t llmgraph_encode_decode_all(struct llama_context * ctx, const int32_t * enc_tokens, int32_t n_enc,
                                   const int32_t * dec_tokens, int32_t n_dec, float * out) {
    llama_memory_clear(llama_get_memory(ctx), 1);
    struct llama_batch encoder = one_sequence_batch(enc_tokens, n_enc);
    last_log_error[0] = '\0';
    int32_t status = llama_encode(ctx, encoder);
    llama_batch_free(encoder);
    if (status != 0) {
        set_call_error("llama_encode", status);
        return status;
    }
    struct llama_batch decoder = one_sequence_batch(dec_tokens, n_dec);
    status = llama_decode(ctx, decoder);
    if (status != 0) {
        set_call_error("llama_decode", status);
        llama_batch_free(decoder);
        return status;
    }
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    for (int32_t i = 0; i < n_dec; i++) {
        memcpy(out + (size_t) i * n_vocab, llama_get_logits_ith(ctx, i), sizeof(float) * (size_t) n_vocab);
    }
    llama_batch_free(decoder);
    return 0;
}

// ---- embeddings (llama.cpp's encoders as the referee) ---------------------------------------------

// A context that returns embeddings instead of logits, for one sequence of up to n_ctx tokens in one batch (an
// encoder attends bidirectionally, so llama.cpp needs the whole sequence in one ubatch). pooling_type is llama.cpp's
// enum llama_pooling_type: 0 none (per-token hidden states), 1 mean, 2 CLS, 3 last.
struct llama_context * llmgraph_context_new_embedding(struct llama_model * model, int32_t n_ctx, int32_t n_threads,
                                                      int32_t pooling_type) {
    struct llama_context_params params = one_sequence_params(n_ctx, n_ctx, n_threads);
    params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.op_offload = 0;
    params.embeddings = 1;
    params.pooling_type = (enum llama_pooling_type) pooling_type;
    return init_context(model, params, "an embedding context");
}

// Encodes one sequence of tokens at positions 0..n_tokens-1 (sequence 0) and copies its embeddings into out: with
// pooling none, n_tokens rows of n_embd floats (each token's hidden state); otherwise the pooled n_embd floats.
// Returns 0 on success.
int32_t llmgraph_embed_all(struct llama_context * ctx, const int32_t * tokens, int32_t n_tokens, float * out) {
    llama_memory_t memory = llama_get_memory(ctx);
    if (memory != NULL) {
        llama_memory_clear(memory, 1);
    }
    struct llama_batch batch = one_sequence_batch(tokens, n_tokens);
    last_log_error[0] = '\0';
    int32_t status = llama_encode(ctx, batch);
    llama_batch_free(batch);
    if (status != 0) {
        set_call_error("llama_encode", status);
        return status;
    }
    const int32_t n_embd = llama_model_n_embd(llama_get_model(ctx));
    if (llama_pooling_type(ctx) == LLAMA_POOLING_TYPE_NONE) {
        for (int32_t i = 0; i < n_tokens; i++) {
            const float * row = llama_get_embeddings_ith(ctx, i);
            if (row == NULL) {
                set_error("llama.cpp returned no embedding for a token");
                return -1;
            }
            memcpy(out + (size_t) i * n_embd, row, sizeof(float) * (size_t) n_embd);
        }
        return 0;
    }
    const float * pooled = llama_get_embeddings_seq(ctx, 0);
    if (pooled == NULL) {
        set_error("llama.cpp returned no pooled embedding for the sequence");
        return -1;
    }
    memcpy(out, pooled, sizeof(float) * (size_t) n_embd);
    return 0;
}

// ---- ggml hooks ----------------------------------------------------------------------------------

// The CPU backend's abort callback: ggml calls it after every graph node on the computing thread. A Java
// upcall there costs microseconds per node, several percent of a decode step, so the check lives here and
// reads a flag that Java sets (on Backend.interrupt or when the computing thread is interrupted).
bool llmgraph_abort_requested(void * flag) {
    return __atomic_load_n((const int *) flag, __ATOMIC_RELAXED) != 0;
}

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

// ---- RPC connections --------------------------------------------------------------------------------

// ggml's RPC client aborts the process when a server it is connected to has gone, on the next message it sends.
// These look, without sending anything, at this process's TCP connections to a server at ip:port (numeric, as
// inet_ntop writes it): between two messages a server sends nothing, so a connection that can be read from has
// been closed or reset by the server.

// Whether socket fd is connected to ip:port.
static int peer_is(int fd, const char * ip, int32_t port) {
    struct sockaddr_storage peer;
    socklen_t length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &length) != 0) {
        return 0;
    }
    char text[INET6_ADDRSTRLEN];
    int peer_port;
    if (peer.ss_family == AF_INET) {
        struct sockaddr_in * v4 = (struct sockaddr_in *) &peer;
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        peer_port = ntohs(v4->sin_port);
    } else if (peer.ss_family == AF_INET6) {
        struct sockaddr_in6 * v6 = (struct sockaddr_in6 *) &peer;
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        peer_port = ntohs(v6->sin6_port);
    } else {
        return 0;
    }
    return peer_port == port && strcmp(text, ip) == 0;
}

// Whether the other end has closed or reset connection fd (it has something to read: an end of file or an error).
static int closed_by_peer(int fd) {
    struct pollfd watch = { .fd = fd, .events = POLLIN | POLLRDHUP };
    return poll(&watch, 1, 0) > 0 && (watch.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR));
}

// Looks through every open file of this process (/proc/self/fd) for connections to ip:port. Returns how many
// there are, or -1 when the server has closed one of them. first_fd (when non-NULL) receives the first one's
// descriptor, for llmgraph_rpc_watch. With counters non-NULL, adds each connection's bytes sent (acknowledged) and
// received and its segments out and in (the kernel's TCP_INFO) to counters[0..3].
int32_t llmgraph_rpc_connections(const char * ip, int32_t port, int64_t * counters, int32_t * first_fd) {
    DIR * dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        set_error("cannot list /proc/self/fd to find the RPC connections");
        return -2;
    }
    int32_t open = 0;
    int closed = 0;
    struct dirent * entry;
    while ((entry = readdir(dir)) != NULL) {
        char * end;
        long fd = strtol(entry->d_name, &end, 10);
        struct stat st;
        if (*end != '\0' || fd == dirfd(dir) || fstat((int) fd, &st) != 0 || !S_ISSOCK(st.st_mode)
                || !peer_is((int) fd, ip, port)) {
            continue;
        }
        closed |= closed_by_peer((int) fd);
        if (open == 0 && first_fd != NULL) {
            *first_fd = (int32_t) fd;
        }
        open++;
        if (counters != NULL) {
            struct tcp_info info;
            socklen_t info_length = sizeof info;
            if (getsockopt((int) fd, IPPROTO_TCP, TCP_INFO, &info, &info_length) == 0) {
                counters[0] += (int64_t) info.tcpi_bytes_acked;
                counters[1] += (int64_t) info.tcpi_bytes_received;
                counters[2] += (int64_t) info.tcpi_segs_out;
                counters[3] += (int64_t) info.tcpi_segs_in;
            }
        }
    }
    closedir(dir);
    return closed ? -1 : open;
}

// One connection found by llmgraph_rpc_connections, looked at again (a poll, microseconds): 1 while it is open, -1
// once the server has closed it, 0 when fd is no longer a connection to ip:port (closed here and maybe reused).
int32_t llmgraph_rpc_watch(int32_t fd, const char * ip, int32_t port) {
    if (!peer_is(fd, ip, port)) {
        return 0;
    }
    return closed_by_peer(fd) ? -1 : 1;
}

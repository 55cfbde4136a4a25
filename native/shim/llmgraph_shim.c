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

//
// The other parts: shim_encoders.c (encoder-decoders and embeddings), shim_capture.c (intermediate tensors for
// layer-by-layer parity), shim_rpc.c (this process's connections to ggml RPC servers); shim_internal.h holds what
// they share.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

static _Thread_local char last_error[2048];
static int log_verbose = 0;
char last_log_error[1024];

void set_error(const char * message) {
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

// llama.cpp's model from path; on failure NULL, with "llama.cpp could not load <path>" and its log's last error.
static struct llama_model * load_model(const char * path, struct llama_model_params params) {
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

// repack: llama.cpp's default, weights the CPU can multiply faster in a repacking (extra) buffer go there; 0 keeps
// every weight in plain buffers, as llmgraph's own parity tests compare them.
struct llama_model * llmgraph_model_load(const char * path, int vocab_only, int n_gpu_layers, int repack) {
    struct llama_model_params params = llama_model_default_params();
    params.vocab_only = vocab_only != 0;
    params.n_gpu_layers = n_gpu_layers;
    params.use_extra_bufts = repack != 0;
    return load_model(path, params);
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
    params.use_extra_bufts = 0;  // plain buffers, as llmgraph places weights on RPC servers
    return load_model(path, params);
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
// Sliding-window layers keep their window and one ubatch of cells (swa_full off, as llama.cpp's tools run unless given
// --swa-full; the library's default keeps every position), as an llmgraph session keeps them.
struct llama_context_params one_sequence_params(int32_t n_ctx, int32_t n_batch, int32_t n_threads) {
    struct llama_context_params params = llama_context_default_params();
    params.swa_full = false;
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
struct llama_context * init_context(struct llama_model * model, struct llama_context_params params,
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
void set_call_error(const char * call, int32_t status) {
    char message[1200];
    snprintf(message, sizeof message, "%s returned %d%s%s", call, status, last_log_error[0] ? ": " : "",
             last_log_error);
    set_error(message);
}

// A batch of one sequence (sequence 0): tokens at positions 0..n_tokens-1, every position's output kept.
struct llama_batch one_sequence_batch(const int32_t * tokens, int32_t n_tokens) {
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
struct llama_context * new_context(struct llama_model * model, int32_t n_ctx, int32_t n_batch,
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
// n_ubatch: the tokens of one graph (llama.cpp splits a longer batch into graphs of that many, each reading the KV
// cache the ones before wrote); 0 for n_batch, the whole batch in one graph. 1 decodes token by token, as a chat does.
struct llama_context * llmgraph_context_new(struct llama_model * model, int32_t n_ctx, int32_t n_batch,
                                            int32_t n_ubatch, int32_t n_threads, int32_t flash_attn,
                                            int32_t offload_ops) {
    struct llama_context_params params = one_sequence_params(n_ctx, n_batch, n_threads);
    if (n_ubatch > 0 && n_ubatch < n_batch) {
        params.n_ubatch = (uint32_t) n_ubatch;
    }
    params.flash_attn_type = flash_attn ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    params.op_offload = offload_ops != 0;
    return init_context(model, params, "a context");
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

// ---- ggml hooks ----------------------------------------------------------------------------------

// The CPU backend's abort callback: ggml calls it after every graph node on the computing thread. A Java
// upcall there costs microseconds per node, several percent of a decode step, so the check lives here and
// reads a flag that Java sets (on Backend.interrupt or when the computing thread is interrupted).
bool llmgraph_abort_requested(void * flag) {
    return __atomic_load_n((const int *) flag, __ATOMIC_RELAXED) != 0;
}


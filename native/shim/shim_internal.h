// What the parts of the llmgraph shim share (see llmgraph_shim.c); not part of its interface: hidden from the library's
// exported symbols.
#ifndef LLMGRAPH_SHIM_INTERNAL_H
#define LLMGRAPH_SHIM_INTERNAL_H

#include "llama.h"

#define SHIM_INTERNAL __attribute__((visibility("hidden")))

// llama.cpp's last error line since it was last cleared ('\0' first when none).
SHIM_INTERNAL extern char last_log_error[1024];

// Leaves message in llmgraph_last_error() (per thread).
SHIM_INTERNAL void set_error(const char * message);

// Records "<call> returned <status>" with the log's last error, after a llama_decode or llama_encode that failed.
SHIM_INTERNAL void set_call_error(const char * call, int32_t status);

// The parameters every context here shares: one sequence of up to n_ctx tokens, batches of n_batch, n_threads.
SHIM_INTERNAL struct llama_context_params one_sequence_params(int32_t n_ctx, int32_t n_batch, int32_t n_threads);

// llama.cpp's context for params; on failure NULL, with "llama.cpp could not create <what>" and its log's last error.
SHIM_INTERNAL struct llama_context * init_context(struct llama_model * model, struct llama_context_params params,
                                                  const char * what);

// A batch of one sequence (sequence 0): tokens at positions 0..n_tokens-1, every position's output kept.
SHIM_INTERNAL struct llama_batch one_sequence_batch(const int32_t * tokens, int32_t n_tokens);

// A context for one sequence of up to n_ctx tokens; eval_callback (may be NULL) sees every computed tensor.
SHIM_INTERNAL struct llama_context * new_context(struct llama_model * model, int32_t n_ctx, int32_t n_batch,
                                                 int32_t n_threads, int32_t flash_attn, int32_t offload_ops,
                                                 ggml_backend_sched_eval_callback eval_callback, void * eval_data);

#endif

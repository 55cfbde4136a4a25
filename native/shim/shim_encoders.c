// The llmgraph shim's encoder parts (see llmgraph_shim.c): llama.cpp's encoder-decoders and encoders as referees.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_internal.h"

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

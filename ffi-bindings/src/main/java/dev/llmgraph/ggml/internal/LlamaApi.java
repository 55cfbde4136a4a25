package dev.llmgraph.ggml.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;

import static dev.llmgraph.ggml.internal.Downcalls.BOOL;
import static dev.llmgraph.ggml.internal.Downcalls.INT;
import static dev.llmgraph.ggml.internal.Downcalls.PTR;
import static dev.llmgraph.ggml.internal.Downcalls.SIZE_T;
import static dev.llmgraph.ggml.internal.Downcalls.fn;
import static dev.llmgraph.ggml.internal.Downcalls.fnVoid;
import static dev.llmgraph.ggml.internal.Downcalls.rethrow;

/**
 * Raw bindings to the {@code llama.h} functions that take and return only scalars and pointers (vocabulary
 * and model queries), so they need no shim. They are found through the shim's symbol lookup, which searches
 * libllama as the shim's dependency. Functions that take a token id index a vector without a bounds check
 * or with {@code .at()} (which aborts the process from C): check the id first.
 */
public final class LlamaApi {
    private LlamaApi() {}

    private static final SymbolLookup L = NativeLibraries.shim();

    private static NativeFunction q(String name, FunctionDescriptor d) {
        return Downcalls.quick(L, name, d);
    }

    private static final NativeFunction LOG_SET = Downcalls.slow(L, "llama_log_set", fnVoid(PTR, PTR));
    // Slow: it logs, which calls back into Java.
    private static final NativeFunction MODEL_SAVE_TO_FILE = Downcalls.slow(L, "llama_model_save_to_file",
            fnVoid(PTR, PTR));
    // Slow: it reads a file and logs, which calls back into Java.
    private static final NativeFunction ADAPTER_LORA_INIT = Downcalls.slow(L, "llama_adapter_lora_init", fn(PTR, PTR, PTR));
    private static final NativeFunction ADAPTER_LORA_FREE = q("llama_adapter_lora_free", fnVoid(PTR));
    private static final NativeFunction SET_ADAPTERS_LORA = Downcalls.slow(L, "llama_set_adapters_lora",
            fn(INT, PTR, PTR, SIZE_T, PTR));
    private static final NativeFunction MODEL_GET_VOCAB = q("llama_model_get_vocab", fn(PTR, PTR));
    private static final NativeFunction MODEL_N_CTX_TRAIN = q("llama_model_n_ctx_train", fn(INT, PTR));
    private static final NativeFunction MODEL_N_EMBD = q("llama_model_n_embd", fn(INT, PTR));
    private static final NativeFunction MODEL_N_LAYER = q("llama_model_n_layer", fn(INT, PTR));
    private static final NativeFunction N_CTX = q("llama_n_ctx", fn(INT, PTR));
    private static final NativeFunction VOCAB_TYPE = q("llama_vocab_type", fn(INT, PTR));
    private static final NativeFunction VOCAB_N_TOKENS = q("llama_vocab_n_tokens", fn(INT, PTR));
    private static final NativeFunction VOCAB_GET_TEXT = q("llama_vocab_get_text", fn(PTR, PTR, INT));
    private static final NativeFunction VOCAB_GET_ATTR = q("llama_vocab_get_attr", fn(INT, PTR, INT));
    private static final NativeFunction VOCAB_IS_CONTROL = q("llama_vocab_is_control", fn(BOOL, PTR, INT));
    private static final NativeFunction VOCAB_IS_EOG = q("llama_vocab_is_eog", fn(BOOL, PTR, INT));
    private static final NativeFunction VOCAB_BOS = q("llama_vocab_bos", fn(INT, PTR));
    private static final NativeFunction VOCAB_EOS = q("llama_vocab_eos", fn(INT, PTR));
    private static final NativeFunction VOCAB_SEP = q("llama_vocab_sep", fn(INT, PTR));
    private static final NativeFunction VOCAB_GET_ADD_BOS = q("llama_vocab_get_add_bos", fn(BOOL, PTR));
    private static final NativeFunction VOCAB_GET_ADD_EOS = q("llama_vocab_get_add_eos", fn(BOOL, PTR));
    private static final NativeFunction VOCAB_GET_ADD_SEP = q("llama_vocab_get_add_sep", fn(BOOL, PTR));
    private static final NativeFunction MODEL_CHAT_TEMPLATE = q("llama_model_chat_template", fn(PTR, PTR, PTR));
    // Slow: it formats a whole conversation, which may be long.
    private static final NativeFunction CHAT_APPLY_TEMPLATE = Downcalls.slow(L, "llama_chat_apply_template",
            fn(INT, PTR, PTR, SIZE_T, BOOL, PTR, INT));
    private static final NativeFunction CHAT_BUILTIN_TEMPLATES = q("llama_chat_builtin_templates", fn(INT, PTR, SIZE_T));

    /** Sets the log callback of llama.cpp and ggml: {@code void (*)(enum ggml_log_level, const char *, void *)}. */
    public static void llama_log_set(MemorySegment callback, MemorySegment userData) {
        try { LOG_SET.handle().invokeExact(callback, userData); } catch (Throwable t) { throw rethrow(t); }
    }
    /**
     * Writes a loaded model with llama.cpp's own GGUF writer ({@code src/llama-model-saver.cpp}). It asserts
     * (aborts the process) on the architectures {@code llama_model_saver_supports_arch} refuses: check first.
     */
    public static void llama_model_save_to_file(MemorySegment model, MemorySegment path) {
        try { MODEL_SAVE_TO_FILE.handle().invokeExact(model, path); } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * Loads a LoRA adapter GGUF for {@code model} ({@code src/llama-adapter.cpp}); NULL, with the reason logged,
     * when the file is not an adapter for this model. It parses the file with ggml's GGUF reader: check the file
     * in Java first.
     */
    public static MemorySegment llama_adapter_lora_init(MemorySegment model, MemorySegment path) {
        try { return (MemorySegment) ADAPTER_LORA_INIT.handle().invokeExact(model, path); } catch (Throwable t) { throw rethrow(t); }
    }
    public static void llama_adapter_lora_free(MemorySegment adapter) {
        try { ADAPTER_LORA_FREE.handle().invokeExact(adapter); } catch (Throwable t) { throw rethrow(t); }
    }
    /**
     * Sets the adapters a context applies ({@code adapters} and {@code scales}: arrays of {@code n}); it asserts
     * (aborts the process) when either array is NULL with {@code n > 0}.
     */
    public static int llama_set_adapters_lora(MemorySegment context, MemorySegment adapters, long n,
                                              MemorySegment scales) {
        try { return (int) SET_ADAPTERS_LORA.handle().invokeExact(context, adapters, n, scales); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment llama_model_get_vocab(MemorySegment model) {
        try { return (MemorySegment) MODEL_GET_VOCAB.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_model_n_ctx_train(MemorySegment model) {
        try { return (int) MODEL_N_CTX_TRAIN.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_model_n_embd(MemorySegment model) {
        try { return (int) MODEL_N_EMBD.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_model_n_layer(MemorySegment model) {
        try { return (int) MODEL_N_LAYER.handle().invokeExact(model); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_n_ctx(MemorySegment ctx) {
        try { return (int) N_CTX.handle().invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }
    /** {@code enum llama_vocab_type}: 0 none, 1 SPM, 2 BPE, 3 WPM, 4 UGM, 5 RWKV, 6 PLaMo-2, 7 test. */
    public static int llama_vocab_type(MemorySegment vocab) {
        try { return (int) VOCAB_TYPE.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_vocab_n_tokens(MemorySegment vocab) {
        try { return (int) VOCAB_N_TOKENS.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static MemorySegment llama_vocab_get_text(MemorySegment vocab, int token) {
        try { return (MemorySegment) VOCAB_GET_TEXT.handle().invokeExact(vocab, token); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_vocab_get_attr(MemorySegment vocab, int token) {
        try { return (int) VOCAB_GET_ATTR.handle().invokeExact(vocab, token); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean llama_vocab_is_control(MemorySegment vocab, int token) {
        try { return (boolean) VOCAB_IS_CONTROL.handle().invokeExact(vocab, token); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean llama_vocab_is_eog(MemorySegment vocab, int token) {
        try { return (boolean) VOCAB_IS_EOG.handle().invokeExact(vocab, token); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_vocab_bos(MemorySegment vocab) {
        try { return (int) VOCAB_BOS.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_vocab_eos(MemorySegment vocab) {
        try { return (int) VOCAB_EOS.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static int llama_vocab_sep(MemorySegment vocab) {
        try { return (int) VOCAB_SEP.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean llama_vocab_get_add_bos(MemorySegment vocab) {
        try { return (boolean) VOCAB_GET_ADD_BOS.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean llama_vocab_get_add_eos(MemorySegment vocab) {
        try { return (boolean) VOCAB_GET_ADD_EOS.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }
    public static boolean llama_vocab_get_add_sep(MemorySegment vocab) {
        try { return (boolean) VOCAB_GET_ADD_SEP.handle().invokeExact(vocab); } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * The chat template stored in the model's file ({@code tokenizer.chat_template}, or
     * {@code tokenizer.chat_template.<name>} when {@code name} is not NULL); NULL when it has none. The string
     * belongs to the model.
     */
    public static MemorySegment llama_model_chat_template(MemorySegment model, MemorySegment name) {
        try { return (MemorySegment) MODEL_CHAT_TEMPLATE.handle().invokeExact(model, name); } catch (Throwable t) { throw rethrow(t); }
    }
    /**
     * Formats {@code nMessages} {@code struct llama_chat_message {const char *role; const char *content;}} with
     * the template {@code template} (a built-in name or a Jinja text llama.cpp recognises); returns the length
     * of the whole text (which may exceed {@code length}: call again with a larger buffer), or -1 for a template
     * it does not recognise. The text is not NUL-terminated when it fills the buffer.
     */
    public static int llama_chat_apply_template(MemorySegment template, MemorySegment messages, long nMessages,
                                                boolean addAssistant, MemorySegment buffer, int length) {
        try {
            return (int) CHAT_APPLY_TEMPLATE.handle().invokeExact(template, messages, nMessages, addAssistant, buffer, length);
        } catch (Throwable t) { throw rethrow(t); }
    }
    /** Writes up to {@code length} names of built-in templates into {@code output}; returns how many there are. */
    public static int llama_chat_builtin_templates(MemorySegment output, long length) {
        try { return (int) CHAT_BUILTIN_TEMPLATES.handle().invokeExact(output, length); } catch (Throwable t) { throw rethrow(t); }
    }
}

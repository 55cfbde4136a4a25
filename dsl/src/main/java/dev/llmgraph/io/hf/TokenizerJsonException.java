package dev.llmgraph.io.hf;

import java.nio.file.Path;

/**
 * A tokenizer.json (or the tokenizer_config.json beside it) that llmgraph cannot read as the tokenizer Hugging Face
 * would make of it: damaged, another kind of tokenizer, or a setting llmgraph's BPE does not encode alike. The
 * message names the file and the problem.
 */
public final class TokenizerJsonException extends IllegalArgumentException {
    TokenizerJsonException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

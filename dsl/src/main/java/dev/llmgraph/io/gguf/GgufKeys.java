package dev.llmgraph.io.gguf;

import dev.llmgraph.ggml.gguf.GgufException;
import dev.llmgraph.ggml.gguf.GgufFile;
import dev.llmgraph.ggml.gguf.GgufValue;

/**
 * The metadata of a GGUF model file as one architecture reads it: keys named {@code <arch>.<suffix>}, as in
 * llama.cpp's {@code LLM_KV_*} table ({@code src/llama-arch.cpp}). Every failure is a {@link GgufException}
 * that names the file, the key and what was wrong.
 */
final class GgufKeys {
    final GgufFile file;
    final String architecture;

    GgufKeys(GgufFile file, String architecture) {
        this.file = file;
        this.architecture = architecture;
    }

    /** The full key of {@code suffix}, e.g. {@code llama.embedding_length}. */
    String key(String suffix) {
        return architecture + "." + suffix;
    }

    boolean has(String suffix) {
        return file.has(key(suffix));
    }

    /** A key llama.cpp requires for this architecture. */
    int requireInt(String suffix) {
        String key = key(suffix);
        if (!file.has(key)) {
            throw missing(key);
        }
        return perLayerInt(key);
    }

    int intOr(String suffix, int fallback) {
        return has(suffix) ? perLayerInt(key(suffix)) : fallback;
    }

    /** A float key llama.cpp requires, as the shortest decimal that is the same f32 (1e-5, not 9.99999974e-6). */
    double requireFloat(String suffix) {
        String key = key(suffix);
        if (!file.has(key)) {
            throw missing(key);
        }
        return decimal(file.getFloat(key));
    }

    double floatOr(String suffix, double fallback) {
        return has(suffix) ? decimal(file.getFloat(key(suffix))) : fallback;
    }

    String stringOr(String suffix, String fallback) {
        return has(suffix) ? file.getString(key(suffix)) : fallback;
    }

    boolean boolOr(String suffix, boolean fallback) {
        return has(suffix) ? file.getBool(key(suffix)) : fallback;
    }

    /** A problem with the file, named as the other messages name it. */
    GgufException problem(String message) {
        return new GgufException(file.path() + ": " + message);
    }

    GgufException missing(String key) {
        return problem("key '" + key + "' is missing; llama.cpp needs it to build a " + architecture + " model");
    }

    /**
     * llama.cpp lets some counts (heads, K/V heads, FFN width) be one value or an array with one value per
     * layer; llmgraph gives every layer the same, so an array must hold one value throughout.
     */
    private int perLayerInt(String key) {
        if (file.get(key) instanceof GgufValue.IntegerArray) {
            int[] values = file.getIntArray(key);
            for (int v : values) {
                if (v != values[0]) {
                    throw problem("key '" + key + "' differs between layers (" + java.util.Arrays.toString(values)
                            + "); llmgraph gives every layer the same value");
                }
            }
            if (values.length == 0) {
                throw problem("key '" + key + "' is an empty array");
            }
            return values[0];
        }
        return file.getInt(key);
    }

    /** The shortest decimal that rounds to {@code value}: what the writer of the file most likely meant. */
    static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }
}

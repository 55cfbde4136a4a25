package dev.llmgraph.ggml;

import dev.llmgraph.ggml.internal.BackendApi;
import dev.llmgraph.ggml.internal.Downcalls;
import dev.llmgraph.ggml.internal.NativeLibraries;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each device's backend was compiled with, as its ggml registry reports it
 * ({@code ggml_backend_get_features}): for the CPU the instruction sets in use ({@code AVX2 = 1},
 * {@code AVX512 = 1}, ...), for CUDA the GPU architectures ({@code ARCHS = 900}) and options such as
 * {@code USE_GRAPHS}. A registry that reports nothing gives an empty map.
 */
public final class BuildFeatures {
    private BuildFeatures() {}

    /** A registry's list ends with a NULL name; no ggml backend reports more than a few dozen. */
    private static final int MAX_FEATURES = 256;

    /** Device name ({@code CPU}, {@code CUDA0}, ...) to its backend's features, in the registry's order. */
    public static Map<String, Map<String, String>> byDevice() {
        NativeLibraries.ggml();
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (long i = 0, n = BackendApi.ggml_backend_dev_count(); i < n; i++) {
            MemorySegment dev = BackendApi.ggml_backend_dev_get(i);
            out.put(BackendApi.ggml_backend_dev_name(dev), of(BackendApi.ggml_backend_dev_backend_reg(dev)));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, String> of(MemorySegment reg) {
        MemorySegment list = BackendApi.callRegistryFunction(reg, "ggml_backend_get_features", reg);
        if (Downcalls.isNull(list)) {
            return Map.of();
        }
        // struct ggml_backend_feature { const char * name; const char * value; }
        AddressLayout pointer = ValueLayout.ADDRESS;
        MemorySegment entries = list.reinterpret(MAX_FEATURES * 2 * pointer.byteSize());
        Map<String, String> features = new LinkedHashMap<>();
        for (int i = 0; i < MAX_FEATURES; i++) {
            MemorySegment name = entries.getAtIndex(pointer, 2L * i);
            if (Downcalls.isNull(name)) {
                break;
            }
            features.put(Downcalls.string(name), Downcalls.string(entries.getAtIndex(pointer, 2L * i + 1)));
        }
        return Collections.unmodifiableMap(features);
    }
}

package dev.llmgraph.ggml.gguf;

import dev.llmgraph.ggml.internal.GgufApi;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@link GgufEncoder}'s header against ggml's own metadata bytes ({@code gguf_get_meta_data}) on the same content
 * (split from {@code GgufWriterMatchesGgmlTest}, which compares whole files with tensors and stays with the tensors
 * in {@code dev.llmgraph.ggml}).
 */
class GgufHeaderMatchesGgmlTest {

    @Test
    void headerWithoutTensorsIsPaddedLikeGgmlsMetadata() {
        Map<String, GgufValue> metadata = Map.of("general.name", GgufValue.string("x"));
        byte[] ours = GgufEncoder.header(metadata, List.of(), 32);
        MemorySegment gguf = GgufApi.gguf_init_empty();
        try (Arena arena = Arena.ofConfined()) {
            GgufApi.gguf_set_val_str(gguf, arena.allocateFrom("general.name"), arena.allocateFrom("x"));
            MemorySegment meta = arena.allocate(GgufApi.gguf_get_meta_size(gguf));
            GgufApi.gguf_get_meta_data(gguf, meta);
            assertArrayEquals(meta.toArray(ValueLayout.JAVA_BYTE), ours);
        } finally {
            GgufApi.gguf_free(gguf);
        }
    }
}

package dev.llmgraph.ggml.llama;

import java.util.Arrays;

/**
 * One named node of llama.cpp's graph as its evaluation callback saw it, converted to f32.
 *
 * @param name   llama.cpp's name: the callback name and the layer, {@code "Qcur-0"}, {@code "l_out-1"}, or a name
 *               without a layer ({@code "result_norm"})
 * @param ne     sizes in ggml order ({@code ne[0]} fastest), trailing ones dropped
 * @param values the elements in that order
 */
public record CapturedTensor(String name, long[] ne, float[] values) {
    @Override
    public String toString() {
        return name + " ne " + Arrays.toString(ne);
    }
}

package dev.llmgraph.ggml.llama;

import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.gguf.GgufTensorInfo;
import dev.llmgraph.ggml.gguf.GgufFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain-Java, double-precision forward pass of a {@code llama} model read from a GGUF file (F32 weights):
 * the independent reference for {@link LlamaReference}. It follows the LLaMA paper and llama.cpp's
 * conventions: pre-norm RMSNorm, RoPE on adjacent pairs (x[2i], x[2i+1]) with angle pos * theta^(-2i/headDim),
 * causal softmax attention scaled by 1/sqrt(headDim), grouped KV heads (query head h reads KV head
 * h / (heads / kvHeads)), SwiGLU feed-forward, final RMSNorm and output projection.
 *
 * <p>A weight of ggml shape [in, out] maps x to y[o] = sum_i W[o * in + i] * x[i].
 */
final class JavaLlamaForward {
    private final Map<String, float[]> weights = new HashMap<>();
    private final int dModel;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int ffnDim;
    private final int vocabSize;
    private final double ropeTheta;
    private final double normEps;

    JavaLlamaForward(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            for (GgufTensorInfo info : gguf.tensors()) {
                if (info.type() != GgmlType.F32) {
                    throw new IllegalArgumentException(info.describe() + ": this reference reads F32 weights only");
                }
                weights.put(info.name(), gguf.floats(info.name()));
            }
            dModel = gguf.getInt("llama.embedding_length");
            layers = gguf.getInt("llama.block_count");
            heads = gguf.getInt("llama.attention.head_count");
            kvHeads = gguf.getInt("llama.attention.head_count_kv");
            ffnDim = gguf.getInt("llama.feed_forward_length");
            ropeTheta = gguf.getDouble("llama.rope.freq_base");
            normEps = gguf.getDouble("llama.attention.layer_norm_rms_epsilon");
            vocabSize = (int) gguf.tensor("token_embd.weight").shape()[1];
        }
    }

    /** logits[position][token] for {@code tokens} at positions 0, 1, ... */
    double[][] logits(int... tokens) {
        int n = tokens.length;
        int headDim = dModel / heads;
        int group = heads / kvHeads;
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = row(weights.get("token_embd.weight"), tokens[t], dModel);
        }
        for (int layer = 0; layer < layers; layer++) {
            String b = "blk." + layer + ".";
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], weights.get(b + "attn_norm.weight"));
                q[t] = rope(matVec(weights.get(b + "attn_q.weight"), h, heads * headDim), t, headDim);
                k[t] = rope(matVec(weights.get(b + "attn_k.weight"), h, kvHeads * headDim), t, headDim);
                v[t] = matVec(weights.get(b + "attn_v.weight"), h, kvHeads * headDim);
            }
            for (int t = 0; t < n; t++) {
                double[] attention = new double[heads * headDim];
                for (int head = 0; head < heads; head++) {
                    int kvHead = head / group;
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += q[t][head * headDim + d] * k[s][kvHead * headDim + d];
                        }
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int d = 0; d < headDim; d++) {
                            attention[head * headDim + d] += scores[s] / sum * v[s][kvHead * headDim + d];
                        }
                    }
                }
                add(x[t], matVec(weights.get(b + "attn_output.weight"), attention, dModel));
                double[] h = rmsNorm(x[t], weights.get(b + "ffn_norm.weight"));
                double[] gate = matVec(weights.get(b + "ffn_gate.weight"), h, ffnDim);
                double[] up = matVec(weights.get(b + "ffn_up.weight"), h, ffnDim);
                for (int i = 0; i < ffnDim; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i]; // SiLU(gate) * up
                }
                add(x[t], matVec(weights.get(b + "ffn_down.weight"), gate, dModel));
            }
        }
        double[][] logits = new double[n][];
        float[] output = weights.getOrDefault("output.weight", weights.get("token_embd.weight"));
        for (int t = 0; t < n; t++) {
            logits[t] = matVec(output, rmsNorm(x[t], weights.get("output_norm.weight")), vocabSize);
        }
        return logits;
    }

    private double[] rmsNorm(double[] x, float[] weight) {
        double squares = 0;
        for (double value : x) {
            squares += value * value;
        }
        double scale = 1 / Math.sqrt(squares / x.length + normEps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    private double[] rope(double[] x, int position, int headDim) {
        double[] out = x.clone();
        for (int start = 0; start < x.length; start += headDim) {
            for (int i = 0; i < headDim; i += 2) {
                double angle = position * Math.pow(ropeTheta, -(double) i / headDim);
                double a = x[start + i];
                double b = x[start + i + 1];
                out[start + i] = a * Math.cos(angle) - b * Math.sin(angle);
                out[start + i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
            }
        }
        return out;
    }

    private static double[] matVec(float[] w, double[] x, int outputs) {
        double[] y = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                sum += w[o * x.length + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    private static double[] row(float[] matrix, int index, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = matrix[index * width + i];
        }
        return out;
    }

    private static void add(double[] x, double[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }
}

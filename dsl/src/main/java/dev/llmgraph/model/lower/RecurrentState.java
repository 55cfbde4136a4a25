package dev.llmgraph.model.lower;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.ggml.GgmlType;
import dev.llmgraph.ggml.Tensor;
import dev.llmgraph.spec.LinearAttention;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Attention;
import dev.llmgraph.spec.LatentAttention;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.Rwkv;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.StateSpace;

/**
 * The fixed-size memory of a session's recurrent layers (a state space model's, RWKV's, linear attention's), in place of a KV cache: what
 * each layer must remember of everything before the next token, the same size after 10 tokens or 100 000.
 * <pre>
 *  conv[layer]  [convWidth - 1, convChannels, 1]    each convolved channel's last convWidth - 1 inputs
 *  scan[layer]  [stateDim, 1, innerDim, 1]          Mamba: each channel's stateDim values h (ssm_scan's layout:
 *                                                   state, head size 1, one head per channel, one slot)
 *               [stateDim, headDim, heads, 1]       Mamba-2: each head dimension's stateDim values
 *  shift[layer] [dModel, 2, 1]                      RWKV: the previous token's input to the time mix (column 0)
 *                                                   and to the channel mix (column 1)
 *  wkv[layer]   [headSize x headSize x heads, 1]    RWKV: each head's headSize x headSize WKV state
 *  linear[layer] [headDim x headDim x heads, 1]     linear attention: each head's headDim x headDim state
 *                                                   (key index, then value index), as gated_linear_attn reads it
 * </pre>
 * F32, as ggml's kernels read them. Every batch reads them and writes them back whole ({@link SsmLowering}, {@link RwkvLowering}); they
 * start at zero and are zeroed again when a sequence restarts at position 0 ({@link #clear}). Its bytes are the
 * spec's {@code accounting().recurrentStateBytes()}.
 */
public final class RecurrentState implements AutoCloseable {
    private final Tensor[] conv;
    private final Tensor[] scan;
    private final Tensor[] shift;
    private final Tensor[] wkv;
    private final Tensor[] linear;
    private final PlacedContexts tensors;

    RecurrentState(ModelSpec spec, LayerDevices devices) {
        int layers = spec.layers();
        this.conv = new Tensor[layers];
        this.scan = new Tensor[layers];
        this.shift = new Tensor[layers];
        this.wkv = new Tensor[layers];
        this.linear = new Tensor[layers];
        this.tensors = new PlacedContexts(2 * layers);
        try {
            for (int i = 0; i < layers; i++) {
                Backend home = devices.layer(i);
                switch (spec.layer(i).mixer()) {
                    case StateSpace m -> {
                        conv[i] = tensors.newTensor(home, "state_conv." + i, GgmlType.F32, m.convWidth() - 1, m.convChannels(),
                                1);
                        scan[i] = switch (m) {
                            case Ssm mamba -> tensors.newTensor(home, "state_scan." + i, GgmlType.F32, mamba.stateDim(), 1,
                                    mamba.innerDim(), 1);
                            case Mamba2 mamba2 -> tensors.newTensor(home, "state_scan." + i, GgmlType.F32, mamba2.stateDim(),
                                    mamba2.headDim(), mamba2.heads(), 1);
                        };
                    }
                    case Rwkv m -> {
                        shift[i] = tensors.newTensor(home, "state_shift." + i, GgmlType.F32, spec.dModel(), 2, 1);
                        wkv[i] = tensors.newTensor(home, "state_wkv." + i, GgmlType.F32, m.headSize() * (long) spec.dModel(), 1);
                    }
                    case LinearAttention m ->
                            linear[i] = tensors.newTensor(home, "state_linear." + i, GgmlType.F32, m.stateElements(spec.dModel()), 1);
                    case Attention _, LatentAttention _ -> { } // their cache is the KvCache
                }
            }
            tensors.allocate();
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }

    /** The convolution state of layer {@code layer}: [convWidth - 1, convChannels, 1]. */
    Tensor conv(int layer) {
        return conv[layer];
    }

    /** The scan state of layer {@code layer}: [stateDim, headDim (1 for Mamba), heads, 1]. */
    Tensor scan(int layer) {
        return scan[layer];
    }

    /** The token shifts of layer {@code layer}: [dModel, 2, 1], the time mix's column then the channel mix's. */
    Tensor shift(int layer) {
        return shift[layer];
    }

    /** The WKV state of layer {@code layer}: [headSize x headSize x heads, 1]. */
    Tensor wkv(int layer) {
        return wkv[layer];
    }

    /** The linear attention state of layer {@code layer}: [headDim x headDim x heads, 1]. */
    Tensor linear(int layer) {
        return linear[layer];
    }

    /** Forgets the sequence: every state back to zero, as before its first token. */
    void clear() {
        tensors.clear();
    }

    public long byteSize() {
        return tensors.byteSize();
    }

    /** Bytes of the state on {@code backend}. */
    long byteSize(Backend backend) {
        return tensors.byteSize(backend);
    }

    @Override
    public void close() {
        tensors.close();
    }
}

package dev.llmgraph.io.hf;

import dev.llmgraph.ggml.FileRegion;

import java.util.Arrays;
import java.util.List;

/**
 * One tensor of a Hugging Face checkpoint, its shape in PyTorch order (rows first), and the llmgraph weights
 * it is made of. Most HF tensors are one llmgraph weight as is ({@link Blocks} with one block); fused
 * projections hold several, and GPT-2's {@code Conv1D} weights hold the transpose.
 *
 * @param name  e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param shape sizes in PyTorch order
 * @param parts the llmgraph weights inside, in the order they lie
 */
public record HfTensor(String name, long[] shape, List<Part> parts) {
    public HfTensor {
        shape = shape.clone();
        parts = List.copyOf(parts);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " <- " + parts;
    }

    /** Where one llmgraph weight lies inside the HF tensor. */
    public sealed interface Part permits Blocks, Transposed, Slab {
        /** The llmgraph (llama.cpp) name of the weight. */
        String weight();

        /** The file region of this part, for an HF tensor whose data starts at byte {@code offset}. */
        FileRegion region(long offset, int elementBytes);
    }

    /**
     * The weight's elements (ggml order) in consecutive blocks of {@code blockElements}; block {@code b} starts
     * at element {@code hfStarts[b]} of the HF tensor (row-major). One block starting at 0 is the plain case.
     */
    public record Blocks(String weight, long blockElements, long[] hfStarts) implements Part {
        public Blocks {
            hfStarts = hfStarts.clone();
        }

        /** The whole weight, element for element. */
        static Blocks whole(String weight, long elements) {
            return new Blocks(weight, elements, new long[] {0});
        }

        @Override
        public long[] hfStarts() {
            return hfStarts.clone();
        }

        @Override
        public FileRegion region(long offset, int elementBytes) {
            long[] offsets = new long[hfStarts.length];
            for (int b = 0; b < offsets.length; b++) {
                offsets[b] = offset + hfStarts[b] * elementBytes;
            }
            return new FileRegion.Blocks(blockElements, offsets);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blocks b && b.weight.equals(weight) && b.blockElements == blockElements
                    && Arrays.equals(b.hfStarts, hfStarts);
        }

        @Override
        public int hashCode() {
            return weight.hashCode() * 31 + Arrays.hashCode(hfStarts);
        }

        @Override
        public String toString() {
            return hfStarts.length == 1 && hfStarts[0] == 0 ? weight : weight + " (" + hfStarts.length + " blocks of "
                    + blockElements + ")";
        }
    }

    /**
     * The HF tensor is slab {@code index} of {@code count} equal slabs of the weight (ggml order: the slowest
     * dimension), element for element: one expert of a stack ({@link HfExperts}). The weight is {@code count}
     * HF tensors; a read gathers them ({@link #gathered}).
     */
    public record Slab(String weight, int index, int count, long slabElements) implements Part {
        @Override
        public FileRegion region(long offset, int elementBytes) {
            long[] offsets = new long[count];
            java.util.Arrays.fill(offsets, FileRegion.Blocks.ELSEWHERE);
            offsets[index] = offset;
            return new FileRegion.Blocks(slabElements, offsets);
        }

        /** The whole weight read from its slabs, slab s starting at byte {@code offsets[s]} of one file. */
        public static FileRegion gathered(long slabElements, long[] offsets) {
            return new FileRegion.Blocks(slabElements, offsets);
        }

        @Override
        public String toString() {
            return weight + " (slab " + index + " of " + count + ")";
        }
    }

    /**
     * The HF tensor is a row-major matrix of {@code hfColumns} columns holding the weight transposed: weight
     * element {@code (i, o)} (ggml order, {@code i < ne0}) is HF element {@code [i][firstColumn + o]}.
     */
    public record Transposed(String weight, long hfColumns, long firstColumn) implements Part {
        @Override
        public FileRegion region(long offset, int elementBytes) {
            return new FileRegion.Transposed(offset, hfColumns, firstColumn);
        }

        @Override
        public String toString() {
            return weight + " (transposed, columns from " + firstColumn + ")";
        }
    }
}

package dev.llmgraph.ggml;

import java.util.Arrays;

/**
 * Where a tensor's elements lie in a {@link MappedFile}. Weight files of other frameworks do not always
 * hold a tensor as one contiguous run in ggml order: a fused projection interleaves several tensors, and a
 * GPT-2 {@code Conv1D} stores the transpose. A region says how to gather (when reading) or scatter (when
 * writing) the tensor's elements, so that {@code dsl/} can describe a checkpoint's layout without touching
 * native memory.
 */
public sealed interface FileRegion {

    /**
     * The tensor's elements, in ggml order, split into consecutive blocks of {@code blockElements}
     * elements; block {@code b} lies at byte {@code offsets[b]} of the file. One block is the plain case
     * (the whole tensor in one run); many blocks gather rows out of a fused tensor or permute them. An offset of
     * {@link #ELSEWHERE} marks a block this region does not hold: writing leaves it out, so that one tensor (a
     * stack of experts) can be written into several file tensors (one per expert), one region each; reading
     * needs every block.
     *
     * @param blockElements elements per block
     * @param offsets       the file byte offset of each block, in the tensor's order, or {@link #ELSEWHERE}
     */
    record Blocks(long blockElements, long[] offsets) implements FileRegion {
        /** The offset of a block that lies in another region. */
        public static final long ELSEWHERE = -1;

        public Blocks {
            offsets = offsets.clone();
        }

        @Override
        public long[] offsets() {
            return offsets.clone();
        }

        long offset(int block) {
            return offsets[block];
        }

        int count() {
            return offsets.length;
        }

        boolean complete() {
            return Arrays.stream(offsets).noneMatch(o -> o == ELSEWHERE);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blocks b && b.blockElements == blockElements && Arrays.equals(b.offsets, offsets);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(blockElements) * 31 + Arrays.hashCode(offsets);
        }

        @Override
        public String toString() {
            return "Blocks(" + offsets.length + " x " + blockElements + " elements)";
        }
    }

    /**
     * The file holds a row-major matrix of {@code rowElements} elements per row, starting at byte
     * {@code offset}, and the tensor {@code [ne0, ne1]} is the transpose of its columns
     * {@code firstColumn .. firstColumn + ne1 - 1}: tensor element {@code (i, o)} ({@code i < ne0}, the fast
     * index) is file element {@code (row i, column firstColumn + o)}. This is how a GPT-2 {@code Conv1D}
     * weight {@code [in, out]} relates to a ggml projection {@code [in, out]} in ggml order.
     *
     * @param offset      file byte offset of the matrix's element (0, 0)
     * @param rowElements elements per row of the file's matrix
     * @param firstColumn the first column that belongs to the tensor
     */
    record Transposed(long offset, long rowElements, long firstColumn) implements FileRegion {
    }

    /** The whole tensor as one run of elements starting at byte {@code offset}. */
    static Blocks contiguous(long offset, long elements) {
        return new Blocks(elements, new long[] {offset});
    }
}

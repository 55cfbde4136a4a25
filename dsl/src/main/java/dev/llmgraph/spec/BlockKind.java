package dev.llmgraph.spec;

/**
 * The attention a block performs: over its own sequence, or (in an encoder-decoder's decoder) over the
 * encoder's output. Decoder-only models use SELF_ATTENTION throughout.
 */
public enum BlockKind {
    SELF_ATTENTION, CROSS_ATTENTION
}

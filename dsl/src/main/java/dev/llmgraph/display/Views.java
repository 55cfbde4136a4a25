package dev.llmgraph.display;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.ShapeTrace;

/**
 * Views of a spec for notebooks and JShell. Each returns a {@link RichDisplay}: the value of a notebook
 * cell shows as HTML or SVG, and {@code toString()} gives the aligned-text form.
 * <pre>{@code
 * Views.summary(Presets.llama2_7b())                      // choices, components, costs, block diagram
 * Views.diagram(Presets.falcon7b())                       // the block diagram alone (SVG)
 * var llama = Presets.llama2_7b();
 * Views.compare(llama, llama.withPlacement(NormPlacement.POST)
 *         .withPositional(Positional.alibi())
 *         .withAttention(Attention.multiQuery(32)))       // what changes, side by side
 * Views.shapes(llama.accounting().shapeTrace(8))          // every named node with its shape
 * }</pre>
 * {@code Display.bundleOf(spec)} and {@code Display.show(spec)} use {@link #summary}.
 */
public final class Views {
    private Views() {}

    public static SpecSummary summary(ModelSpec spec) {
        return SpecSummary.of(spec);
    }

    public static BlockDiagram diagram(ModelSpec spec) {
        return BlockDiagram.of(spec);
    }

    public static SpecComparison compare(ModelSpec a, ModelSpec b) {
        return SpecComparison.of(a, b);
    }

    public static ShapeTraceView shapes(ShapeTrace trace) {
        return new ShapeTraceView(trace);
    }
}

package dev.llmgraph.model;

import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.WeightLayout;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The weights of a spec a {@link LoraConfig} adapts, in words when it cannot: the projections a block
 * multiplies through {@code GraphBuilder.linear}, which is where the adapter's update is added.
 */
public final class LoraTargets {
    /** The block projections an adapter can target, by llama.cpp name without {@code blk.N.} and {@code .weight}. */
    public static final List<String> PROJECTIONS = List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate",
            "ffn_up", "ffn_down");
    private static final Pattern BLOCK_WEIGHT = Pattern.compile("blk\\.\\d+\\.([a-z_]+)\\.weight");

    private LoraTargets() {}

    /** The projection of a weight name ({@code attn_q} for {@code blk.3.attn_q.weight}); null if it is none. */
    public static String projection(String weightName) {
        Matcher m = BLOCK_WEIGHT.matcher(weightName);
        return m.matches() && PROJECTIONS.contains(m.group(1)) ? m.group(1) : null;
    }

    /** The weights of {@code spec} that {@code config} adapts, in layout order. */
    static List<WeightLayout.Weight> resolve(ModelSpec spec, LoraConfig config) {
        List<WeightLayout.Weight> projections = WeightLayout.of(spec).stream()
                .filter(w -> projection(w.name()) != null).toList();
        Set<String> present = new LinkedHashSet<>();
        projections.forEach(w -> present.add(projection(w.name())));
        List<Pattern> patterns = new ArrayList<>();
        for (String target : config.targets()) {
            Pattern pattern = Pattern.compile(target);
            if (present.stream().noneMatch(p -> pattern.matcher(p).matches())) {
                throw new IllegalArgumentException("LoRA target \"" + target + "\" matches no projection of "
                        + spec.name() + "; its projections are " + present + " (targets are regular expressions over "
                        + "these names, e.g. \"attn_[qv]\")");
            }
            patterns.add(pattern);
        }
        List<WeightLayout.Weight> targets = projections.stream()
                .filter(w -> patterns.stream().anyMatch(p -> p.matcher(projection(w.name())).matches())).toList();
        for (WeightLayout.Weight w : targets) {
            long in = w.ne()[0], out = w.ne()[1];
            if (config.rank() > Math.min(in, out)) {
                throw new IllegalArgumentException("rank = " + config.rank() + " is more than " + w.name()
                        + " allows: it maps " + in + " inputs to " + out + " outputs, and B A has rank at most "
                        + "min(in, out) = " + Math.min(in, out) + "; choose rank <= " + Math.min(in, out));
            }
        }
        return targets;
    }
}

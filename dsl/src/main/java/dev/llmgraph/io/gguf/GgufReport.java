package dev.llmgraph.io.gguf;

import dev.llmgraph.io.family.ModelFamily;
import dev.llmgraph.spec.ArchitectureKind;
import dev.llmgraph.spec.Mamba2;
import dev.llmgraph.spec.ModelSpec;
import dev.llmgraph.spec.Rwkv6;
import dev.llmgraph.spec.Rwkv7;
import dev.llmgraph.spec.Ssm;
import dev.llmgraph.spec.Norm;
import dev.llmgraph.spec.NormPlacement;
import dev.llmgraph.spec.Positional;
import dev.llmgraph.spec.RopeScaling;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which llama.cpp architecture a spec maps to, so that llama.cpp loads and runs its GGUF file and computes
 * what llmgraph computes; or, when none does, which choices of the spec have no llama.cpp equivalent:
 * <pre>{@code
 * GgufReport.of(Presets.llama3_8b())   // llama-3-8b maps to llama.cpp's 'llama' architecture (chatglm would
 *                                      // compute the same)
 * GgufReport.of(Presets.mistral7b())   // mistral-7b maps to no llama.cpp architecture; the closest, llama,
 *                                      // differs in: a sliding window (window 4096 on every layer) with a
 *                                      // llama architecture (llama.cpp's llama graph attends to every earlier
 *                                      // position)
 * }</pre>
 * The architectures considered are those of {@link ModelFamily}, in its order: llama, qwen2, qwen3, qwen2moe, olmoe,
 * qwen3moe, deepseek2, gemma2, gemma3, chatglm, gpt2, bloom, falcon, mamba, mamba2, jamba, rwkv6, rwkv7, bert and
 * nomic-bert.
 */
public final class GgufReport {
    private final String specName;
    private final List<ModelFamily> fits;
    private final ModelFamily closest;
    private final List<String> problems;
    private final List<String> notes;

    private GgufReport(String specName, List<ModelFamily> fits, ModelFamily closest, List<String> problems,
                       List<String> notes) {
        this.specName = specName;
        this.fits = fits;
        this.closest = closest;
        this.problems = problems;
        this.notes = notes;
    }

    public static GgufReport of(ModelSpec spec) {
        List<String> notes = notes(spec);
        List<String> universal = universalMisfits(spec);
        if (!universal.isEmpty()) {
            return new GgufReport(spec.name(), List.of(), null, universal, List.copyOf(notes));
        }
        List<ModelFamily> fits = new ArrayList<>();
        ModelFamily closest = null;
        List<String> fewest = null;
        for (ModelFamily family : ModelFamily.values()) {
            List<String> misfits = FamilyMisfits.of(family, spec);
            if (misfits.isEmpty()) {
                fits.add(family);
            } else if (fewest == null || misfits.size() < fewest.size() || ownRecurrence(spec, family)) {
                closest = family;
                fewest = misfits;
            }
        }
        if (!fits.isEmpty()) {
            if (fits.getFirst() == ModelFamily.GEMMA2 && spec.attention().window() == null) {
                notes.add("llama.cpp's gemma2 graph always has sliding windows; full attention is written as a window "
                        + "of contextLength = " + spec.contextLength() + ", which masks nothing");
            }
            return new GgufReport(spec.name(), List.copyOf(fits), null, List.of(), List.copyOf(notes));
        }
        return new GgufReport(spec.name(), List.of(), closest, fewest, List.copyOf(notes));
    }

    /** Whether the spec maps to a llama.cpp architecture. */
    public boolean maps() {
        return !fits.isEmpty();
    }

    /** llama.cpp's name of the architecture the spec is written as. */
    public Optional<String> architecture() {
        return fits.isEmpty() ? Optional.empty() : Optional.of(fits.getFirst().llamaCpp());
    }

    /** Other architectures whose graphs compute the same spec. */
    public List<String> alsoFits() {
        return fits.stream().skip(1).map(ModelFamily::llamaCpp).toList();
    }

    /** Why the spec maps to none: its choices without an equivalent in the closest architecture (or in any). */
    public List<String> problems() {
        return problems;
    }

    /** The architecture with the fewest problems, when none fits and the problems are particular to one. */
    public Optional<String> closest() {
        return Optional.ofNullable(closest).map(ModelFamily::llamaCpp);
    }

    /** How choices are written when llama.cpp expresses them differently (e.g. NTK-aware RoPE as its base). */
    public List<String> notes() {
        return notes;
    }

    ModelFamily target() {
        return fits.getFirst();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(specName);
        if (maps()) {
            out.append(" maps to llama.cpp's '").append(fits.getFirst().llamaCpp()).append("' architecture");
            if (fits.size() > 1) {
                out.append(" (").append(String.join(", ", alsoFits())).append(" would compute the same)");
            }
        } else {
            out.append(" maps to no llama.cpp architecture");
            out.append(closest == null ? ":" : "; the closest, " + closest.llamaCpp() + ", differs in:");
            problems.forEach(p -> out.append("\n  ").append(p));
        }
        notes.forEach(n -> out.append("\n  note: ").append(n));
        return out.toString();
    }

    /**
     * Whether {@code family} is the state space of a recurrent spec: its own misfits (a Mamba of another expansion)
     * say more than any other family's "not a state space".
     */
    private static boolean ownRecurrence(ModelSpec spec, ModelFamily family) {
        if (spec.rwkv() != null) {
            return switch (spec.rwkv()) {
                case Rwkv6 _ -> family == ModelFamily.RWKV6;
                case Rwkv7 _ -> family == ModelFamily.RWKV7;
            };
        }
        return switch (spec.ssm()) {
            case null -> false;
            case Ssm _ -> family == (spec.hybrid() != null ? ModelFamily.JAMBA : ModelFamily.MAMBA);
            case Mamba2 _ -> family == ModelFamily.MAMBA2;
        };
    }

    /** Choices no architecture here has, reported alone because no closest architecture would help. */
    private static List<String> universalMisfits(ModelSpec spec) {
        List<String> out = new ArrayList<>();
        if (spec.linear() != null) {
            out.add("linear attention (llama.cpp has no linear-attention architecture, so no GGUF it reads can hold "
                    + "this model; keep it in llmgraph, or use softmax attention)");
        }
        String positions = "(the llama.cpp decoders llmgraph maps to use RoPE, ALiBi or learned positions)";
        if (spec.kind() != ArchitectureKind.CAUSAL_DECODER && spec.kind() != ArchitectureKind.ENCODER) {
            out.add("a " + spec.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " (llama.cpp's decoders are causal)");
        }
        switch (spec.positional()) {
            case Positional.T5Bias t5 -> out.add("T5 bias in a decoder (llama.cpp has T5's bucketed relative bias "
                    + "only in its t5 encoder-decoder)");
            case Positional.Sinusoidal sinusoidal -> out.add("sinusoidal positions " + positions);
            case Positional.None none -> {
                if (!spec.recurrent()) { // a state space model (mamba) takes positions from its recurrence
                    out.add("NoPE " + positions);
                }
            }
            case Positional.Learned _, Positional.Rope _, Positional.Alibi _ -> { } // llama.cpp decoders have these
        }
        // bert is post-LN; the decoders are not.
        if (spec.placement() == NormPlacement.DEEPNORM || spec.placement() == NormPlacement.POST && !spec.encoder()) {
            out.add(spec.placement() + " norm placement (the llama.cpp decoders llmgraph maps to normalise before each "
                    + "sublayer, Gemma 2 also after it)");
        }
        switch (spec.norm()) {
            case Norm.SimpleRmsNorm _ -> out.add("SimpleRMSNorm (llama.cpp's block norms have a weight)");
            case Norm.LayerNorm _, Norm.RmsNorm _ -> { }
        }
        return out;
    }

    private static List<String> notes(ModelSpec spec) {
        List<String> out = new ArrayList<>();
        switch (spec.positional()) {
            case Positional.Rope rope -> {
                switch (rope.scaling()) {
                    case RopeScaling.NtkAware _ -> out.add("NTK-aware RoPE scaling is written as the base it raises "
                            + "theta to, " + (float) rope.effectiveTheta(spec.ropeHeadDim()) + " (llama.cpp has no "
                            + "NTK-aware setting; the rotation is the same)");
                    case RopeScaling.None _, RopeScaling.Linear _, RopeScaling.Yarn _, RopeScaling.Llama3 _,
                         RopeScaling.LongRope _ -> { }
                }
            }
            case Positional.None _, Positional.Learned _, Positional.Sinusoidal _, Positional.Alibi _,
                 Positional.T5Bias _ -> { }
        }
        return out;
    }

}

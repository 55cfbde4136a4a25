package dev.llmgraph.spec;

import java.util.SplittableRandom;

/** Random valid specs over every axis, for properties that must hold for any architecture. */
final class RandomSpecs {
    private RandomSpecs() {}

    static ModelSpec next(SplittableRandom r, String name) {
        int[] headCounts = {1, 2, 3, 4, 6, 8};
        int heads = headCounts[r.nextInt(headCounts.length)];
        int kvHeads = divisorOf(heads, r);
        boolean explicitHeadDim = r.nextBoolean();
        int headDim = 2 << r.nextInt(1, 5); // 4 .. 32
        int dModel = explicitHeadDim ? 2 * r.nextInt(4, 65) : heads * headDim;
        Attention attention = Attention.grouped(heads, kvHeads)
                .withHeadDim(explicitHeadDim ? headDim : 0)
                .withBias(r.nextBoolean(), r.nextBoolean())
                .withQkNorm(r.nextBoolean())
                .withFlash(r.nextBoolean());
        if (r.nextBoolean()) {
            attention = attention.withSlidingWindow(SlidingWindow.withGlobalEvery(r.nextInt(1, 64), r.nextInt(0, 4)));
        }
        ArchitectureKind kind = r.nextBoolean() ? ArchitectureKind.CAUSAL_DECODER : ArchitectureKind.PREFIX_DECODER;
        Norm norm = switch (r.nextInt(4)) {
            case 0 -> Norm.layer(1e-5);
            case 1 -> Norm.layer(1e-5, false);
            case 2 -> Norm.rms(1e-6);
            default -> Norm.simpleRms(1e-5);
        };
        NormPlacement placement = NormPlacement.values()[r.nextInt(4)];
        boolean parallel = (placement == NormPlacement.PRE || placement == NormPlacement.POST) && r.nextBoolean();
        Activation activation = Activation.values()[r.nextInt(Activation.values().length)];
        boolean gated = activation == Activation.IDENTITY || r.nextBoolean();
        Ffn ffn = new Ffn(activation, gated, r.nextInt(1, 300), r.nextBoolean());
        return Transformer.builder(name, kind)
                .vocabSize(r.nextInt(1, 5000)).dModel(dModel).layers(r.nextInt(1, 8)).contextLength(r.nextInt(1, 512))
                .attention(attention)
                .positional(positional(r, headDim(attention, dModel), kind))
                .norm(norm, placement).parallelBlock(parallel)
                .ffn(ffn)
                .embeddings(new Embeddings(r.nextBoolean(), r.nextBoolean() ? 1 : 2.5, r.nextBoolean()))
                .finalNorm(r.nextBoolean())
                .build();
    }

    private static int headDim(Attention a, int dModel) {
        return a.headDim() > 0 ? a.headDim() : dModel / a.heads();
    }

    private static Positional positional(SplittableRandom r, int headDim, ArchitectureKind kind) {
        return switch (r.nextInt(6)) {
            case 0 -> Positional.none();
            case 1 -> Positional.learned();
            case 2 -> Positional.sinusoidal();
            case 3 -> Positional.alibi();
            case 4 -> {
                int buckets = r.nextInt(kind == ArchitectureKind.CAUSAL_DECODER ? 2 : 4, 40);
                yield Positional.t5Bias(buckets, buckets / 2 + r.nextInt(1, 200));
            }
            default -> Positional.rope(10_000).withFraction(headDim >= 8 && r.nextBoolean() ? 0.25 : 1.0)
                    .withPairing(r.nextBoolean() ? RopePairing.ADJACENT : RopePairing.HALVES);
        };
    }

    private static int divisorOf(int n, SplittableRandom r) {
        while (true) {
            int d = r.nextInt(1, n + 1);
            if (n % d == 0) {
                return d;
            }
        }
    }
}

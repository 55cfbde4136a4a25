// Issue 19's fusion lever, measured before building it: TinyLlama's per-layer projections that share an
// input (q, k, v; gate, up) as separate matrix products against one product with the rows stacked, 22 layers
// of independent weights, Q4_0 in ggml's CPU_REPACK buffer (as bench loads them), 2 threads.
import dev.llmgraph.ggml.*;
int threads = 2, layers = 22, d = 2048;
long[][] separate = {{2048, 256, 256}, {5632, 5632}};   // rows of q, k, v; of gate, up
String[] groupNames = {"q,k,v", "gate,up"};
try (Backend cpu = Backend.cpu(threads)) {
    BufferType repack = cpu.extraBufferTypes().stream().filter(b -> b.name().contains("REPACK")).findFirst().orElseThrow();
    for (int group = 0; group < 2; group++) {
        for (int tokens : new int[] {1, 128}) {
            double[] perGraph = new double[2];
            for (int fused = 0; fused < 2; fused++) {
                long[] rows = fused == 1 ? new long[] {java.util.Arrays.stream(separate[group]).sum()} : separate[group];
                Context w = Context.create(layers * rows.length + 1);
                List<Tensor> weights = new ArrayList<>();
                for (int l = 0; l < layers; l++) for (long r : rows) weights.add(w.newTensor("w", GgmlType.Q4_0, d, r));
                w.allocate(repack);
                var random = new java.util.Random(1);
                for (Tensor t : weights) {
                    float[] values = new float[(int) (t.ne(0) * t.ne(1))];
                    for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian() * 0.02f;
                    t.setFloats(values);   // quantized to Q4_0 and repacked by the buffer
                }
                Context c = Context.create(layers * 4 + 4, layers * 4 + 8);
                Tensor x = c.newTensor("x", GgmlType.F32, d, tokens);
                c.allocate(cpu);
                x.setFloats(new float[d * tokens]);
                Graph g = c.newGraph(layers * 4 + 8);
                for (Tensor t : weights) g.expand(c.mulMat(t, x));
                for (int i = 0; i < 3; i++) cpu.compute(g);
                int reps = tokens == 1 ? 60 : 6;
                double best = Double.MAX_VALUE;
                for (int round = 0; round < 5; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) cpu.compute(g);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e6 / reps);
                }
                perGraph[fused] = best;
            }
            System.out.printf("%s, %d token(s), 22 layers: separate %.3f ms, stacked %.3f ms, stacked/separate %.3f%n",
                    groupNames[group], tokens, perGraph[0], perGraph[1], perGraph[1] / perGraph[0]);
        }
    }
}
/exit

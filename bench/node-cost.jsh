// The fixed cost of one graph node on ggml's CPU backend at 2 threads: a chain of N element-wise ops on a
// 64-float tensor (no real work), computed many times; time per node = what fusing two nodes into one saves,
// apart from the work itself. Compared with one matrix-vector product of TinyLlama's shapes for scale.
import dev.llmgraph.ggml.*;
int threads = 2;
try (Backend cpu = Backend.cpu(threads)) {
    for (int n : new int[] {100, 400, 1600}) {
        Context c = Context.create(n + 4, n + 4);
        Tensor x = c.newTensor("x", GgmlType.F32, 64);
        c.allocate(cpu);
        x.setFloats(new float[64]);
        Tensor chain = x;
        for (int i = 0; i < n; i++) chain = c.scale(chain, 1.0001f);
        Graph g = c.newGraph(n + 4).expand(chain);
        for (int i = 0; i < 200; i++) cpu.compute(g);               // warm-up
        int reps = 2000;
        long[] best = {Long.MAX_VALUE};
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) cpu.compute(g);
            best[0] = Math.min(best[0], System.nanoTime() - t0);
        }
        System.out.printf("%d nodes: %.2f us per node (best of 5 rounds of %d computations)%n", n,
                best[0] / 1e3 / reps / n, reps);
    }
}
/exit

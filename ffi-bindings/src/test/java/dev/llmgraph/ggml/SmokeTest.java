package dev.llmgraph.ggml;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SmokeTest {
    @Test
    void mulMatOnCpu() {
        try (Backend cpu = Backend.cpu(2); Context ctx = Context.create(16, 16)) {
            Tensor a = ctx.newTensor("a", GgmlType.F32, 3, 2);
            Tensor b = ctx.newTensor("b", GgmlType.F32, 3, 1);
            ctx.allocate(cpu);
            a.setFloats(1, 2, 3, 4, 5, 6);
            b.setFloats(1, 1, 1);
            Tensor c = ctx.mulMat(a, b).name("c");
            Graph g = ctx.newGraph(16).expand(c);
            cpu.compute(g);
            assertArrayEquals(new float[] {6, 15}, c.toFloats());
            System.out.println(Backend.devices());
        }
    }
}

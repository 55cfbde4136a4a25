package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping cells through the real protocol: jupyter_client sends interrupt_request while a cell runs;
 * the cell must end with the CellInterrupted error, and the kernel must run the next cell. One kernel
 * serves every test here, which also shows that it survives each kind of interrupt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelInterruptTest {
    private KernelClient client;

    @BeforeAll
    void startKernel(@TempDir Path work) throws Exception {
        client = KernelClient.open(work);
        assertEquals("message", client.start().path("interrupt_mode").asText());
    }

    @AfterAll
    void stopKernel() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void loopThatChecksTheInterruptFlagEndsAndTheRestOfTheCellIsSkipped() throws Exception {
        JsonNode answer = client.executeAndInterruptOn("""
                {
                    System.out.println("started");
                    long spins = 0;
                    while (!Thread.currentThread().isInterrupted()) spins++;
                    System.out.println("the loop saw the interrupt");
                }
                System.out.println("after the block");""", "started");

        assertEquals("error", answer.path("status").asText());
        assertEquals("CellInterrupted", answer.path("reply").path("ename").asText());
        assertEquals("the cell was interrupted", answer.path("reply").path("evalue").asText());
        assertEquals(List.of("CellInterrupted: the cell was interrupted"), KernelClient.traceback(answer));
        assertEquals("started\nthe loop saw the interrupt\n", answer.path("stdout").asText());
        assertNextCellRuns();
    }

    @Test
    void sleepEndsWithInterruptedException() throws Exception {
        // One snippet: an interrupt that lands between two snippets stops the cell before the second one
        // starts, with no exception to show. Inside one, it reaches the sleep even if it lands before it.
        JsonNode answer = client.executeAndInterruptOn("{ System.out.println(\"started\");\n  Thread.sleep(600_000); }",
                "started");

        List<String> traceback = KernelClient.traceback(answer);
        int cell = answer.path("reply").path("execution_count").asInt();
        assertEquals("CellInterrupted: the cell was interrupted", traceback.getFirst());
        assertEquals("java.lang.InterruptedException: sleep interrupted", traceback.get(2));
        assertEquals("\tat cell [" + cell + "] line 2", traceback.getLast());
        assertNextCellRuns();
    }

    @Test
    void ggmlComputationStopsBetweenOpsAndTheBackendStaysUsable() throws Exception {
        // 1000 products of 1024 x 1024 matrices: minutes of work, unless the interrupt stops it.
        JsonNode answer = client.executeAndInterruptOn("""
                import dev.llmgraph.ggml.*;
                Backend cpu = Backend.cpu(2);
                Context big = Context.create(1100, 1100);
                Tensor m = big.newTensor("m", GgmlType.F32, 1024, 1024);
                big.allocate(cpu);
                m.setFloats(new float[1024 * 1024]);
                Tensor chain = m;
                for (int i = 0; i < 1000; i++) chain = big.mulMat(m, chain);
                Graph graph = big.newGraph(1100).expand(chain);
                System.out.println("started");
                cpu.compute(graph);""", "started");

        List<String> traceback = KernelClient.traceback(answer);
        int cell = answer.path("reply").path("execution_count").asInt();
        assertEquals("CellInterrupted", answer.path("reply").path("ename").asText());
        assertEquals("dev.llmgraph.ggml.ComputeInterruptedException: the graph computation on CPU was interrupted",
                traceback.get(2));
        assertEquals("\tat cell [" + cell + "] line 11", traceback.getLast());

        JsonNode after = client.execute("""
                float[] product;
                try (Context small = Context.create(8, 8)) {
                    Tensor a = small.newTensor("a", GgmlType.F32, 3, 2);
                    Tensor b = small.newTensor("b", GgmlType.F32, 3, 1);
                    small.allocate(cpu);
                    a.setFloats(1, 2, 3, 4, 5, 6);
                    b.setFloats(1, 1, 1);
                    Tensor c = small.mulMat(a, b);
                    cpu.compute(small.newGraph(8).expand(c));
                    product = c.toFloats();
                }
                Arrays.toString(product)""");
        assertEquals("\"[6.0, 15.0]\"", KernelClient.result(after), "row sums of [[1,2,3],[4,5,6]]");
        client.execute("big.close(); cpu.close();");
    }

    @Test
    void loopThatIgnoresInterruptsIsStoppedAtItsNextBranch() throws Exception {
        JsonNode answer = client.executeAndInterruptOn("""
                void spin() {
                    System.out.println("started");
                    long spins = 0;
                    while (true) {
                        try {
                            spins++;
                            if (spins % 1_000_000 == 0) Thread.sleep(0);
                        } catch (InterruptedException ignored) {
                        }
                    }
                }
                spin();""", "started");

        List<String> traceback = KernelClient.traceback(answer);
        int cell = answer.path("reply").path("execution_count").asInt();
        assertEquals(List.of(
                "CellInterrupted: the cell was interrupted",
                "The cell stopped with:",
                "dev.llmgraph.shell.ForcedStopError: stopped at a loop or branch of the cell's code, which went on "
                        + "after the interrupt"), traceback.subList(0, 3));
        assertTrue(traceback.get(3).startsWith("\tat spin(cell [" + cell + "] line "), traceback.get(3));
        assertEquals("\tat cell [" + cell + "] line 12", traceback.getLast());
        assertNextCellRuns();
    }

    @Test
    void cellTimeoutInterruptsALongCell() throws Exception {
        client.execute("Kernel.cellTimeout(Duration.ofSeconds(1));");
        JsonNode answer = client.execute("Thread.sleep(600_000);");
        client.execute("Kernel.cellTimeout(Duration.ZERO);");

        assertEquals("the cell ran longer than the cell timeout of 1s and was interrupted",
                answer.path("reply").path("evalue").asText());
        assertEquals("java.lang.InterruptedException: sleep interrupted", KernelClient.traceback(answer).get(2));
        assertNextCellRuns();
    }

    @Test
    void completionKnowsEarlierCellsAndTheLlmgraphClassPath() throws Exception {
        client.execute("var names = new ArrayList<String>();");

        JsonNode methods = client.complete("int n = 1;\nnames.ad", 18);
        assertEquals(List.of("add(", "addAll(", "addFirst(", "addLast("), strings(methods.path("matches")));
        assertEquals(17, methods.path("cursor_start").asInt());
        assertEquals(18, methods.path("cursor_end").asInt());

        JsonNode llmgraph = client.complete("Backend.devi", 12);
        assertEquals(List.of("devices()"), strings(llmgraph.path("matches")));
        assertEquals(8, llmgraph.path("cursor_start").asInt());
    }

    @Test
    void inspectionShowsSignatures() throws Exception {
        JsonNode answer = client.inspect("Backend.devices(", 16);
        assertTrue(answer.path("found").asBoolean());
        // JShell finds Javadoc for the JDK only (its sources ship with it); llmgraph methods show their signature
        assertEquals("List<dev.llmgraph.ggml.Device> Backend.devices()", answer.path("data").path("text/plain").asText());
        assertFalse(client.inspect("42", 1).path("found").asBoolean());
    }

    private void assertNextCellRuns() throws Exception {
        JsonNode next = client.execute("6 * 7");
        assertEquals("ok", next.path("status").asText());
        assertEquals("42", KernelClient.result(next));
        assertNull(next.path("reply").get("ename"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

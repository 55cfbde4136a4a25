package dev.llmgraph.kernel;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelRehearsalTest {
    @Test
    void aKernelInThisJvmRunsTheCellsAnswersACompletionAndShutsDown() throws Exception {
        var answers = KernelRehearsal.play(List.of(
                "int layers = 6 * 7;",
                "System.out.println(layers);",
                "throw new IllegalStateException(\"no model \" + layers);",
                "Presets.tiny(Presets.llama2_7b()).layers()"), "Presets.llama");

        assertEquals(List.of("ok", "ok", "error: IllegalStateException: no model 42", "ok"), answers.cellStatuses());
        assertTrue(answers.completions().contains("llama2_7b()"), answers.completions()::toString);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("llmgraph-rehearsal-kernel")), "the kernel's thread has ended");
    }

    @Test
    void aKernelThatFailsBeforeItBindsIsReportedWithItsException() {
        var cause = new UnsatisfiedLinkError("no libggml.so in /nowhere");
        var failure = assertThrows(IllegalStateException.class, () -> KernelRehearsal.play(List.of("1 + 1"),
                "Presets.llama", connection -> { throw cause; }));

        assertEquals("the rehearsal kernel failed before it answered a kernel_info_request: "
                + "java.lang.UnsatisfiedLinkError: no libggml.so in /nowhere", failure.getMessage());
        assertSame(cause, failure.getCause());
    }
}

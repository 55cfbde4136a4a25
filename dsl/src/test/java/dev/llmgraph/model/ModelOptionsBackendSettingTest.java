package dev.llmgraph.model;

import dev.llmgraph.ggml.Backend;
import dev.llmgraph.testing.Gpu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@link ModelOptions#configured()}: the one backend setting notebooks and scripts read. The environment is
 * passed in as a lookup, so these tests never depend on, or change, the real one.
 */
class ModelOptionsBackendSettingTest {
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    private String propertyBefore;

    @BeforeEach
    void clearTheSetting() {
        propertyBefore = System.clearProperty(ModelOptions.BACKEND_PROPERTY);
        ModelOptions.FALLBACK_REPORTED.set(false);
    }

    @AfterEach
    void restoreTheSetting() {
        if (propertyBefore == null) {
            System.clearProperty(ModelOptions.BACKEND_PROPERTY);
        } else {
            System.setProperty(ModelOptions.BACKEND_PROPERTY, propertyBefore);
        }
    }

    @Test
    void withNoSettingTheModelRunsOnTheCpu() {
        assertEquals(ModelOptions.cpu(), ModelOptions.configured(NO_ENVIRONMENT));
        assertEquals(ModelOptions.cpu(), ModelOptions.configured(name -> "  "), "a blank value counts as unset");
    }

    @Test
    void cudaAskedForWithoutAGpuFallsBackToTheCpuAndSaysWhyOnce() {
        assumeFalse(Backend.cudaAvailable(), "this machine has a GPU, so CUDA is used rather than the fallback");
        System.setProperty(ModelOptions.BACKEND_PROPERTY, "cuda");
        String err = stderrOf(() -> {
            assertEquals(ModelOptions.cpu(), ModelOptions.configured(NO_ENVIRONMENT));
            assertEquals(ModelOptions.cpu(), ModelOptions.configured(NO_ENVIRONMENT), "the second model of a notebook");
        });
        String reason = Backend.cudaUnavailableReason().orElseThrow();
        assertEquals("llmgraph: llmgraph.backend=cuda but " + reason + "; running on the CPU" + System.lineSeparator(),
                err);
    }

    @Test
    @Tag(Gpu.TAG) // run by bin/llmgraph check on a GPU server
    void cudaAskedForWhereAGpuCanBeUsedRunsThereWithoutAWord() {
        Gpu.assumeCuda();
        System.setProperty(ModelOptions.BACKEND_PROPERTY, "CUDA:0");
        String err = stderrOf(() -> assertEquals(ModelOptions.cuda().withBackend("cuda:0"),
                ModelOptions.configured(NO_ENVIRONMENT)));
        assertEquals("", err);
    }

    @Test
    void aValueThatNamesNoBackendIsRefusedWithTheAcceptedOnes() {
        System.setProperty(ModelOptions.BACKEND_PROPERTY, "tpu");
        var e = assertThrows(IllegalArgumentException.class, () -> ModelOptions.configured(NO_ENVIRONMENT));
        assertEquals("llmgraph.backend=tpu names no backend; set it to cpu, cuda or cuda:N (N: the GPU's number, "
                + "from 0), or leave it unset for the CPU", e.getMessage());
    }

    @Test
    void theEnvironmentVariableIsReadWhenThePropertyIsAbsent() {
        assertEquals(ModelOptions.cpu(), ModelOptions.configured(Map.of("LLMGRAPH_BACKEND", "CPU")::get));
        var e = assertThrows(IllegalArgumentException.class,
                () -> ModelOptions.configured(Map.of("LLMGRAPH_BACKEND", "cuda:first")::get));
        assertEquals("LLMGRAPH_BACKEND=cuda:first names no backend; set it to cpu, cuda or cuda:N (N: the GPU's "
                + "number, from 0), or leave it unset for the CPU", e.getMessage());
    }

    @Test
    void thePropertyWinsOverTheEnvironmentVariable() {
        System.setProperty(ModelOptions.BACKEND_PROPERTY, "cpu");
        assertEquals(ModelOptions.cpu(), ModelOptions.configured(Map.of("LLMGRAPH_BACKEND", "no-such-backend")::get));
    }

    @Test
    @Tag(Gpu.TAG) // run by bin/llmgraph check on a GPU server, where CUDA is listed
    void availableBackendsListTheCpuAndCudaWhereAGpuCanBeUsed() {
        assertEquals(Backend.cudaAvailable() ? List.of("cpu", "cuda") : List.of("cpu"), ModelOptions.availableBackends());
    }

    /** What {@code body} writes to stderr. */
    private static String stderrOf(Runnable body) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}

package dev.llmgraph.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgraph.bench.BenchReport;
import dev.llmgraph.display.Display;
import dev.llmgraph.display.DisplaySink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark called from a notebook cell: the same run as the command, its report returned. */
class BenchMeasureTest {

    @Test
    void measuresBothEnginesAndReturnsTheReport(@TempDir Path out) {
        BenchReport report = BenchCommand.measure("--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "8", "-n", "4",
                "-r", "1", "--rounds", "1", "--threads", "2", "--out", out.toString());
        assertEquals(2, report.rows().size(), report.toString());
        for (BenchReport.Row row : report.rows()) {
            assertTrue(row.ratio() > 0 && Double.isFinite(row.ratio()), "llmgraph and llama.cpp both measured: " + row);
        }
        assertTrue(report.mimeBundle().get("text/html").contains("tiny-gpt2-small"));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "the .md and .json, as the command writes them");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** -p 0 or -n 0 leaves that test out on both sides, as llama-bench's; both 0 is refused in words. */
    @Test
    void aTestOfZeroTokensIsLeftOut(@TempDir Path out) {
        BenchReport generateOnly = BenchCommand.measure("--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "0",
                "-n", "4", "-r", "1", "--rounds", "1", "--threads", "2", "--out", out.toString());
        assertEquals(List.of("tg4"), generateOnly.rows().stream().map(r -> r.llamaCpp().test()).toList(),
                generateOnly.toString());
        BenchReport promptOnly = BenchCommand.measure("--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "8",
                "-n", "0", "-r", "1", "--rounds", "1", "--threads", "2", "--out", out.toString());
        assertEquals(List.of("pp8"), promptOnly.rows().stream().map(r -> r.llmgraph().test()).toList(),
                promptOnly.toString());
        assertTrue(promptOnly.rows().getFirst().ratio() > 0, promptOnly.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> BenchCommand.measure("--model", "tiny-gpt2-small",
                "-p", "0", "-n", "0", "--threads", "2"));
        assertEquals("prompt and generate must be at least 0 and not both 0 (0 leaves that test out, as llama-bench's "
                + "-p 0 and -n 0), repetitions, rounds and threads at least 1; got 0, 0, 3, 3, 2", e.getMessage());
    }

    @Test
    void atADepthBothEnginesMeasureEachTestAfterThatManyTokens(@TempDir Path out) throws Exception {
        BenchReport report = BenchCommand.measure("--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "8", "-n", "4",
                "-r", "1", "--rounds", "1", "--threads", "2", "-d", "0,16", "--out", out.toString());

        assertEquals(List.of("pp8", "tg4", "pp8 @ d16", "tg4 @ d16"),
                report.rows().stream().map(r -> r.llmgraph().test()).toList(), report.toString());
        for (BenchReport.Row row : report.rows()) {
            assertEquals(row.llmgraph().nDepth(), row.llamaCpp().nDepth(), "paired at the same depth: " + row);
            assertEquals(row.llmgraph().test().endsWith(" @ d16") ? 16 : 0, row.llmgraph().nDepth(), row.toString());
            assertTrue(row.ratio() > 0 && Double.isFinite(row.ratio()), "llmgraph and llama.cpp both measured: " + row);
        }
        JsonNode json = new ObjectMapper().readTree(report.json());
        List<Integer> depths = new ArrayList<>();
        json.path("results").forEach(r -> depths.add(r.path("n_depth").asInt()));
        assertEquals(List.of(0, 0, 16, 16, 0, 0, 16, 16), depths, "llmgraph's rows, then llama-bench's: " + json);
    }

    @Test
    void ctxWritesAPresetLongEnoughForADepthBeyondItsOwnContext(@TempDir Path out) {
        // tiny presets hold 128 positions: 8 + 4 + 160 needs 172
        BenchReport report = BenchCommand.measure("--model", "tiny-tinyllama-1.1b", "--type", "q8_0", "-p", "8", "-n",
                "4", "-r", "1", "--rounds", "1", "--threads", "2", "-d", "160", "--ctx", "172", "--out", out.toString());

        assertEquals(List.of("pp8 @ d160", "tg4 @ d160"), report.rows().stream().map(r -> r.llmgraph().test()).toList());
        for (BenchReport.Row row : report.rows()) {
            assertTrue(row.ratio() > 0 && Double.isFinite(row.ratio()), "llmgraph and llama.cpp both measured: " + row);
        }
    }

    @Test
    void aCellSeesALiveBarOverTheRunsOfBothEngines(@TempDir Path out) {
        List<Map<String, String>> shown = new ArrayList<>();
        Display.install(new DisplaySink() {
            public void display(Map<String, String> bundle, String displayId) {
                shown.add(bundle);
            }

            public void update(Map<String, String> bundle, String displayId) {
                shown.add(bundle);
            }

            public boolean supportsUpdates() {
                return true;
            }
        });
        try {
            BenchCommand.measure("--model", "tiny-gpt2-small", "--type", "q8_0", "-p", "8", "-n", "4", "-r", "1",
                    "--rounds", "1", "--threads", "2", "--out", out.toString());
        } finally {
            Display.reset();
        }
        // one display, then an update per run (llmgraph and llama-bench) and one when it closes
        assertTrue(shown.getFirst().get("text/plain").startsWith("bench 0/2 runs"), shown.getFirst().toString());
        assertTrue(shown.getLast().get("text/plain").startsWith("bench 2/2 runs (100%)"), shown.getLast().toString());
        assertTrue(shown.getLast().get("text/html").contains("<progress value=\"2\" max=\"2\""),
                shown.getLast().get("text/html"));
    }

    @Test
    void theDefaultTableIsNotRunFromACell() {
        var e = assertThrows(IllegalArgumentException.class, () -> BenchCommand.measure("-p", "8"));
        assertEquals("name the models to measure, e.g. measure(\"--model\", \"tiny-gpt2-small\", \"--type\", \"q8_0\"); "
                + "the default table takes about 20 minutes, run it with bin/llmgraph bench --default", e.getMessage());
    }
}

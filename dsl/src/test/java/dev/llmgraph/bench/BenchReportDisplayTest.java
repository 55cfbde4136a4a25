package dev.llmgraph.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A benchmark report shown in a notebook: the medians and ratios as a table, the ratios as a chart. */
class BenchReportDisplayTest {

    @Test
    void showsMediansRatiosAChartAndTheNotes() {
        List<BenchResult> results = List.of(
                new BenchResult("llmgraph", "tiny", "f16", "tg16", 0, 16, 2, "cpu", false, new double[] {90, 100, 110}),
                new BenchResult("llama.cpp", "tiny", "f16", "tg16", 0, 16, 2, "cpu", false, new double[] {70, 80, 90}));
        BenchReport report = new BenchReport("a test machine", "bench", "2026-12-04", results,
                Map.of("copy bandwidth", "40.0 GB/s"));
        Map<String, String> bundle = report.mimeBundle();
        String html = bundle.get("text/html");
        RatioInterval ratio = report.rows().getFirst().interval();
        assertEquals(1.25, ratio.estimate(), 1e-12, "the ratio of the medians, 100 / 80");
        assertTrue(ratio.low() < 1.25 && ratio.high() > 1.25, ratio.toString());
        assertTrue(html.contains(">1.250 [" + String.format("%.3f, %.3f", ratio.low(), ratio.high()) + "]</td>"),
                "the ratio with its interval: " + html);
        assertTrue(report.markdown().contains("Geometric mean of the ratios: " + ratio), report.markdown());
        assertTrue(html.contains("data:image/svg+xml;base64,"), "the ratio chart as an image");
        assertTrue(html.contains("40.0 GB/s"), "the notes");
        assertTrue(html.contains("a test machine, 2026-12-04"), "the caption");
        assertEquals(report.markdown(), bundle.get("text/plain"));
    }
}

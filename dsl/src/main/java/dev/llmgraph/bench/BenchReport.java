package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.llmgraph.display.Charts;
import dev.llmgraph.display.RichDisplay;
import dev.llmgraph.display.SvgBundle;
import dev.llmgraph.display.Table;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * llmgraph and llama.cpp side by side: one row per model, type and test with both throughputs and the
 * ratio llmgraph / llama.cpp, plus the decode diagnostics (graph-building share, roofline fraction).
 * Written as a console table, Markdown and JSON (llama-bench's field names); in a notebook, an HTML table
 * with a chart of the ratios.
 */
public record BenchReport(String machine, String command, String date, List<BenchResult> results,
                          Map<String, String> notes) implements RichDisplay {

    /** The rows pairing each llmgraph result with llama.cpp's result of the same model, type, test and depth. */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (BenchResult ours : results) {
            if (!ours.engine().equals("llmgraph")) {
                continue;
            }
            BenchResult theirs = results.stream().filter(r -> r.engine().equals("llama.cpp") && r.sameCell(ours))
                    .findFirst().orElse(null);
            rows.add(new Row(ours, theirs));
        }
        return rows;
    }

    public record Row(BenchResult llmgraph, BenchResult llamaCpp) {
        /** llmgraph / llama.cpp, of the median throughputs. */
        public double ratio() {
            return llamaCpp == null ? Double.NaN : llmgraph.medianTs() / llamaCpp.medianTs();
        }

        /** The ratio with its 95% bootstrap interval; null without llama.cpp's result. */
        public RatioInterval interval() {
            return llamaCpp == null ? null : RatioInterval.ofMedians(llmgraph.samplesTs(), llamaCpp.samplesTs());
        }
    }

    /** The geometric mean of the rows' ratios with its 95% interval; null when no row has both engines. */
    public RatioInterval geometricMean() {
        List<double[][]> pairs = rows().stream().filter(r -> r.llamaCpp() != null)
                .map(r -> new double[][] {r.llmgraph().samplesTs(), r.llamaCpp().samplesTs()}).toList();
        return pairs.isEmpty() ? null : RatioInterval.geometricMean(pairs);
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | type | backend | threads | test | llmgraph t/s | llama.cpp t/s | ratio [95% CI] |\n");
        sb.append("| --- | --- | --- | ---: | --- | ---: | ---: | ---: |\n");
        for (Row r : rows()) {
            BenchResult a = r.llmgraph(), b = r.llamaCpp();
            sb.append(String.format("| %s | %s | %s | %d | %s | %s | %s | %s |%n", a.model(), a.type(),
                    a.backend(), a.threads(), a.test(), figure(a), b == null ? "-" : figure(b),
                    b == null ? "-" : r.interval()));
        }
        RatioInterval mean = geometricMean();
        if (mean != null) {
            sb.append("\nGeometric mean of the ratios: ").append(mean).append('\n');
        }
        sb.append("\nThroughputs: median of all samples (mean ± standard deviation, samples); ratio: llmgraph / "
                + "llama.cpp of the medians, with a 95% percentile-bootstrap interval (10,000 resamples of each "
                + "engine's samples).\n");
        if (!notes.isEmpty()) {
            sb.append('\n');
            notes.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        return sb.toString();
    }

    private static String figure(BenchResult r) {
        return String.format("%.2f (%.2f ± %.2f, n=%d)", r.medianTs(), r.avgTs(), r.stddevTs(), r.samplesTs().length);
    }

    public String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("machine", machine).put("command", command).put("date", date);
        ArrayNode rows = root.putArray("results");
        for (BenchResult r : results) {
            ObjectNode row = rows.addObject();
            row.put("engine", r.engine()).put("model_type", r.model()).put("type", r.type()).put("test", r.test())
                    .put("backends", r.backend()).put("n_threads", r.threads()).put("flash_attn", r.flash())
                    .put("n_prompt", r.nPrompt()).put("n_gen", r.nGen()).put("n_depth", r.nDepth())
                    .put("avg_ts", r.avgTs()).put("stddev_ts", r.stddevTs()).put("median_ts", r.medianTs());
            ArrayNode samples = row.putArray("samples_ts");
            for (double s : r.samplesTs()) {
                samples.add(s);
            }
        }
        ArrayNode ratios = root.putArray("ratios");
        for (Row r : rows()) {
            ObjectNode ratio = ratios.addObject().put("model_type", r.llmgraph().model())
                    .put("type", r.llmgraph().type()).put("test", r.llmgraph().test())
                    .put("n_depth", r.llmgraph().nDepth()).put("ratio", r.ratio());
            RatioInterval interval = r.interval();
            if (interval != null) {
                ratio.put("ci95_low", interval.low()).put("ci95_high", interval.high());
            }
        }
        RatioInterval mean = geometricMean();
        if (mean != null) {
            root.putObject("geometric_mean").put("ratio", mean.estimate()).put("ci95_low", mean.low())
                    .put("ci95_high", mean.high());
        }
        ObjectNode n = root.putObject("notes");
        notes.forEach(n::put);
        try {
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code name.md} and {@code name.json} into {@code folder}. */
    public void write(Path folder, String name) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve(name + ".md"), "# " + name + "\n\n- date: " + date + "\n- machine: "
                    + machine + "\n- command: `" + command + "`\n\n" + markdown());
            Files.writeString(folder.resolve(name + ".json"), json());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report into " + folder + ": " + e.getMessage(), e);
        }
    }

    /** In a notebook: the medians and ratios as a table, a bar chart of the ratios (1 = parity), the notes. */
    @Override
    public Map<String, String> mimeBundle() {
        Table table = Table.of("model", "type", "test", "llmgraph t/s", "llama.cpp t/s", "ratio [95% CI]")
                .caption(machine + ", " + date);
        List<String> labels = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (Row r : rows()) {
            BenchResult a = r.llmgraph(), b = r.llamaCpp();
            table.row(a.model(), a.type(), a.test(), a.medianTs(), b == null ? "-" : b.medianTs(),
                    b == null ? "-" : r.interval().toString());
            labels.add(a.model() + " " + a.type() + " " + a.test());
            ratios.add(r.ratio());
        }
        StringBuilder html = new StringBuilder(table.html());
        if (!labels.isEmpty()) {
            String svg = Charts.bar("llmgraph / llama.cpp, median tokens per second").categories(labels)
                    .series("ratio", ratios.stream().mapToDouble(Double::doubleValue).toArray()).yLabel("ratio")
                    .render().svg();
            html.append(SvgBundle.img(svg, "ratios of llmgraph to llama.cpp"));
        }
        if (!notes.isEmpty()) {
            Table diagnostics = Table.of("", "notes");
            notes.forEach(diagnostics::row);
            html.append(diagnostics.html());
        }
        return Map.of("text/html", html.toString(), "text/plain", markdown());
    }

    /** The report as its Markdown table, as {@code bench} prints it. */
    @Override
    public String toString() {
        return markdown();
    }
}

package dev.llmgraph.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Training speed of llmgraph and PyTorch on the same model, batches and threads ({@link TrainingBench}): the
 * median step time after warm-up of each, as tokens per second, and their ratio llmgraph / PyTorch (above 1:
 * llmgraph trains faster). Written as Markdown and JSON.
 *
 * @param lossDifference   the largest relative difference between the two engines' losses at the same step
 * @param load             the machine's 1-minute load average before and after the run
 * @param llmgraphSeconds  llmgraph's step times after warm-up, all rounds
 * @param pytorchSeconds   PyTorch's, the same way
 * @param forwardSeconds   llmgraph's forward pass and loss alone, the same way
 */
public record TrainingBenchReport(String machine, String command, String date, TrainingBench.Settings settings,
                                  long parameters, String torchVersion, double lossDifference, String load, List<Double> llmgraphSeconds,
                                  List<Double> pytorchSeconds, List<Double> forwardSeconds) {
    public TrainingBenchReport {
        llmgraphSeconds = List.copyOf(llmgraphSeconds);
        pytorchSeconds = List.copyOf(pytorchSeconds);
        forwardSeconds = List.copyOf(forwardSeconds);
    }

    /** Tokens (batch x context) per step. */
    public int tokensPerStep() {
        return settings.batch() * settings.context();
    }

    public double llmgraphTokensPerSecond() {
        return tokensPerStep() / TrainingBench.median(llmgraphSeconds);
    }

    public double pytorchTokensPerSecond() {
        return tokensPerStep() / TrainingBench.median(pytorchSeconds);
    }

    /** llmgraph / PyTorch of the median tokens per second. */
    public double ratio() {
        return llmgraphTokensPerSecond() / pytorchTokensPerSecond();
    }

    /** The share of llmgraph's median step that its forward pass and loss take. */
    public double forwardShare() {
        return TrainingBench.median(forwardSeconds) / TrainingBench.median(llmgraphSeconds);
    }

    public String markdown() {
        var s = settings;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Model: LLaMA shape, dModel %d, %d layers, %d heads, SwiGLU %d, vocab %d, "
                        + "%,d parameters, F32. Batch %d x %d tokens, AdamW with clipping, %d threads; %d steps per run, "
                        + "the first %d dropped, %d rounds.%n%n", s.dModel(), s.layers(), s.heads(), s.ffnDim(),
                s.vocabSize(), parameters, s.batch(), s.context(), s.threads(), s.steps(), s.warmup(), s.rounds()));
        sb.append("| engine | median step ms | tokens/s | steps timed |\n| --- | ---: | ---: | ---: |\n");
        row(sb, "llmgraph", llmgraphSeconds);
        row(sb, "PyTorch " + torchVersion, pytorchSeconds);
        sb.append(String.format(Locale.ROOT, "%nRatio llmgraph / PyTorch (tokens/s): **%.3f** (target >= 1.0).%n",
                ratio()));
        sb.append(String.format(Locale.ROOT, "%nllmgraph's forward pass and loss alone: %.1f ms median, %.0f%% of its "
                + "step; the backward pass and the AdamW update take the rest.%n",
                1e3 * TrainingBench.median(forwardSeconds), 100 * forwardShare()));
        sb.append(String.format(Locale.ROOT, "%nSame training on both sides: their losses differ by at most %.1e "
                + "(relative) over the %d steps.%n", lossDifference, s.steps()));
        sb.append(String.format(Locale.ROOT, "%nLoad average (1 minute): %s, on %d cores.%n", load,
                Runtime.getRuntime().availableProcessors()));
        return sb.toString();
    }

    private void row(StringBuilder sb, String engine, List<Double> seconds) {
        double median = TrainingBench.median(seconds);
        sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f | %d |%n", engine, 1e3 * median,
                tokensPerStep() / median, seconds.size()));
    }

    public String json() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("machine", machine).put("command", command).put("date", date).put("torch", torchVersion)
                .put("load_average", load).put("largest_relative_loss_difference", lossDifference);
        var s = settings;
        root.putObject("model").put("d_model", s.dModel()).put("layers", s.layers()).put("heads", s.heads())
                .put("ffn_dim", s.ffnDim()).put("vocab_size", s.vocabSize()).put("parameters", parameters);
        root.putObject("run").put("batch", s.batch()).put("context", s.context()).put("threads", s.threads())
                .put("steps", s.steps()).put("warmup_dropped", s.warmup()).put("rounds", s.rounds());
        engine(root.putObject("llmgraph"), llmgraphSeconds);
        engine(root.putObject("pytorch"), pytorchSeconds);
        engine(root.putObject("llmgraph_forward_only"), forwardSeconds);
        root.put("ratio", ratio());
        try {
            return mapper.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void engine(ObjectNode node, List<Double> seconds) {
        node.put("median_step_seconds", TrainingBench.median(seconds))
                .put("tokens_per_second", tokensPerStep() / TrainingBench.median(seconds));
        ArrayNode samples = node.putArray("step_seconds");
        seconds.forEach(samples::add);
    }

    /** Writes {@code name.md} and {@code name.json} into {@code folder}; returns the Markdown file. */
    public Path write(Path folder, String name) {
        try {
            Files.createDirectories(folder);
            Path md = Files.writeString(folder.resolve(name + ".md"), "# " + name + "\n\n- date: " + date
                    + "\n- machine: " + machine + "\n- command: `" + command + "`\n\n" + markdown());
            Files.writeString(folder.resolve(name + ".json"), json());
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the report into " + folder + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return markdown();
    }
}

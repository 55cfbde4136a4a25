package dev.llmgraph.bench;

import dev.llmgraph.ggml.RpcEndpoint;
import dev.llmgraph.ggml.RpcServers;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.Session;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures llmgraph the way llama-bench measures llama.cpp (same tests, same batch sizes), after a warm-up
 * long enough for the JIT to compile the per-step Java code.
 */
public final class LlmgraphBench {
    private LlmgraphBench() {}

    /**
     * The results and the decode session's timing: how many graphs were built and how long that took,
     * against the time of all decode steps.
     */
    /**
     * @param network per RPC server of a split model, what one decoded token sends and receives (empty otherwise)
     */
    public record Run(List<BenchResult> results, Session.Stats decodeStats, Map<RpcEndpoint, RpcServers.Traffic> network) {}

    /** The pp and tg results for {@code model}; {@code label}/{@code type} name it in the report. */
    public static Run run(Model model, String label, String type, BenchConfig config) {
        List<BenchResult> out = new ArrayList<>();
        Session.Stats decodeStats;
        int vocab = model.spec().vocabSize();
        SplittableRandom random = new SplittableRandom(1234);
        try (Session prefill = model.session(config.prompt() + config.generate())) {
            int[] prompt = random.ints(config.prompt(), 0, vocab).toArray();
            double[] pp = time(config.repetitions(), () -> {
                prefill.reset();
                prefill.feed(prompt);
            });
            out.add(new BenchResult("llmgraph", label, type, "pp" + config.prompt(), config.prompt(), 0,
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.prompt(), pp)));
        }
        try (Session decode = model.session(config.prompt() + config.generate())) {
            int[] tokens = random.ints(config.generate(), 0, vocab).toArray();
            double[] tg = time(config.repetitions(), () -> {
                decode.reset();
                for (int token : tokens) {
                    decode.feed(token);
                }
            });
            out.add(new BenchResult("llmgraph", label, type, "tg" + config.generate(), 0, config.generate(),
                    config.threads(), config.backend(), config.flash(), BenchResult.rates(config.generate(), tg)));
            decodeStats = decode.stats();
            return new Run(out, decodeStats, network(model, decode, tokens));
        }
    }

    /**
     * The JVM compiles the per-step Java code (inputs, logits, bookkeeping) only after it has run a while:
     * warm-up repeats the work for at least this long (llama.cpp, compiled ahead of time, needs one run).
     */
    /**
     * For a model split across RPC servers, one more untimed pass of the decode: the servers' TCP counters before
     * and after, divided by the tokens decoded.
     */
    private static Map<RpcEndpoint, RpcServers.Traffic> network(Model model, Session decode, int[] tokens) {
        Map<RpcEndpoint, RpcServers.Traffic> out = new LinkedHashMap<>();
        List<RpcEndpoint> servers = model.options().placement().servers();
        if (servers.isEmpty()) {
            return out;
        }
        decode.reset();
        Map<RpcEndpoint, RpcServers.Traffic> before = new LinkedHashMap<>();
        servers.forEach(s -> before.put(s, RpcServers.traffic(s)));
        for (int token : tokens) {
            decode.feed(token);
        }
        for (RpcEndpoint s : servers) {
            RpcServers.Traffic d = RpcServers.traffic(s).minus(before.get(s));
            int n = tokens.length;
            out.put(s, new RpcServers.Traffic(d.bytesSent() / n, d.bytesReceived() / n, d.segmentsSent() / n,
                    d.segmentsReceived() / n));
        }
        return out;
    }

    private static final long WARM_UP_NANOS = 2_000_000_000L;

    /** Seconds of each of {@code repetitions} runs, after warming up. */
    private static double[] time(int repetitions, Runnable work) {
        long warmUpStart = System.nanoTime();
        do {
            work.run();
        } while (System.nanoTime() - warmUpStart < WARM_UP_NANOS);
        double[] seconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new dev.llmgraph.ggml.ComputeInterruptedException("the benchmark was interrupted");
            }
            long t0 = System.nanoTime();
            work.run();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }
}

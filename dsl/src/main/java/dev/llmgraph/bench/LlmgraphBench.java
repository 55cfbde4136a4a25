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
    /** The results; the first depth's decode statistics, null where no tg test ran ({@code -n 0}). */
    public record Run(List<BenchResult> results, Session.Stats decodeStats, Map<RpcEndpoint, RpcServers.Traffic> network) {}

    /**
     * The pp and tg results for {@code model} at each of the config's depths; {@code label}/{@code type} name it in
     * the report. At depth d, every repetition (and every warm-up run) starts from a session holding d random
     * tokens, fed untimed in batches as any prompt the first time and rewound to afterwards (a recurrent model is
     * fed again each time), before the timed test: llama-bench's {@code -d}, which restores the cache state it saved
     * after its first fill. Each test has its own session with llama.cpp's cache for it
     * ({@link BenchConfig#llamaCppCache}: pp512 a cache of 512, tg128 one of 256): the V cache is stored transposed,
     * each row as long as the cache, so a wider cache spreads a decode step's reads further apart and slows it
     * (bench/NOTES.md, "Qwen3-0.6B, and a decode test's cache"). The decode statistics are those of the first
     * depth's decode steps (its untimed prefills left out).
     */
    public static Run run(Model model, String label, String type, BenchConfig config) {
        List<BenchResult> out = new ArrayList<>();
        Session.Stats decodeStats = null;
        Map<RpcEndpoint, RpcServers.Traffic> network = Map.of();
        int vocab = model.spec().vocabSize();
        SplittableRandom random = new SplittableRandom(1234);
        for (int depth : config.depths()) {
            int[] context = random.ints(depth, 0, vocab).toArray();
            int[] prompt = random.ints(config.prompt(), 0, vocab).toArray();
            int[] tokens = random.ints(config.generate(), 0, vocab).toArray();
            if (config.prompt() > 0) {
                try (Session session = model.session(cache(model, config.prompt(), depth))) {
                    Runnable toDepth = filler(model, session, context);
                    double[] pp = time(config.repetitions(), toDepth, () -> session.feed(prompt));
                    out.add(new BenchResult("llmgraph", label, type, BenchConfig.testName("pp" + config.prompt(),
                            depth), config.prompt(), 0, config.threads(), config.backend(), config.flash(),
                            BenchResult.rates(config.prompt(), pp), depth));
                }
            }
            if (config.generate() == 0) {
                continue;
            }
            try (Session session = model.session(cache(model, config.generate(), depth))) {
                Runnable toDepth = filler(model, session, context);
                Session.Stats[] decodeSteps = {new Session.Stats(0, 0, 0, 0, 0, 0)};
                double[] tg = time(config.repetitions(), toDepth, () -> {
                    Session.Stats before = session.stats();
                    for (int token : tokens) {
                        session.feed(token);
                    }
                    decodeSteps[0] = plus(decodeSteps[0], session.stats(), before);
                });
                out.add(new BenchResult("llmgraph", label, type, BenchConfig.testName("tg" + config.generate(), depth),
                        0, config.generate(), config.threads(), config.backend(), config.flash(),
                        BenchResult.rates(config.generate(), tg), depth));
                if (decodeStats == null) {
                    decodeStats = decodeSteps[0];
                    network = network(model, session, tokens);
                }
            }
        }
        return new Run(out, decodeStats, network);
    }

    /** llama.cpp's cache for a test of {@code tokens} at {@code depth}, within the model's context. */
    private static int cache(Model model, int tokens, int depth) {
        return Math.min(model.contextLength(), BenchConfig.llamaCppCache(tokens, depth));
    }

    /** {@code total} with the steps counted between {@code before} and {@code after} added. */
    private static Session.Stats plus(Session.Stats total, Session.Stats after, Session.Stats before) {
        return new Session.Stats(total.graphBuilds() + after.graphBuilds() - before.graphBuilds(),
                total.buildNanos() + after.buildNanos() - before.buildNanos(),
                total.steps() + after.steps() - before.steps(), total.stepNanos() + after.stepNanos() - before.stepNanos(),
                total.inputNanos() + after.inputNanos() - before.inputNanos(),
                total.computeNanos() + after.computeNanos() - before.computeNanos());
    }

    /**
     * What brings {@code session} back to holding exactly {@code context} (the tokens before a test at that
     * depth): the first time, it is emptied and fed them; later, an attention cache still holds them and is
     * rewound to them, as llama-bench restores the state it saved after its first fill. A recurrent state cannot
     * forget the test's tokens, so it is emptied and fed again every time.
     */
    private static Runnable filler(Model model, Session session, int[] context) {
        boolean rewindable = !model.spec().recurrent();
        boolean[] filled = {false};
        return () -> {
            if (filled[0] && rewindable) {
                session.rewind(context.length);
                return;
            }
            session.reset();
            if (context.length > 0) {
                session.feed(context);
            }
            filled[0] = true;
        };
    }

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

    /**
     * The JVM compiles the per-step Java code (inputs, logits, bookkeeping) only after it has run a while:
     * warm-up repeats the work for at least this long (llama.cpp, compiled ahead of time, needs one run).
     */
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    /**
     * Seconds of each of {@code repetitions} runs of {@code work}, each after an untimed {@code setup}, after warming
     * up: setup and work repeated until the work alone has run {@link #WARM_UP_NANOS}, or the whole warm-up 4 times
     * that (a deep test's setup feeds thousands of tokens through the same per-step code), and at least once.
     */
    private static double[] time(int repetitions, Runnable setup, Runnable work) {
        long warmUpStart = System.nanoTime(), working = 0;
        do {
            setup.run();
            long t0 = System.nanoTime();
            work.run();
            working += System.nanoTime() - t0;
        } while (working < WARM_UP_NANOS && System.nanoTime() - warmUpStart < 4 * WARM_UP_NANOS);
        double[] seconds = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new dev.llmgraph.ggml.ComputeInterruptedException("the benchmark was interrupted");
            }
            setup.run();
            long t0 = System.nanoTime();
            work.run();
            seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }
}

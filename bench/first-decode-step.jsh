// Where a fresh JVM's first generated token goes, against the same token once warm:
//   bin/llmgraph run bench/first-decode-step.jsh [FILE.gguf [SESSIONS]]
// SESSIONS (default 10) sessions, one after another in one JVM, each feeds a 6-token prompt and then 32 greedy
// tokens one at a time, as Model.generate does. For the first and the last session it prints the prompt graph's
// build, the first token's time with its graph build and its computation (Session.stats()), and the mean of tokens
// 2-32. FILE defaults to bench's TinyLlama Q4_0 (bin/llmgraph bench writes it), loaded with bench's options
// (repacked, F16 cache).
var file = Path.of(ARGS.length > 0 ? ARGS[0]
        : System.getProperty("user.home") + "/.cache/llmgraph/bench/tinyllama-1.1b-q4_0.gguf");
int sessions = ARGS.length > 1 ? Integer.parseInt(ARGS[1]) : 10;
int[] prompt = {1, 450, 4996, 17354, 1701, 432};
var options = ModelOptions.cpu().withThreads(2).withRepack(true).withCacheType(GgmlType.F16);
try (var model = GgufModels.load(file, options)) {
    for (int run = 0; run < sessions; run++) {
        try (var session = model.session(64)) {
            float[] logits = session.feed(prompt);
            var afterPrompt = session.stats();
            Session.Stats afterFirst = null;
            var greedy = Sampler.greedy().start();
            long[] nanos = new long[32];
            for (int i = 0; i < nanos.length; i++) {
                int next = greedy.next(logits);
                long t0 = System.nanoTime();
                logits = session.feed(next);
                nanos[i] = System.nanoTime() - t0;
                if (i == 0) afterFirst = session.stats();
            }
            if (run == 0 || run == sessions - 1) {
                double rest = Arrays.stream(nanos).skip(1).average().orElseThrow() / 1e6;
                System.out.printf("session %d: prompt graph built in %.1f ms; token 1: %.1f ms (graph built in %.1f, "
                        + "computed in %.1f); tokens 2-32: %.1f ms each%n", run + 1, afterPrompt.buildNanos() / 1e6,
                        nanos[0] / 1e6, (afterFirst.buildNanos() - afterPrompt.buildNanos()) / 1e6,
                        (afterFirst.computeNanos() - afterPrompt.computeNanos()) / 1e6, rest);
            }
        }
    }
}

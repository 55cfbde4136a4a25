// bin/llmgraph run bench/sliding-ring-decode.jsh   (about 2.5 minutes on 2 cores; bench/NOTES.md "Sliding layers in a ring")
// Decode step time at a long context for Gemma-3-270M (random F16 weights, F16 cache, 2 threads):
// a session whose sliding layers keep a ring of window + batch rows, against one that keeps every position
// (a batch as long as the session, which makes the ring as long as the cache).
var spec = Presets.gemma3_270m();
int capacity = 8192, prompt = 8000, steps = 48;
var random = new java.util.Random(1);
int[] tokens = random.ints(prompt, 0, spec.vocabSize()).toArray();
for (int batch : new int[] {512, capacity}) {
    var options = ModelOptions.cpu().withThreads(2).withMatrixType(GgmlType.F16).withCacheType(GgmlType.F16)
        .withBatchSize(batch);
    try (var model = Model.random(spec, WeightInit.gpt2(1), options); var session = model.session(capacity)) {
        long t0 = System.nanoTime();
        session.feed(tokens);
        long prefill = System.nanoTime() - t0;
        session.feed(random.nextInt(spec.vocabSize()));   // warm-up
        long[] times = new long[steps];
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            session.feed(random.nextInt(spec.vocabSize()));
            times[i] = System.nanoTime() - s;
        }
        java.util.Arrays.sort(times);
        System.out.printf("batch %5d: sliding rows %5d, cache %6.1f MiB, prefill %5.1f s, decode median %6.2f ms, p25 %6.2f ms%n",
            batch, session.slidingRows(), session.cacheBytes() / 1048576.0, prefill / 1e9, times[steps / 2] / 1e6,
            times[steps / 4] / 1e6);
    }
}

// bin/llmgraph run bench/decode-inputs.jsh   (about 3 minutes on 2 cores; bench/NOTES.md "A decode step's inputs")
// The host time of a decode step of Gemma-3-270M (random F16 weights, F16 cache, 2 threads, batch 512, so a ring of
// 1024 rows on the sliding layers): 150 steps after a prompt of each length, in one JVM, twice at 8000 so that the
// second run shows the inputs with the JIT warm. Inputs: token ids, positions, cache rows, the two masks.
var spec = Presets.gemma3_270m();
int capacity = 8192, steps = 150;
var options = ModelOptions.cpu().withThreads(2).withMatrixType(GgmlType.F16).withCacheType(GgmlType.F16)
    .withBatchSize(512);
for (int prompt : new int[] {8000, 8000, 100}) {
    var random = new java.util.Random(1);
    int[] tokens = random.ints(prompt, 0, spec.vocabSize()).toArray();
    try (var model = Model.random(spec, WeightInit.gpt2(1), options); var session = model.session(capacity)) {
        session.feed(tokens);
        var before = session.stats();
        for (int i = 0; i < steps; i++) {
            session.feed(random.nextInt(spec.vocabSize()));
        }
        var after = session.stats();
        int n = after.steps() - before.steps();
        long stepNanos = after.stepNanos() - before.stepNanos();
        long outside = stepNanos - (after.computeNanos() - before.computeNanos());
        System.out.printf("after %4d tokens, %d steps: step %.2f ms, inputs %.1f us, outside the graph %.1f us%n",
            prompt, n, stepNanos / 1e6 / n, (after.inputNanos() - before.inputNanos()) / 1e3 / n, outside / 1e3 / n);
    }
}

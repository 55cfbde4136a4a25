// llama.cpp's own decode called from inside this JVM (through the shim, as the parity tests call it) against
// llmgraph's, on the same GPT-2-small F16 file, 2 threads, rounds alternating: does a decode step lose time to
// the process it runs in (a JVM's threads and memory) rather than to llmgraph's graph or its Java per step?
//   bin/llmgraph run bench/in-jvm-decode.jsh        (the file: bin/llmgraph bench --model gpt2-small --type f16 writes it)
// llama.cpp's call decodes one token at position 0 after clearing its cache and copies the logits twice, a little
// more work per call than llama-bench's loop; llmgraph is timed both ways (tg128 and position 0 every call).
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.ggml.llama.LlamaReference;
var file = Path.of(System.getProperty("user.home"), ".cache/llmgraph/bench/gpt2-small-f16.gguf");
var options = ModelOptions.cpu().withThreads(2).withCacheType(dev.llmgraph.ggml.GgmlType.F16).withRepack(true);
var settings = LlamaReference.Settings.defaults().withThreads(2).withContextLength(256).withFlashAttention(false);
try (var model = GgufModels.load(file, options); var reference = LlamaReference.open(file, settings);
     var session = model.session(129)) {
    int[] tokens = new SplittableRandom(1).ints(128, 0, model.spec().vocabSize()).toArray();
    int rounds = 12, warmUp = 2;
    double[] llama = new double[rounds], tg = new double[rounds], first = new double[rounds];
    for (int round = -warmUp; round < rounds; round++) {
        long t0 = System.nanoTime();
        for (int t : tokens) reference.logits(t);
        long t1 = System.nanoTime();
        session.reset();
        for (int t : tokens) session.feed(t);
        long t2 = System.nanoTime();
        for (int t : tokens) { session.reset(); session.feed(t); }
        long t3 = System.nanoTime();
        if (round >= 0) {
            llama[round] = 128e9 / (t1 - t0); tg[round] = 128e9 / (t2 - t1); first[round] = 128e9 / (t3 - t2);
        }
    }
    for (double[] a : List.of(llama, tg, first)) Arrays.sort(a);
    System.out.printf("medians of %d rounds, tokens/s: llama.cpp in this JVM (position 0 per call) %.1f; "
            + "llmgraph tg128 %.1f; llmgraph position 0 per call %.1f%n", rounds, llama[rounds / 2], tg[rounds / 2],
            first[rounds / 2]);
}
/exit

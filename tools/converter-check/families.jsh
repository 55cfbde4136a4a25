// llama.cpp's own converter on the Hugging Face checkpoints llmgraph writes (run by tools/converter-check/run.sh,
// which sets LLAMA_CPP_SRC, CHECK_DIR, PRESETS and the converter's PYTHONPATH). For each preset, at test size
// (Presets.tiny): llmgraph writes config.json and model.safetensors, convert_hf_to_gguf.py makes a GGUF of them, and
// llmgraph's logits on that file, llama.cpp's on it, and those of the model the checkpoint came from are compared over
// 40 tokens, each engine through a session of the model's whole context (as LlamaCppParityTest). Any config.json field
// the converter reads otherwise than llmgraph means shows as a difference in the last column.
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.ggml.llama.LlamaReference;
import java.nio.file.*;

String src = System.getenv("LLAMA_CPP_SRC");
Path work = Path.of(System.getenv("CHECK_DIR"));
var options = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16).withRepackMapped(false);
for (String name : System.getenv("PRESETS").split(",")) {
    var spec = Presets.byName("tiny-" + name);
    Path dir = work.resolve(name);
    int[] prompt = new int[40];
    for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 97 + 13) % spec.vocabSize();
    try {
        float[] original;
        try (var model = Model.random(spec, WeightInit.lecun(5), options)) {
            SafetensorsExport.write(model, dir);
            try (var s = model.session()) { original = s.feedAll(prompt).toArray(); }
        }
        Files.copy(work.resolve("tokenizer.model"), dir.resolve("tokenizer.model"),
            StandardCopyOption.REPLACE_EXISTING);
        Path gguf = work.resolve(name + ".gguf");
        var p = new ProcessBuilder("/usr/bin/python3", src + "/convert_hf_to_gguf.py", dir.toString(), "--outtype",
            "f32", "--outfile", gguf.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            System.out.println(name + ": converter failed: " + log.lines().filter(l -> l.contains("Error"))
                .reduce((a, b) -> b).orElse(log.substring(Math.max(0, log.length() - 300))));
            continue;
        }
        float[] ours;
        try (var model = GgufModels.load(gguf, options); var s = model.session()) {
            ours = s.feedAll(prompt).toArray();
        }
        float[][] ref;
        var settings = LlamaReference.Settings.defaults().withContextLength(spec.contextLength()).withThreads(2);
        try (var llama = LlamaReference.open(gguf, settings)) {
            ref = llama.logits(prompt);
        }
        int v = spec.vocabSize();
        double maxAbs = 0, maxRef = 0, maxOrig = 0;
        for (int t = 0; t < prompt.length; t++) for (int j = 0; j < v; j++) {
            float r = ref[t][j];
            maxRef = Math.max(maxRef, Math.abs(r));
            maxAbs = Math.max(maxAbs, Math.abs(ours[t * v + j] - r));
            maxOrig = Math.max(maxOrig, Math.abs(original[t * v + j] - r));
        }
        System.out.printf("%-16s llmgraph on the converted file vs llama.cpp: %.3e; the original model vs llama.cpp: "
            + "%.3e%s%n", name, maxAbs / maxRef, maxOrig / maxRef, maxAbs == 0 && maxOrig == 0 ? "  (bit for bit)" : "");
    } catch (Exception e) {
        System.out.println(name + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
/exit

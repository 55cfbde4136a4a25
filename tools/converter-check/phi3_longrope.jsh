// llama.cpp's own converter on a Phi-3 LongRoPE checkpoint llmgraph wrote (run by tools/converter-check/run.sh, which
// sets LLAMA_CPP_SRC, CHECK_DIR and the converter's PYTHONPATH): Phi-4-mini's form at test size (3/4 of each head
// rotated, 4 query heads over 1 K/V head, tied), trained on 32 positions and run on 64, so the long set. Each engine
// runs the prompt through a session of the model's whole context, as LlamaCppParityTest does.
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.ggml.llama.LlamaReference;
import java.nio.file.*;

String src = System.getenv("LLAMA_CPP_SRC");
Path work = Path.of(System.getenv("CHECK_DIR"));
Path dir = work.resolve("tiny-longrope");
List<Double> shortF = new ArrayList<>(), longF = new ArrayList<>();
for (int i = 0; i < 6; i++) { shortF.add(Math.pow(2.5, i / 5.0)); longF.add(1.2 * Math.pow(40 / 1.2, i / 5.0)); }
var spec = Transformer.causalDecoder("tiny-longrope").vocabSize(300).dModel(64).layers(2).contextLength(64)
    .attention(Attention.grouped(4, 1).withScaledQueries(true))
    .positional(Positional.rope(10_000).withPairing(RopePairing.HALVES).withFraction(0.75)
        .withScaling(RopeScaling.longRope(shortF, longF, 32, 64)))
    .norm(Norm.rms(1e-5), NormPlacement.PRE).ffn(Ffn.swiglu(96)).tiedEmbeddings(true).build();
var options = ModelOptions.cpu().withThreads(2).withCacheType(GgmlType.F16).withRepackMapped(false);
int[] prompt = new int[40];
for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 97 + 13) % 300;
float[] original;
try (var model = Model.random(spec, WeightInit.lecun(5), options)) {
    SafetensorsExport.write(model, dir);
    try (var s = model.session()) { original = s.feedAll(prompt).toArray(); }
}
System.out.println("config.json rope_scaling: " + Files.readString(dir.resolve("config.json")).replaceAll("\\s+", " ")
    .replaceAll(".*(\"rope_scaling\".*?\\}).*", "$1"));
Files.copy(work.resolve("tokenizer.model"), dir.resolve("tokenizer.model"), StandardCopyOption.REPLACE_EXISTING);
Path gguf = work.resolve("tiny-longrope-converted.gguf");
var p = new ProcessBuilder("/usr/bin/python3", src + "/convert_hf_to_gguf.py", dir.toString(), "--outtype", "f32",
    "--outfile", gguf.toString()).redirectErrorStream(true).start();
String log = new String(p.getInputStream().readAllBytes());
int exit = p.waitFor();
System.out.println("converter exit " + exit + "\n" + log.lines()
    .filter(l -> exit != 0 || l.contains("rope")).collect(java.util.stream.Collectors.joining("\n")));
System.out.println("read back: " + GgufModels.spec(gguf).positional());
float[] ours;
try (var model = GgufModels.load(gguf, options); var s = model.session()) { ours = s.feedAll(prompt).toArray(); }
float[][] ref;
try (var llama = LlamaReference.open(gguf, LlamaReference.Settings.defaults().withContextLength(64).withThreads(2))) {
    ref = llama.logits(prompt);
}
double maxAbs = 0, maxRef = 0, maxOrig = 0;
for (int t = 0; t < prompt.length; t++) for (int v = 0; v < 300; v++) {
    float r = ref[t][v];
    maxRef = Math.max(maxRef, Math.abs(r));
    maxAbs = Math.max(maxAbs, Math.abs(ours[t * 300 + v] - r));
    maxOrig = Math.max(maxOrig, Math.abs(original[t * 300 + v] - r));
}
System.out.printf("llmgraph on the converter's file vs llama.cpp on it: %.3e of the largest logit%n", maxAbs / maxRef);
System.out.printf("llmgraph's original model vs llama.cpp on the converter's file: %.3e%n", maxOrig / maxRef);
System.out.println(maxAbs == 0 && maxOrig == 0 ? "converter check: bit for bit" : "converter check: DIFFERS");
/exit

// T5 through llama.cpp's own converter (run by tools/converter-check/run.sh): llmgraph writes a tiny T5 v1.0 (tied,
// rescaled head) and a tiny Flan-T5 (untied, gated GELU) as checkpoint folders with a Unigram vocabulary it trained on
// README.md (config.json, model.safetensors, tokenizer.json and spiece.model, which the converter reads T5's
// vocabulary from); convert_hf_to_gguf.py makes a GGUF of each, bin/llmgraph convert another. llama.cpp's decoder
// logits on the two files, and libllama's ids for a text on them, must agree. The converter writes T5 v1.0's tied
// embedding alone, which llama.cpp uses as the head without the dModel^-0.5 that transformers applies before it
// (llmgraph's file holds the rescaled head), so for tiny-t5 the comparison is also made with that factor put back.
// Last, bin/llmgraph convert turns the converter's file back into a folder, which must give the logits of the folder
// the converter read (T5 v1.0: written as T5 v1.0 again, the rescaling put back).
import dev.llmgraph.io.gguf.EncoderDecoderGguf;
import dev.llmgraph.io.safetensors.T5Checkpoints;
import dev.llmgraph.model.*;
import dev.llmgraph.spec.*;
import dev.llmgraph.tokenize.*;
import dev.llmgraph.ggml.llama.*;
import dev.llmgraph.cli.ConvertCommand;
import java.nio.file.*;
String src = System.getenv("LLAMA_CPP_SRC");
Path work = Files.createTempDirectory("t5check");
Path trained = work.resolve("trained.gguf");
UnigramTrainer.train(Files.readString(Path.of(System.getenv("ROOT"), "README.md")), 400).writeVocabulary(trained);
var read = SentencePieceUnigram.readGguf(trained);
float[] scores = new float[read.size()];
for (int i = 0; i < scores.length; i++) scores[i] = read.score(i);
var unigram = new SentencePieceUnigram(read.tokens(), read.kinds(), scores, read.rules(), null, read.unknown(), new SentencePieceUnigram.Markers(-1, 1, false, true));
for (boolean flan : new boolean[] {false, true}) {
    var b = Transformer.encoderDecoder(flan ? "tiny-flan-t5" : "tiny-t5").vocabSize(unigram.size() + 28).dModel(64).encoderLayers(2).decoderLayers(2).heads(4).relativeBias(Positional.t5Bias(32, 128)).contextLength(64).decoderStartToken(0);
    var spec = (flan ? b.ffn(Ffn.geglu(128).withActivation(Activation.GELU_TANH).withBias(false)).tiedEmbeddings(false).rescaledHead(false) : b.ffn(Ffn.mlp(128, Activation.RELU).withBias(false))).build();
    Path dir = work.resolve(spec.name());
    try (var model = EncoderDecoderModel.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
        T5Checkpoints.write(model, dir);
        SentencePieceModelFile.write(unigram, dir.resolve("spiece.model"));
        dev.llmgraph.io.hf.TokenizerJson.write(unigram, dir.resolve("tokenizer.json"));
    }
    Path theirs = work.resolve(spec.name() + "-converter.gguf"), ours = work.resolve(spec.name() + "-llmgraph.gguf");
    var p = new ProcessBuilder("/usr/bin/python3", src + "/convert_hf_to_gguf.py", dir.toString(), "--outtype", "f32", "--outfile", theirs.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) { System.out.println(spec.name() + ": converter failed: " + log.substring(Math.max(0, log.length() - 600))); continue; }
    ConvertCommand.run(new String[] {"--hf", dir.toString(), "--out", ours.toString()}, System.out, System.err);
    String text = Files.readString(Path.of(System.getenv("ROOT"), "README.md")).substring(0, 300);
    int[] a, c;
    try (var t1 = Tokenizer.open(theirs); var t2 = Tokenizer.open(ours)) { a = t1.encode(text, true, false); c = t2.encode(text, true, false); }
    int[] input = java.util.Arrays.copyOf(a, Math.min(a.length, 40));
    int[] dec = {0, 5, 9, 30, 7};
    float[][] l1, l2;
    try (var r = LlamaEncoderDecoder.open(theirs, 64, 2)) { l1 = r.logits(input, dec); }
    try (var r = LlamaEncoderDecoder.open(ours, 64, 2)) { l2 = r.logits(input, dec); }
    // T5 v1.0 (a tied head) rescales the decoder output by dModel^-0.5 before the head: llmgraph's file holds the
    // rescaled head, llama.cpp's converter copies the embedding as it is; compare with that factor put back too
    double scale = spec.rescaledHead() ? Math.sqrt(spec.dModel()) : 1;
    double maxAbs = 0, maxScaled = 0, maxRef = 0;
    for (int t = 0; t < l1.length; t++) for (int j = 0; j < l1[t].length; j++) {
        maxRef = Math.max(maxRef, Math.abs(l1[t][j]));
        maxAbs = Math.max(maxAbs, Math.abs(l1[t][j] - l2[t][j]));
        maxScaled = Math.max(maxScaled, Math.abs(l1[t][j] - scale * l2[t][j]));
    }
    System.out.printf("%-14s llama.cpp on bin/llmgraph convert's file vs on the converter's: %.3e of the largest logit"
        + (scale != 1 ? " (%.3e with llmgraph's logits times sqrt(dModel) = %.0f)" : "%s%s") + "; libllama's ids for README.md's "
        + "text (with </s>) the same: %b (%d tokens)%n", spec.name(), maxAbs / maxRef,
        scale != 1 ? maxScaled / maxRef : "", scale != 1 ? scale : "", java.util.Arrays.equals(a, c), a.length);
    Path back = work.resolve(spec.name() + "-back");
    ConvertCommand.run(new String[] {"--gguf", theirs.toString(), "--out", back.toString()}, System.out, System.err);
    try (var original = T5Checkpoints.load(dir, ModelOptions.cpu().withThreads(2));
         var again = T5Checkpoints.load(back, ModelOptions.cpu().withThreads(2))) {
        float[] x = original.forward(input, dec).toArray(), y = again.forward(input, dec).toArray();
        double diff = 0, largest = 0;
        for (int i = 0; i < x.length; i++) { diff = Math.max(diff, Math.abs(x[i] - y[i])); largest = Math.max(largest, Math.abs(x[i])); }
        System.out.printf("%-14s the folder bin/llmgraph convert makes of the converter's file vs the folder the converter "
            + "read: %.3e of the largest logit%n", spec.name(), diff / largest);
    }
}
/exit

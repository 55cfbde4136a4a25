package dev.llmgraph.kernel;

import dev.llmgraph.ggml.llama.LlamaCppSource;
import dev.llmgraph.io.gguf.GgufModels;
import dev.llmgraph.io.hf.TokenizerJson;
import dev.llmgraph.io.safetensors.SafetensorsExport;
import dev.llmgraph.model.Model;
import dev.llmgraph.model.ModelOptions;
import dev.llmgraph.model.WeightInit;
import dev.llmgraph.presets.Presets;
import dev.llmgraph.spec.MemoryEstimate;
import dev.llmgraph.tokenize.BpeTokenizer;
import dev.llmgraph.tokenize.BpeTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every command line that README.md and bench/NOTES.md show, run through the real {@code bin/llmgraph} on tiny
 * inputs (tiny presets, {@code -p 8 -n 4 -r 1 --rounds 1}, a private cache, Jupyter home and JShell settings), or,
 * for the few that cannot run here, the reason. A command line added to either file fails
 * {@link #everyDocumentedCommandLineRunsHereOrSaysWhyNot} until it is added to one of the two maps below.
 * The launcher gets this build's class path ({@code LLMGRAPH_CLASSPATH}) instead of building the modules itself.
 */
class DocumentedCommandsTest {
    private static final Path REPO = TestJvm.moduleDir().getParent();
    private static final List<Path> DOCUMENTS = List.of(REPO.resolve("README.md"), REPO.resolve("bench/NOTES.md"));
    /** A command line in Markdown: up to the end of its code span, table cell or comment. */
    private static final Pattern COMMAND = Pattern.compile("bin/llmgraph[^`|#\\n]*");

    /** Documented command lines run below, and the test that runs each. */
    private static final Map<String, String> RUN = Map.ofEntries(
            Map.entry("bin/llmgraph run examples/quickstart.jsh", "runRunsAScript (a tiny one; ExamplesTest runs the "
                    + "quickstart itself)"),
            Map.entry("bin/llmgraph run NOTEBOOK.ipynb [--out EXECUTED.ipynb] [--backend B]",
                    "runRunsANotebookWithoutJupyter"),
            Map.entry("bin/llmgraph run NOTEBOOK.ipynb", "runRunsANotebookWithoutJupyter"),
            Map.entry("bin/llmgraph jshell", "jshellShowsValuesInFull"),
            Map.entry("bin/llmgraph notebook", "notebookInstallsTheKernelAndStartsJupyter"),
            Map.entry("bin/llmgraph kernel install", "kernelInstallWritesTheKernelspec"),
            Map.entry("bin/llmgraph logits --gguf F --tokens 1,2,3 --out F", "logitsWritesEveryPosition"),
            Map.entry("bin/llmgraph embed --gguf F --text TEXT --out F [--pooled]", "embedWritesHiddenStates"),
            Map.entry("bin/llmgraph parity --gguf F --tokens 1,2,3 [--tolerance X]", "parityComparesEveryNode"),
            Map.entry("bin/llmgraph generate --gguf F --prompt TEXT [--chat] [-n N]", "generateWritesText"),
            Map.entry("bin/llmgraph convert --hf DIR --out F.gguf [--type T]", "convertWritesAGgufAndACheckpoint"),
            Map.entry("bin/llmgraph tokenize --gguf F --text TEXT [--special]", "tokenizeShowsIdsAndPieces"),
            Map.entry("bin/llmgraph bench --model NAME", "benchMeasuresATinyPresetAndItsFile"),
            Map.entry("bin/llmgraph bench --model tiny-gpt2-small --type q8_0 -p 8 -n 4 -r 1 --rounds 1",
                    "benchMeasuresATinyPresetAndItsFile"),
            Map.entry("bin/llmgraph bench --model FILE.gguf", "benchMeasuresATinyPresetAndItsFile"),
            Map.entry("bin/llmgraph bench --help", "everyCommandAnswersHelp"),
            Map.entry("bin/llmgraph bench --train --d-model 64 --layers 1 --heads 4 --ffn 128 --context 32 --steps 6 "
                    + "--warmup 2 --rounds 1", "benchTrainComparesBothEngines"),
            Map.entry("bin/llmgraph COMMAND --help", "everyCommandAnswersHelp"),
            Map.entry("bin/llmgraph build-native [--cuda]", "buildNativeNamesTheLibrariesInUse"),
            Map.entry("bin/llmgraph check", "checkInTheCheckoutSaysWhereItRuns"),
            Map.entry("bin/llmgraph doctor", "DoctorCommandTest (with stand-ins for a GPU), OfflineDistTest in a dist"),
            Map.entry("bin/llmgraph check [ARGS...]", "checkInTheCheckoutSaysWhereItRuns"),
            Map.entry("bin/llmgraph rpc-server [--host H] [--port P] [--backend B]", "rpcServerListensAndSaysWhere"));

    /** Documented command lines that do not run here, and why. */
    private static final String TWO_HOSTS = "needs a 70B GGUF and two hosts; RpcCommandLineTest and RpcSplitTest run "
            + "--rpc against servers on 127.0.0.1, and notebook 10 the bytes per token";
    private static final String GPU = "needs an NVIDIA GPU; bin/gpu-check.sh runs bench there";
    private static final String MOE_FILES = "needs the 2-3 GiB MoE-shaped GGUFs bench/MoeShapes.java writes (minutes); "
            + "benchMeasuresATinyPresetAndItsFile runs bench on a GGUF file";
    private static final Map<String, String> NOT_RUN = Map.ofEntries(
            Map.entry("bin/llmgraph test", "the command that runs this test"),
            Map.entry("bin/llmgraph run notebooks/03-attention-and-kv-cache.ipynb --out 03-executed.ipynb",
                    "runRunsANotebookWithoutJupyter runs a small notebook through the same command, "
                            + "NotebookExecutorTest compares notebook 00's outputs with Jupyter's, "
                            + "TutorialNotebooksTest executes 03"),
            Map.entry("bin/llmgraph aot", "StartupCacheTest trains caches in private folders (a class path of jars; "
                    + "this test's has the kernel's classes folder, which a cache cannot hold)"),
            Map.entry("bin/llmgraph bench --train --threads 2", "the full training comparison (about 2 minutes); "
                    + "benchTrainComparesBothEngines runs the small one"),
            Map.entry("bin/llmgraph bench --default --threads 2", "the full default table (about 4 GiB of files, "
                    + "20 minutes); benchWithoutAModelAnnouncesTheDefaultTable runs what it announces"),
            Map.entry("bin/llmgraph bench --model qwen3-0.6b --type q4_0 --threads 2 --rounds 3", "a 6-minute "
                    + "benchmark that first writes Qwen3-0.6B's files, not a check; its figures are in bench/NOTES.md, "
                    + "and LlamaCppParityTest and DecodingParityTest check qwen3 against llama.cpp on small files"),
            Map.entry("bin/llmgraph bench --model gemma-3-270m --type f16 -p 16 -n 32 -d 8000 --threads 2 -r 1 --rounds 2",
                    "a 3-minute benchmark that first writes 512 MiB of Gemma-3-270M weights, not a check; its figures "
                    + "are in bench/NOTES.md, and SlidingCacheParityTest checks the same ring against llama.cpp's on "
                    + "small files"),
            Map.entry("bin/llmgraph bench --model tinyllama-1.1b --type f16 -p 16 -n 128 --threads 2 --rounds 8", "a "
                    + "7-minute benchmark that first writes 2 GiB of TinyLlama files, not a check; its figures are in "
                    + "bench/NOTES.md"),
            Map.entry("bin/llmgraph run bench/decode-inputs.jsh", "a timing probe of 3 minutes on 2 cores, not a "
                    + "check; its figures are in bench/NOTES.md"),
            Map.entry("bin/llmgraph run bench/sliding-ring-decode.jsh", "a timing probe of 2.5 minutes on 2 cores, not "
                    + "a check; its figures are in bench/NOTES.md, and SlidingWindowRingTest checks the ring's logits"),
            Map.entry("bin/llmgraph bench --model llama-3.2-1b --type q4_0 --threads 2 --rounds 2", "a 4-minute "
                    + "benchmark that first writes 663 MiB of Llama-3.2-1B files, not a check; its figures are in "
                    + "bench/NOTES.md, and Llama3RopeTest checks the same RoPE against llama.cpp on small files"),
            Map.entry("bin/llmgraph bench --default --threads 2 --rounds 5", "the full default table with 15 samples "
                    + "per engine (about 20 minutes); benchWithoutAModelAnnouncesTheDefaultTable runs what it announces"),
            Map.entry("bin/llmgraph bench --model tinyllama-1.1b --type q4_0 -d 0,512,2048,8192,16384 --ctx 17024",
                    "prefills of up to 16k tokens take minutes per engine; BenchMeasureTest measures a tiny model at "
                    + "depths 0 and 16 and past its preset's context with --ctx"),
            Map.entry("bin/llmgraph run bench/node-cost.jsh", "a timing probe, not a check; its figures are in "
                    + "bench/NOTES.md (runRunsAScript runs scripts)"),
            Map.entry("bin/llmgraph run bench/fusion-probe.jsh", "a timing probe of minutes on 2 cores, not a check; "
                    + "its figures are in bench/NOTES.md"),
            Map.entry("bin/llmgraph run bench/in-jvm-decode.jsh", "a timing probe on bench's 240 MiB GPT-2-small "
                    + "file, not a check; its figures are in bench/NOTES.md"),
            Map.entry("bin/llmgraph run bench/aot-decode.jsh ~/.cache/llmgraph/bench/tinyllama-1.1b-q4_0.gguf",
                    "a timing probe on bench's 590 MiB TinyLlama file, not a check; its figures are in bench/NOTES.md "
                    + "(bench/aot-startup.sh runs the script without a file)"),
            Map.entry("bin/llmgraph run bench/aot-decode.jsh ~/.cache/llmgraph/bench/tinyllama-1.1b-q4_0.gguf 128",
                    "the same timing probe generating 128 tokens a run; its figures are in bench/NOTES.md"),
            Map.entry("bin/llmgraph run bench/first-decode-step.jsh", "a timing probe on bench's 590 MiB TinyLlama "
                    + "file, not a check; its figures are in bench/NOTES.md"),
            Map.entry("bin/llmgraph bench --default --backend cuda", GPU),
            Map.entry("bin/llmgraph bench --backend cuda --model tinyllama-1.1b --type f16,q4_0 --rounds 1", GPU),
            Map.entry("bin/llmgraph bench --backend cuda --model tinyllama-1.1b --type f16,q8_0,q4_0,q4_k --rounds 2", GPU),
            Map.entry("bin/llmgraph bench --model ~/.cache/llmgraph/bench-moe/mixtral-8x7b-2-layers-q8_0.gguf "
                    + "--threads 2 -p 64 -n 32 -r 3 --rounds 2", MOE_FILES),
            Map.entry("bin/llmgraph bench --model ~/.cache/llmgraph/bench-moe/deepseek-v2-lite-4-layers-q8_0.gguf "
                    + "--threads 2 -p 64 -n 32 -r 3 --rounds 2", MOE_FILES),
            Map.entry("bin/llmgraph build-native --cuda", "a CUDA build needs the CUDA toolkit; bin/gpu-check.sh runs it"),
            Map.entry("bin/llmgraph dist", "OfflineDistTest builds one and runs the quickstart in it (minutes)"),
            Map.entry("bin/llmgraph dist --with-tests", "OfflineDistTest builds a dist (minutes); with tests it is what "
                    + "bin/gpu-check.sh takes to a GPU server"),
            Map.entry("bin/llmgraph dist [--with-tests] [--out DIR]", "OfflineDistTest builds one (minutes)"),
            Map.entry("bin/llmgraph rpc-server --host 0.0.0.0 --port 50052", "listens on every interface of the "
                    + "machine; rpcServerListensAndSaysWhere starts one on 127.0.0.1"),
            Map.entry("bin/llmgraph rpc-server --host 0.0.0.0 --port 50052 --backend cuda", GPU),
            Map.entry("bin/llmgraph run notebooks/03-attention-and-kv-cache.ipynb --backend cuda --out 03-gpu.ipynb",
                    "needs an NVIDIA GPU; bin/gpu-check.sh's notebooks step runs it there"),
            Map.entry("bin/llmgraph generate --gguf llama-70b-q4_0.gguf --prompt \"...\" --rpc "
                    + "10.0.0.2:50052,10.0.0.3:50052 --tensor-split 3,1", TWO_HOSTS),
            Map.entry("bin/llmgraph bench --model llama-70b-q4_0.gguf --rpc 10.0.0.2:50052,10.0.0.3:50052", TWO_HOSTS));

    @TempDir
    static Path work;
    static Path gguf;

    @BeforeAll
    static void tinyModelFile() {
        gguf = work.resolve("tiny-gpt2.gguf");
        try (Model model = Model.random(Presets.tiny(Presets.gpt2Small()), WeightInit.lecun(5),
                ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, gguf);
        }
    }

    @Test
    void everyDocumentedCommandLineRunsHereOrSaysWhyNot() throws IOException {
        TreeSet<String> documented = new TreeSet<>();
        for (Path document : DOCUMENTS) {
            Matcher m = COMMAND.matcher(Files.readString(document));
            while (m.find()) {
                documented.add(m.group().strip());
            }
        }
        TreeSet<String> covered = new TreeSet<>(RUN.keySet());
        covered.addAll(NOT_RUN.keySet());
        assertEquals(String.join("\n", documented), String.join("\n", covered),
                "each command line of README.md and bench/NOTES.md is run by a test here or says why not");
    }

    @Test
    void runRunsAScript() throws Exception {
        Path script = Files.writeString(work.resolve("tiny.jsh"), """
                var spec = Presets.tiny(Presets.llama2_7b());
                try (var model = Model.random(spec, WeightInit.gpt2(1), ModelOptions.cpu().withThreads(2))) {
                    System.out.println(model.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(4)).stopped());
                }
                System.out.println(ARGS[0]);
                """);
        Result run = llmgraph(List.of("run", script.toString(), "an argument"), "");
        assertEquals(new Result(0, "max tokens (4)\nan argument\n"), run);
    }

    @Test
    void runRunsANotebookWithoutJupyter() throws Exception {
        Path notebook = TestNotebooks.write(work.resolve("tiny.ipynb"), "System.out.println(\"hello\");", "1 + 1");
        Path out = work.resolve("executed/tiny.ipynb");
        Result run = llmgraph(List.of("run", notebook.toString(), "--out", out.toString()), "");
        assertEquals(new Result(0, "hello\n2\nllmgraph: wrote " + out + "\n"), run);
        assertTrue(Files.readString(out).contains("\"text/plain\" : \"2\""), Files.readString(out));

        Path asksTheSetting = TestNotebooks.write(work.resolve("setting.ipynb"), "ModelOptions.configured()");
        Result tpu = llmgraph(List.of("run", asksTheSetting.toString(), "--backend", "tpu"), "");
        assertEquals(1, tpu.status(), tpu.output());
        assertTrue(tpu.output().startsWith("llmgraph: " + asksTheSetting + ", cell [1] failed: "
                + "IllegalArgumentException: llmgraph.backend=tpu names no backend; set it to cpu, cuda or cuda:N "
                + "(N: the GPU's number, from 0), or leave it unset for the CPU\n"), tpu.output());
    }

    @Test
    void jshellShowsValuesInFull() throws Exception {
        Result run = llmgraph(List.of("jshell"), "Presets.tiny(Presets.llama2_7b()).accounting()\n/exit\n");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("accounting of tiny-llama-2-7b\n  parameters                41,632 (41.6K)\n"),
                run.output());
        assertTrue(run.output().contains("  more: parameters(), kvCacheBytes(tokens, type), weightBytes(type), "
                + "memory(...), shapeTrace(n)"), run.output());
    }

    @Test
    void kernelInstallWritesTheKernelspec() throws Exception {
        Result run = llmgraph(List.of("kernel", "install"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(Files.isRegularFile(work.resolve("jupyter-data/kernels/llmgraph/kernel.json")), run.output());
    }

    @Test
    void notebookInstallsTheKernelAndStartsJupyter() throws Exception {
        JupyterTools.assumeJupyter();
        // --version: Jupyter Notebook starts, says its version and ends (a server would not)
        Result run = llmgraph(List.of("notebook", "--version"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().strip().lines().toList().getLast().matches("\\d+\\.\\d+\\.\\d+.*"), run.output());
        assertTrue(Files.isRegularFile(work.resolve("jupyter-data/kernels/llmgraph/kernel.json")), run.output());
    }

    @Test
    void logitsWritesEveryPosition() throws Exception {
        Path out = work.resolve("logits.f32");
        Result run = llmgraph(List.of("logits", "--gguf", gguf.toString(), "--tokens", "1,2,3", "--out",
                out.toString(), "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().startsWith("logits [3 x 256] (f32, little-endian, row-major) -> " + out + "\n"),
                run.output());
        assertEquals(3L * 256 * Float.BYTES, Files.size(out));
    }

    @Test
    void tokenizeShowsIdsAndPieces() throws Exception {
        Path vocabulary = LlamaCppSource.directory().resolve("models/ggml-vocab-llama-bpe.gguf");
        Result run = llmgraph(List.of("tokenize", "--gguf", vocabulary.toString(), "--text", "Hello world"), "");
        assertEquals(0, run.status(), run.output());
        assertEquals("llmgraph tokenize: " + vocabulary + ": 3 tokens (libllama, 128,256 tokens)\n"
                + "  128000  '<|begin_of_text|>'\n"
                + "    9906  'Hello'\n"
                + "    1917  ' world'\n"
                + "llmgraph's Java tokenizer on the same vocabulary: the same 3 ids\n", run.output());
    }

    @Test
    void embedWritesHiddenStates() throws Exception {
        Path bert = work.resolve("tiny-bert.gguf");
        var spec = Presets.tiny(dev.llmgraph.presets.EncoderPresets.bertBaseUncased())
                .withFfn(dev.llmgraph.spec.Ffn.mlp(128, dev.llmgraph.spec.Activation.GELU_TANH));
        try (Model model = Model.random(spec, WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, bert);
        }
        Path out = work.resolve("embeddings.f32");
        Result run = llmgraph(List.of("embed", "--gguf", bert.toString(), "--tokens", "1,2,3", "--out", out.toString(),
                "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().startsWith("hidden states [3 x 32] (f32, little-endian, row-major) -> " + out + "\n"),
                run.output());
        assertEquals(3L * 32 * Float.BYTES, Files.size(out));
        run = llmgraph(List.of("embed", "--gguf", bert.toString(), "--tokens", "1,2,3", "--out", out.toString(),
                "--pooled", "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertEquals(32L * Float.BYTES, Files.size(out));
        // the file's vocabulary is bytes (llmgraph's smallest): 'h' and 'i' are tokens 104 and 105
        run = llmgraph(List.of("embed", "--gguf", bert.toString(), "--text", "hi", "--out", out.toString(),
                "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().startsWith("text -> 2 tokens: 104,105\nhidden states [2 x 32]"), run.output());
    }

    @Test
    void parityComparesEveryNode() throws Exception {
        Result run = llmgraph(List.of("parity", "--gguf", gguf.toString(), "--tokens", "1,2,3", "--tolerance", "1e-3",
                "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().startsWith("layer-by-layer parity of tiny-gpt2.gguf over 3 tokens"), run.output());
        assertTrue(run.output().contains("\nresult_output  logits "), run.output());
    }

    @Test
    void generateWritesText() throws Exception {
        // a tiny model whose file holds a BPE trained on the README, so that it reads and writes text
        BpeTokenizer bpe = BpeTrainer.train(Files.readString(REPO.resolve("README.md")), 400, "<|endoftext|>");
        Path withText = work.resolve("tiny-text.gguf");
        try (Model model = Model.random(Presets.tiny(Presets.llama2_7b()).withVocabSize(bpe.size()),
                WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            GgufModels.write(model, withText, bpe);
        }
        Result run = llmgraph(List.of("generate", "--gguf", withText.toString(), "--prompt", "The model", "-n", "5",
                "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("llmgraph generate: " + 5 + " tokens after a prompt of "
                + bpe.encode("The model").length + ", stopped: max tokens (5)")
                || run.output().contains(", stopped: stop token (" + bpe.specialId("<|endoftext|>") + ")"), run.output());
    }

    @Test
    void convertWritesAGgufAndACheckpoint() throws Exception {
        // a tiny checkpoint folder whose tokenizer.json holds a BPE trained on the README; to a GGUF and back
        BpeTokenizer bpe = BpeTrainer.train(Files.readString(REPO.resolve("README.md")), 400, "<|endoftext|>");
        Path folder = work.resolve("tiny-checkpoint");
        try (Model model = Model.random(Presets.tiny(Presets.llama2_7b()).withVocabSize(bpe.size()),
                WeightInit.lecun(5), ModelOptions.cpu().withThreads(2))) {
            SafetensorsExport.write(model, folder);
        }
        TokenizerJson.write(bpe, folder.resolve("tokenizer.json"));
        Path gguf = work.resolve("converted.gguf");
        Result run = llmgraph(List.of("convert", "--hf", folder.toString(), "--out", gguf.toString(), "--type", "q8_0",
                "--threads", "2"), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("matrices q8_0); tokenizer: byte-level BPE, 400 tokens"), run.output());
        Path back = work.resolve("converted-back");
        run = llmgraph(List.of("convert", "--gguf", gguf.toString(), "--out", back.toString()), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(Files.exists(back.resolve("tokenizer.json")) && Files.exists(back.resolve("config.json")),
                run.output());
    }

    @Test
    void benchMeasuresATinyPresetAndItsFile() throws Exception {
        List<String> tiny = List.of("-p", "8", "-n", "4", "-r", "1", "--rounds", "1", "--threads", "2", "--out",
                work.resolve("bench-results").toString());
        List<String> preset = new ArrayList<>(List.of("bench", "--model", "tiny-gpt2-small", "--type", "q8_0"));
        preset.addAll(tiny);
        Result run = llmgraph(preset, "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("| tiny-gpt2-small | q8_0 | cpu | 2 | pp8 |"), run.output());
        assertTrue(run.output().contains("| tiny-gpt2-small | q8_0 | cpu | 2 | tg4 |"), run.output());
        Path written = work.resolve("cache/bench/tiny-gpt2-small-q8_0.gguf");
        // the plan announced the weights' bytes; the file adds its header and vocabulary
        long announced = Presets.tiny(Presets.gpt2Small()).accounting().weightBytes(dev.llmgraph.ggml.GgmlType.Q8_0);
        assertTrue(run.output().contains(MemoryEstimate.gib(announced) + "  " + written + "  (to be written)"),
                run.output());
        assertTrue(Files.size(written) >= announced && Files.size(written) < announced + 64 * 1024,
                "announced " + announced + " bytes, wrote " + Files.size(written));

        List<String> file = new ArrayList<>(List.of("bench", "--model", written.toString()));
        file.addAll(tiny);
        run = llmgraph(file, "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("| tiny-gpt2-small-q8_0.gguf | as stored | cpu | 2 | tg4 |"), run.output());
    }

    @Test
    void benchTrainComparesBothEngines() throws Exception {
        Result torch = finish(new ProcessBuilder("/usr/bin/python3", "-c", "import numpy, torch")
                .redirectErrorStream(true), "");
        org.junit.jupiter.api.Assumptions.assumeTrue(torch.status() == 0, "bench --train needs /usr/bin/python3 "
                + "with torch (apt-get install python3-torch): " + torch.output().strip());
        Result run = llmgraph(List.of("bench", "--train", "--d-model", "64", "--layers", "1", "--heads", "4", "--ffn",
                "128", "--context", "32", "--steps", "6", "--warmup", "2", "--rounds", "1", "--threads", "2", "--out",
                work.resolve("train-bench").toString()), "");
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("\n| llmgraph | "), run.output());
        assertTrue(run.output().contains("\n| PyTorch "), run.output());
        assertTrue(run.output().contains("Ratio llmgraph / PyTorch (tokens/s): **"), run.output());
        try (var written = Files.list(work.resolve("train-bench"))) {
            assertEquals(2, written.filter(f -> f.getFileName().toString().contains("-train-cpu-t2.")).count());
        }
    }

    @Test
    void benchWithoutAModelAnnouncesTheDefaultTable() throws Exception {
        Result run = llmgraph(List.of("bench", "--threads", "2"), "");
        assertEquals(2, run.status(), run.output());
        assertTrue(run.output().startsWith("Without --model, bench measures the default table:\n"), run.output());
        assertTrue(run.output().contains("\nllmgraph bench: no --model given; run the default table above with "
                + "--default"), run.output());
    }

    @Test
    void everyCommandAnswersHelp() throws Exception {
        for (String command : List.of("run", "jshell", "test", "build-native", "logits", "embed", "parity", "bench",
                "generate", "convert", "tokenize", "notebook", "kernel", "java", "dist", "check", "rpc-server", "aot", "doctor")) {
            Result run = llmgraph(List.of(command, "--help"), "");
            assertEquals(0, run.status(), command + ": " + run.output());
            assertTrue(run.output().startsWith("usage: bin/llmgraph " + command), command + ": " + run.output());
        }
        Result kernelInstall = llmgraph(List.of("kernel", "install", "--help"), "");
        assertEquals(0, kernelInstall.status(), kernelInstall.output());
        assertTrue(kernelInstall.output().startsWith("usage: bin/llmgraph kernel install\n"), "help, not an install: "
                + kernelInstall.output());
    }

    @Test
    void rpcServerListensAndSaysWhere() throws Exception {
        int port;
        try (var free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(REPO.resolve("bin/llmgraph").toString(), "rpc-server", "--port",
                Integer.toString(port), "--threads", "1").directory(REPO.toFile()).redirectErrorStream(true);
        String nativeDir = System.getProperty("llmgraph.native.dir", "");
        if (!nativeDir.isBlank()) {
            builder.environment().put("LLMGRAPH_NATIVE_DIR", nativeDir);
        }
        Path log = Files.createTempFile(work, "rpc-server", ".log");
        Process server = builder.redirectOutput(log.toFile()).start();
        try {
            String expected = "endpoint       : 127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains(expected) && server.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String output = Files.readString(log);
            assertTrue(output.startsWith("llmgraph: ggml RPC server on 127.0.0.1:" + port + " with device CPU; use it "
                    + "with --rpc 127.0.0.1:" + port), output);
            assertTrue(output.contains(expected) && output.contains("It has no authentication"), output);
            try (var client = new java.net.Socket("127.0.0.1", port)) {
                assertTrue(client.isConnected(), "the server accepts connections");
            }
        } finally {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
            server.waitFor();
        }
    }

    @Test
    void buildNativeNamesTheLibrariesInUse() throws Exception {
        String nativeDir = System.getProperty("llmgraph.native.dir", "");
        org.junit.jupiter.api.Assumptions.assumeFalse(nativeDir.isBlank(), "the test run names no native folder");
        // the real cache, where the libraries were built: a second build-native finds them and names their folder
        // (LLMGRAPH_CUDA stays as bin/llmgraph test set it: on a GPU machine the libraries in use are the CUDA build)
        ProcessBuilder builder = new ProcessBuilder(REPO.resolve("bin/llmgraph").toString(), "build-native")
                .directory(REPO.toFile()).redirectErrorStream(true);
        Result run = finish(builder, "");
        assertEquals(0, run.status(), run.output());
        Path named = Path.of(run.output().strip().lines().toList().getLast());
        assertTrue(Files.isSameFile(named, Path.of(nativeDir)), named + " against " + nativeDir);
    }

    @Test
    void checkInTheCheckoutSaysWhereItRuns() throws Exception {
        assertEquals(new Result(1, "llmgraph: check runs the tests of a folder made by bin/llmgraph dist --with-tests; "
                + "here, run bin/llmgraph test\n"), llmgraph(List.of("check"), ""));
    }

    record Result(int status, String output) {}

    /** {@code bin/llmgraph ARGS} with this build's classes, a private cache, Jupyter home and JShell settings. */
    private static Result llmgraph(List<String> args, String input) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/llmgraph").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("LLMGRAPH_CLASSPATH", TestJvm.classPath());
        String nativeDir = System.getProperty("llmgraph.native.dir", "");
        if (!nativeDir.isBlank()) {
            env.put("LLMGRAPH_NATIVE_DIR", nativeDir);
        }
        env.put("LLMGRAPH_CACHE", work.resolve("cache").toString());
        env.put("LLMGRAPH_JAVA_OPTS", "-Djava.util.prefs.userRoot=" + work.resolve("prefs"));
        env.put("JUPYTER_DATA_DIR", work.resolve("jupyter-data").toString());
        env.remove("LLMGRAPH_CUDA");
        env.remove("LLMGRAPH_BACKEND");
        return finish(builder, input);
    }

    private static Result finish(ProcessBuilder builder, String input) throws IOException, InterruptedException {
        Path log = Files.createTempFile(work, "llmgraph", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(builder.command() + " ran past 3 minutes:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}

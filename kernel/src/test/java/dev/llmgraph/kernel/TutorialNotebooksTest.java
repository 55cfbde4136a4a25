package dev.llmgraph.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tutorial notebooks, executed top to bottom by the real nbconvert as a reader's "Run All" does (no cell may
 * fail), each checked for the figure it exists to show, then exported to HTML and opened in Chromium, where each
 * figure must show (see {@link HtmlExport}). The run time of each notebook is printed and written to
 * {@code target/tutorial-notebook-times.txt}.
 */
class TutorialNotebooksTest {
    static final List<String> TUTORIALS = List.of("01-declare-your-first-llm.ipynb", "02-positional-encodings.ipynb",
            "03-attention-and-kv-cache.ipynb", "04-norms-and-activations.ipynb",
            "05-moe-and-mla.ipynb", "06-beyond-attention.ipynb", "07-encoders-and-decoders.ipynb",
            "08-training-experiments.ipynb", "09-tokenizers.ipynb", "10-beyond-one-machine.ipynb");
    private static final Map<String, Double> SECONDS = new ConcurrentSkipListMap<>();

    @TempDir
    Path work;

    private NotebookHarness.ExecutedNotebook run(String file) throws IOException, InterruptedException {
        long start = System.nanoTime();
        var notebook = new NotebookHarness(work).cellTimeout(Duration.ofMinutes(4))
                .run(NotebookHarness.notebooksDir().resolve(file));
        double seconds = (System.nanoTime() - start) / 1e9;
        SECONDS.put(file, seconds);
        System.out.printf("notebook %s ran in %.1f s%n", file, seconds);
        return notebook;
    }

    @AfterAll
    static void writeTimes() throws IOException {
        if (SECONDS.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        SECONDS.forEach((file, seconds) -> text.append(String.format("%-36s %6.1f s%n", file, seconds)));
        Files.writeString(TestJvm.moduleDir().resolve("target/tutorial-notebook-times.txt"), text);
        System.out.print("tutorial notebook run times:\n" + text);
    }

    @Test
    void everyTutorialNotebookInTheFolderIsCoveredHere() throws IOException {
        try (Stream<Path> files = Files.list(NotebookHarness.notebooksDir())) {
            List<String> found = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d\\d-.*\\.ipynb") && !n.startsWith("00-")).sorted().toList();
            assertEquals(TUTORIALS, found);
        }
    }

    @Test
    void declareYourFirstLlmRebuildsTheModelTableAndChecksShapesOnGgml() throws Exception {
        var notebook = run("01-declare-your-first-llm.ipynb");

        String table = only(tables(notebook), "chatglm2-6b");
        assertTrue(table.contains(">6,738,415,616</td>"), "LLaMA-2-7B's parameters in the model table:\n" + table);
        assertTrue(table.contains(">6,173,286,400</td>") && table.contains(">6,243,584,000</td>")
                && table.contains(">559,214,592</td>"), table);
        Matcher shapes = find(notebook.stdout(), "(\\d+) of (\\d+) nodes computed by ggml have exactly the traced shape");
        assertEquals(shapes.group(2), shapes.group(1));
        assertTrue(Integer.parseInt(shapes.group(1)) >= 15, shapes.group());
        assertTrue(notebook.stdout().contains("PREFIX         88 of 144 (query, key) pairs visible"), notebook.stdout());
        assertTrue(notebook.data("image/png").size() >= 3, "the three mask heatmaps");
        assertTrue(notebook.stdout().contains("spec 'broken' has 2 problems:"), notebook.stdout());
        // the tiny version of the spec, node by node against llama.cpp: every shared node within the tolerance
        assertTrue(notebook.stdout().contains("first node beyond the tolerance: none"), notebook.stdout());
        Matcher nodes = find(String.join("\n", notebook.data("text/plain")), "all (\\d+) matched nodes agree within");
        assertTrue(Integer.parseInt(nodes.group(1)) >= 20, nodes.group());
        // the benchmark from a cell: both engines measured on both tests, and the live bar finished
        String bench = only(tables(notebook), "llama.cpp t/s");
        assertTrue(bench.contains(">pp32</td>") && bench.contains(">tg16</td>"), "pp and tg rows:\n" + bench);
        assertTrue(String.join("\n", notebook.data("text/plain")).contains("bench 2/2 runs (100%)"), "the bench's bar");
        assertExercisesShowHints(notebook, "01", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void positionalEncodingsMeasureRopeOnGgml() throws Exception {
        var notebook = run("02-positional-encodings.ipynb");

        assertTrue(notebook.data("image/png").size() >= 6, "heatmaps: sinusoidal, RoPE, kq, ALiBi x2, T5");
        assertTrue(notebook.data("image/svg+xml").size() >= 5, "charts: similarity, slopes, buckets, wavelengths, curves");
        String out = notebook.stdout();
        assertTrue(number(out, "NoPE +largest change in the last token's logits: (\\S+)") < 1e-5, out);
        assertTrue(number(out, "RoPE\\(theta=10000.0, ADJACENT\\) +largest change in the last token's logits: (\\S+)")
                > 1e-3, out);
        assertTrue(number(out, "largest difference along a diagonal (\\S+)") < 1e-3, out);
        assertTrue(number(out, "max \\|f_PI\\(4d\\) - f_plain\\(d\\)\\| = (\\S+)") < 1e-3, out);
        Matcher yarn = find(out, "YaRN's logit scale: measured (\\S+), \\(0.1 ln 4 \\+ 1\\)\\^2 = (\\S+) ");
        assertEquals(Double.parseDouble(yarn.group(2)), Double.parseDouble(yarn.group(1)), 1e-3, yarn.group());
        assertTrue(out.contains("18 of 64 pairs never complete a turn within 4096 positions"), out);
        assertExercisesShowHints(notebook, "02", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void attentionAndKvCacheMeasuresTheCacheAgainstTheFormula() throws Exception {
        var notebook = run("03-attention-and-kv-cache.ipynb");

        String out = notebook.stdout();
        Matcher lines = Pattern.compile("kvHeads (\\d+) \\((MHA|GQA|MQA)\\): measured KV bytes ([\\d,]+), formula ([\\d,]+)")
                .matcher(out);
        List<Integer> kvHeads = new ArrayList<>();
        while (lines.find()) {
            int kv = Integer.parseInt(lines.group(1));
            long measured = Long.parseLong(lines.group(3).replace(",", ""));
            long formula = Long.parseLong(lines.group(4).replace(",", ""));
            // kv-demo: headDim 256 / 8 = 32, 4 layers, F16 (2 bytes), a session of 2048 tokens
            long byHand = 2L * kv * 32 * 4 * 2 * 2048;
            assertEquals(byHand, formula, lines.group());
            assertEquals(formula, measured, "the KV cache ggml allocated: " + lines.group());
            kvHeads.add(kv);
        }
        assertEquals(List.of(8, 4, 2, 1), kvHeads, out);
        assertTrue(number(out, "one thread streams memory at (\\S+) GB/s") > 0, out);
        String speed = only(tables(notebook), "MHA / MQA time");
        assertEquals(4, speed.split("<tr>").length - 2, "a row per context:\n" + speed);
        assertTrue(notebook.data("image/svg+xml").stream().anyMatch(s -> s.contains(">decode speed of kv-demo")),
                "the decode-speed chart");
        assertExercisesShowHints(notebook, "03", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void normsAndActivationsMeasureLayerNormAgainstRmsNorm() throws Exception {
        var notebook = run("04-norms-and-activations.ipynb");

        String out = notebook.stdout();
        Matcher ratios = Pattern.compile("LayerNorm / RMSNorm time ratio \\((bare op|as in a model), 4096 x (\\d+)\\): "
                + "(\\d+\\.\\d+)").matcher(out);
        int count = 0;
        while (ratios.find()) {
            double ratio = Double.parseDouble(ratios.group(3));
            assertTrue(ratio > 0.2 && ratio < 5, "a measured ratio, not a placeholder: " + ratios.group());
            count++;
        }
        assertEquals(4, count, out);
        Matcher zeroMean = find(out, "row \\[-1.5, -0.5, 0.5, 1.5]\\n  LayerNorm (\\[.*])\\n  RMSNorm   (\\[.*])");
        assertEquals(zeroMean.group(1), zeroMean.group(2), "on a zero-mean row ggml's norm and rms_norm agree");
        String growth = only(tables(notebook), "rms after block 11");
        assertTrue(growth.contains("<td style=\"padding:1px 8px;text-align:left\">POST</td>"), growth);
        assertTrue(out.contains("DeepNorm for 12 layers: alpha = 2.213, beta = 0.319"), out);
        assertEquals(4, notebook.data("image/svg+xml").stream().filter(s -> s.contains("Attention")).count(),
                "a block diagram per placement");
        assertExercisesShowHints(notebook, "04", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures(), "placement-demo",
                TestJvm.moduleDir().resolve("target/html-export/04-placement-diagrams.png"));
    }

    @Test
    void trainingExperimentsDrawTheScriptsResultsAndTrainLive() throws Exception {
        var notebook = run("08-training-experiments.ipynb");

        String out = notebook.stdout();
        // The live run learns from context: below the unigram entropy of the bytes, 3.06 (measured 2.43).
        assertTrue(number(out, "live run: held-out loss (\\S+) after 150 steps") < 2.8, out);
        assertTrue(notebook.data("text/plain").stream()
                .anyMatch(t -> t.startsWith("step 150/150 ") && t.strip().endsWith("done")), "the live display's last state");
        // The placement table counts what the script wrote: counted again here from the file itself.
        List<String> runs = Files.readAllLines(NotebookHarness.notebooksDir().resolve("data/norm-placement-runs.csv"));
        assertEquals("placement,layers,seed,first_loss,final_loss,diverged,stalled,unigram_entropy,ms_per_step",
                runs.getFirst());
        Map<String, int[]> counts = new TreeMap<>();
        for (String line : runs.subList(1, runs.size())) {
            String[] cells = line.split(",");
            int[] c = counts.computeIfAbsent(String.format("%2d layers %-8s", Integer.parseInt(cells[1]), cells[0]),
                    k -> new int[3]);
            c[0] += cells[5].equals("true") ? 1 : 0;
            c[1] += cells[6].equals("true") ? 1 : 0;
            c[2]++;
        }
        assertEquals(12, counts.size(), "3 depths x 4 placements: " + counts.keySet());
        counts.forEach((key, c) -> assertTrue(out.contains(String.format("%s diverged %d, stalled %d of %d seeds", key,
                c[0], c[1], c[2])), key + " in:\n" + out));
        assertTrue(out.contains("learned at 64 tokens: sequences of 64 tokens are longer than the context length of 32; "
                + "train on shorter sequences or raise contextLength"), out);
        Matcher ratios = Pattern.compile("dModel (\\d+), (training step|forward): LayerNorm / RMSNorm = (\\d+\\.\\d+)")
                .matcher(out);
        int count = 0;
        while (ratios.find()) {
            double ratio = Double.parseDouble(ratios.group(3));
            assertTrue(ratio > 0.5 && ratio < 5, "a measured ratio, not a placeholder: " + ratios.group());
            count++;
        }
        assertEquals(6, count, out);
        // two placement charts, extrapolation, two RoPE-scaling bars, two prefix-LM charts, the speed bars
        assertEquals(8, notebook.data("image/svg+xml").size(), "the experiments' charts");
        // on the exported page: those 8 and the live monitor's chart (an image inside its HTML status display)
        HtmlExport.assertFiguresShown(notebook, work, 9);
    }

    @Test
    void moeAndMlaMeasureTheLatentCacheAndTheRouter() throws Exception {
        var notebook = run("05-moe-and-mla.ipynb");

        String out = notebook.stdout();
        for (String kind : List.of("MHA", "GQA", "MQA", "MLA")) {
            Matcher cache = find(out, kind + ": formula ([\\d,]+) bytes, allocated ([\\d,]+) bytes, equal");
            assertEquals(cache.group(1), cache.group(2), cache.group());
        }
        String table = only(tables(notebook), "KV cache at 128K tokens");
        assertTrue(table.contains(">576</td>") && table.contains(">8,192</td>"), "MLA's 576 and LLaMA-2's MHA "
                + "2 x 32 x 128 values per token and layer:\n" + table);
        double ratio = number(out, "MoE / dense decode time per token: (\\S+) ");
        assertTrue(ratio > 0.3 && ratio < 3, "a measured ratio, not a placeholder: " + ratio);
        assertTrue(out.contains("(sum 96 = 48 tokens x 2)"), out);
        assertTrue(notebook.data("image/png").size() >= 6, "routing weights, load, and a load map per variant");
        assertExercisesShowHints(notebook, "05", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void beyondAttentionChecksTheRecurrenceAndMeasuresDecodingAgainstContext() throws Exception {
        var notebook = run("06-beyond-attention.ipynb");

        String out = notebook.stdout();
        Matcher agree = Pattern.compile("decay (\\S+): matrix form and recurrence differ by at most (\\S+)").matcher(out);
        int decays = 0;
        while (agree.find()) {
            assertTrue(Double.parseDouble(agree.group(2)) < 1e-12, agree.group());
            decays++;
        }
        assertEquals(3, decays, out);
        String kept = only(tables(notebook), "kept at 16,384 tokens");
        // softmax attention: 2 (K and V) x 4 layers x 256 x 2 bytes = 4,096 bytes per token; Mamba's state: 6 layers x
        // (3 + 16) x 512 channels x 4 bytes = 233,472 bytes at any context
        assertTrue(kept.contains(">4,096</td>") && kept.contains(">67,108,864</td>"), kept);
        assertTrue(kept.contains(">233,472</td>"), kept);
        String live = only(tables(notebook), "ms per token");
        assertEquals(5 * 4, live.split("<tr>").length - 2, "five models at four contexts:\n" + live);
        assertTrue(notebook.data("image/svg+xml").stream().anyMatch(s -> s.contains(">time of one decoded token")),
                "the decode-time chart");
        // the Jamba-style hybrid: Jamba-v0.1's shape, 12.1B of its 51.6B parameters active per token, and at 256K
        // tokens 4 attention layers x 2 x 8 K/V heads x 128 x 2 bytes = 4 GiB of cache, against 32 GiB for 32 layers
        assertTrue(out.contains("Jamba-v0.1's own shape: true"), out);
        String size = only(tables(notebook), "active per token");
        assertTrue(size.contains(">51,570,323,328</td>") && size.contains(">12,110,311,296</td>"), size);
        String longest = java.util.Arrays.stream(only(tables(notebook), "all attention / Jamba").split("<tr>"))
                .filter(row -> row.contains(">262,144</td>")).findFirst().orElseThrow();
        assertTrue(longest.contains(">4,096</td>") && longest.contains(">16.6</td>") && longest.contains(">32,768</td>"),
                longest);
        assertExercisesShowHints(notebook, "06", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void encodersAndDecodersFindEachUniLmMaskByRunningTheModelAndRecomputeTheMaskedLmHead() throws Exception {
        var notebook = run("07-encoders-and-decoders.ipynb");

        String out = notebook.stdout();
        assertTrue(out.contains("the loss: causal LM 11 of 12, masked LM 2 of 12, prefix LM 7 of 12"), out);
        String params = only(tables(notebook), "block norms");
        assertTrue(params.contains(">108,891,648</td>") && params.contains(">124,439,808</td>"), params);
        // GPT-2 small minus BERT-base per token is GPT-2's output head: 2 x 768 x 50,257 FLOPs
        assertEquals("77,194,752", find(out, "GPT-2's extra FLOPs per token: ([\\d,]+);").group(1), out);
        for (String mask : List.of("bidirectional", "left-to-right", "sequence-to-sequence (source 5)")) {
            assertTrue(out.contains(String.format("%-32s moved exactly where the mask lets a position see: true", mask)),
                    mask + " in:\n" + out);
        }
        // exact zeros: left to right, token 2 reaches neither position 0 nor 1 and token 6 none of 0..5; nor, sequence
        // to sequence, does token 6 (target) reach 0..5
        assertEquals(2 + 6 + 6, only(tables(notebook), "token changed").split(">0</td>", -1).length - 1);
        // T5-base beside them: both stacks, the cross-attention and the shared embedding, once
        assertTrue(params.contains(">222,903,552</td>"), params);
        assertTrue(out.contains("T5-base: shared embedding 24,674,304 + encoder 84,954,240 + decoder 84,954,240 + "
                + "cross-attention 28,320,768 = 222,903,552"), out);
        String cost = only(tables(notebook), "T5: cross-attention K and V per input token, F16 (bytes)");
        assertTrue(cost.matches("(?s).*per input token, F16 \\(bytes\\)</td>(<td[^>]*>-</td>){2}<td[^>]*>36,864</td>.*"),
                "12 layers x K and V x 768 x 2 bytes:\n" + cost);
        assertTrue(notebook.data("image/png").size() >= 6 + 4, "three masks, three measured dependences, two T5 "
                + "bucket maps, two layers' cross-attention weights");
        for (String title : List.of("encoder: T5 buckets (32, max distance 128, bidirectional)",
                "decoder: T5 buckets (32, max distance 128, causal", "cross-attention weights, decoder layer 0, step 1",
                "cross-attention weights, decoder layer 1, step 1")) {
            assertTrue(notebook.data("text/plain").stream().anyMatch(t -> t.startsWith(title)), title);
        }
        // the decoder block read back from a run: cross-attention over the 10 encoder positions, for 4 tokens
        String block = only(notebook.data("text/html"), ">cross_kq_softmax.0</td>");
        assertTrue(block.matches("(?s).*>cross_kq_softmax\\.0</td><td[^>]*>\\[4, 4, 10\\]</td>.*"), block);
        // the bias enters after QK and before the softmax: the run is reproduced with it, not without it
        assertTrue(number(out, "causal: max \\|difference\\| (\\S+)") < 1e-5, out);
        assertTrue(number(out, "without the bias: +max \\|difference\\| (\\S+)") > 0.05, out);
        assertTrue(number(out, "sum to 1 within (\\S+)") < 1e-5, out);
        Matcher held = find(out, "the session holds ([\\d,]+) bytes: .* the spec says ([\\d,]+)");
        assertEquals(held.group(2), held.group(1), held.group());
        var diagrams = notebook.data("image/svg+xml");
        assertTrue(diagrams.stream().anyMatch(s -> s.contains("data-node=\"pooled\"") && !s.contains("data-node=\"mlm\"")
                && !s.contains("data-node=\"output\"")), "BERT ends in hidden states and a pooled vector");
        assertTrue(diagrams.stream().anyMatch(s -> s.contains("data-node=\"mlm\"")), "the masked-LM head drawn");
        assertTrue(number(out, "mlm_transform by hand and from ggml differ by at most (\\S+)") < 1e-5, out);
        assertTrue(number(out, "logits by hand and from ggml differ by at most (\\S+)") < 1e-4, out);
        assertExercisesShowHints(notebook, "07", 3);
        HtmlExport.assertFiguresShown(notebook, work, notebook.figures());
    }

    @Test
    void tokenizersTrainMergeByMergeAndRebuildTheVocabularyTable() throws Exception {
        var notebook = run("09-tokenizers.ipynb");

        String out = notebook.stdout();
        String merges = only(tables(notebook), "after it");
        assertTrue(merges.contains(">a t</td>") && merges.contains(">Ġcat</td>"), "the first merge and a whole word:\n"
                + merges);
        String shipped = only(tables(notebook), "vocabularies: tokens per character");
        for (String vocabulary : List.of(">llama-spm</td>", ">gpt-2</td>", ">qwen2</td>", ">bert-bge</td>")) {
            assertTrue(shipped.contains(vocabulary), vocabulary + " in:\n" + shipped);
        }
        assertTrue(shipped.contains("|&lt;0xF0&gt;|&lt;0x9D&gt;|&lt;0x84&gt;|&lt;0x9E&gt;</td>"), "LLaMA's byte fallback "
                + "for the G clef:\n" + shipped);
        String cuts = only(tables(notebook), "by eight pre-tokenizers");
        assertEquals(8, cuts.split("<tr>").length - 2, "a row per pre-tokenizer:\n" + cuts);
        assertTrue(cuts.contains(">Deep|Seek") && cuts.contains("|_get|HTTPResponse|()|"), "GPT-4o's and Tekken's cut "
                + "where a lower-case letter meets an upper-case one:\n" + cuts);
        String trained = only(tables(notebook), "trained on 300,000 characters");
        assertEquals(3, trained.split("<tr>").length - 2, "a row per trained tokenizer:\n" + trained);
        // the byte-level BPE gives unseen Chinese back; WordPiece and Unigram lose it
        Matcher line = find(out, "text: +(\\S+)\nBPE: +(\\S+) ");
        assertEquals(line.group(1), line.group(2), line.group());
        assertTrue(find(out, "Unigram: +(\\S+) ").group(1).contains("<unk>"), out);
        // the published vocabularies, three byte-level and Llama 2's SentencePiece-style, read back from tokenizer.json
        assertEquals(4, out.split("libllama's the same: true", -1).length - 1, out);
        Matcher story = find(out, "\\((\\d+) new tokens, ");
        assertTrue(Integer.parseInt(story.group(1)) > 0, story.group());
        assertExercisesShowHints(notebook, "09", 3); // tables and text only: no figure for the HTML export to check
    }

    @Test
    void aModelSplitAcrossTwoRpcServersComputesWhatOneProcessDoesAndSurvivesLosingOne() throws Exception {
        var notebook = run("10-beyond-one-machine.ipynb");

        String out = notebook.stdout();
        String placement = only(notebook.data("text/html"), "layers live</caption>");
        assertTrue(placement.startsWith("<svg"), "the diagram before the table:\n" + placement);
        assertTrue(placement.contains(">input, 0-1</td>") && placement.contains(">2-3</td>")
                && placement.contains(">4-5, output</td>"), placement);
        assertTrue(out.contains("largest |difference| between the split model and one process: 0.0\n"), out);
        assertTrue(find(out, "RPC server 127\\.0\\.0\\.1:\\d+: the server has gone").group().length() > 0, out);
        assertTrue(out.contains("alone: largest |difference| from one process 0.0\n"), out);
        String traffic = only(tables(notebook), "what one decoded token costs");
        assertEquals(2, traffic.split("<tr>").length - 2, "a row per server:\n" + traffic);
        assertExercisesShowHints(notebook, "10", 3);
    }

    @Test
    void committedNotebooksCarryTheOutputsOfATopToBottomRun() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String file : TUTORIALS) {
            JsonNode notebook = json.readTree(NotebookHarness.notebooksDir().resolve(file).toFile());
            assertEquals("llmgraph", notebook.path("metadata").path("kernelspec").path("name").asText(), file);
            int expected = 1;
            for (JsonNode cell : notebook.path("cells")) {
                if (!cell.path("cell_type").asText().equals("code")) {
                    continue;
                }
                String source = NotebookHarness.ExecutedNotebook.joined(cell.path("source"));
                assertEquals(expected, cell.path("execution_count").asInt(-1), file + ": run every cell once, in order,"
                        + " before committing (jupyter nbconvert --execute --inplace):\n" + source);
                for (JsonNode output : cell.path("outputs")) {
                    assertFalse(output.path("output_type").asText().equals("error"), file + " was committed with an "
                            + "error in:\n" + source);
                }
                expected++;
            }
            assertTrue(expected > 5, file + " has code cells");
        }
    }

    @Test
    void formulasStayOutOfMarkdownTables() throws IOException {
        // nbconvert's HTML export typesets math with MathJax's automatic line breaks, which cut a formula in a
        // table cell into fragments (the cell has no width yet when MathJax measures it): use a list instead
        ObjectMapper json = new ObjectMapper();
        for (String file : TUTORIALS) {
            JsonNode notebook = json.readTree(NotebookHarness.notebooksDir().resolve(file).toFile());
            for (JsonNode cell : notebook.path("cells")) {
                if (cell.path("cell_type").asText().equals("markdown")) {
                    for (String line : NotebookHarness.ExecutedNotebook.joined(cell.path("source")).split("\n")) {
                        assertFalse(line.startsWith("|") && line.contains("$"), file + ": math in a table row: " + line);
                    }
                }
            }
        }
    }

    /** Each exercise cell shows the question and, for the placeholder answer 0, "not quite" with the hint. */
    private static void assertExercisesShowHints(NotebookHarness.ExecutedNotebook notebook, String number, int count) {
        List<String> verdicts = notebook.data("text/plain").stream().filter(t -> t.startsWith("not quite (" + number + "."))
                .toList();
        assertEquals(count, verdicts.size(), "exercise verdicts of notebook " + number + ": " + verdicts);
        Map<String, String> hints = new TreeMap<>();
        for (String verdict : verdicts) {
            Matcher m = find(verdict, "^not quite \\((\\d\\d\\.\\d): you answered 0\\)\\. Hint: (.{40,})");
            hints.put(m.group(1), m.group(2));
            assertTrue(notebook.stdout().contains("Exercise " + m.group(1) + ": "), "the question of " + m.group(1));
        }
        assertEquals(count, hints.size(), hints.toString());
    }

    /** The notebook's result tables ({@code dev.llmgraph.display.Table}), as HTML. */
    private static List<String> tables(NotebookHarness.ExecutedNotebook notebook) {
        return notebook.data("text/html").stream().filter(h -> h.startsWith("<table class=\"llmgraph-table\"")).toList();
    }

    private static String only(List<String> items, String containing) {
        List<String> matching = items.stream().filter(s -> s.contains(containing)).toList();
        if (matching.size() != 1) {
            fail("expected one output containing '" + containing + "', found " + matching.size());
        }
        return matching.getFirst();
    }

    private static Matcher find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("no match for /" + regex + "/ in:\n" + text);
        }
        return m;
    }

    private static double number(String text, String regex) {
        return Double.parseDouble(find(text, regex).group(1));
    }
}

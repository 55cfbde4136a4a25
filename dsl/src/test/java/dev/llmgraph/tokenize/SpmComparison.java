package dev.llmgraph.tokenize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Training time and tokens per character of llmgraph's BPE and Unigram trainers next to SentencePiece's
 * {@code spm_train} on the same text and vocabulary size (a benchmark, not a test: timings vary by machine).
 * The corpus is this repository's tracked {@code *.md}, {@code *.java} and {@code *.jsh} files in path order;
 * every tenth file is held out and only the others are trained on.
 * <pre>
 * cd dsl &amp;&amp; java -cp target/classes:target/test-classes:../ffi-bindings/target/classes \
 *     dev.llmgraph.tokenize.SpmComparison [vocabSize]
 * </pre>
 * Needs {@code spm_train} and {@code spm_encode} (Debian package {@code sentencepiece}) on the PATH and git.
 */
public final class SpmComparison {
    private static final int RUNS = 3;

    private SpmComparison() {}

    public static void main(String[] args) throws Exception {
        int vocabSize = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
        Path root = Path.of(run(Path.of("."), "git", "rev-parse", "--show-toplevel").trim());
        List<String> files = run(root, "git", "ls-files", "*.md", "*.java", "*.jsh").lines().sorted().toList();
        StringBuilder train = new StringBuilder(), heldOut = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            (i % 10 == 9 ? heldOut : train).append(Files.readString(root.resolve(files.get(i)))).append('\n');
        }
        Path dir = Files.createTempDirectory("spm-comparison");
        Path trainFile = Files.writeString(dir.resolve("train.txt"), train);
        Path heldOutFile = Files.writeString(dir.resolve("held-out.txt"), heldOut);
        String text = heldOut.toString();
        long characters = text.codePointCount(0, text.length());
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf("corpus: %d files, %.2f MB trained on, %.2f MB held out (%d characters); vocabSize %d; "
                        + "%d cores%n%n", files.size(), train.length() / 1e6, heldOut.length() / 1e6, characters,
                vocabSize, Runtime.getRuntime().availableProcessors());
        System.out.println("| trainer | training time | tokens per character (held out) |");
        System.out.println("| --- | --- | --- |");
        java(" llmgraph BPE (byte-level, GPT-2 pre-tokenisation)", () -> BpeTrainer.train(train.toString(), vocabSize),
                bpe -> bpe.encode(text).length, characters);
        spm(dir, trainFile, heldOutFile, "bpe", vocabSize, characters, false);
        String trainAsSpm = spmDefaultText(train.toString());
        java(" llmgraph BPE on spm's default text (trained and encoded as spm_encode sees it)",
                () -> BpeTrainer.train(trainAsSpm, vocabSize), bpe -> spmDefaultText(text).lines()
                        .filter(line -> !line.isEmpty()).mapToInt(line -> bpe.encode(line).length).sum(), characters);
        spm(dir, trainFile, heldOutFile, "bpe", vocabSize, characters, true);
        java(" llmgraph Unigram", () -> UnigramTrainer.train(train.toString(), vocabSize),
                unigram -> unigram.encode(text).length, characters);
        spm(dir, trainFile, heldOutFile, "unigram", vocabSize, characters, false);
        spm(dir, trainFile, heldOutFile, "unigram", vocabSize, characters, true);
        System.out.println("\nload average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static <T> void java(String name, java.util.function.Supplier<T> trainer, ToIntFunction<T> encode,
                                 long characters) {
        List<Double> seconds = new ArrayList<>();
        T tokenizer = null;
        for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            tokenizer = trainer.get();
            seconds.add((System.nanoTime() - start) / 1e9);
        }
        System.out.printf("|%s | %.2f s warm (%.2f s cold) | %.4f |%n", name, seconds.getLast(), seconds.getFirst(),
                encode.applyAsInt(tokenizer) / (double) characters);
    }

    /**
     * The text as spm's default normaliser (nmt_nfkc) leaves each line: NFKC, tabs as spaces, no leading, trailing
     * or repeated spaces. spm_encode encodes a line at a time, so the newlines cost nothing.
     */
    private static String spmDefaultText(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String normal = Normalizer.normalize(line, Normalizer.Form.NFKC).replace('\t', ' ').strip();
            out.append(normal.replaceAll(" {2,}", " ")).append('\n');
        }
        return out.toString();
    }

    /**
     * spm_train with its defaults (NFKC, extra whitespace removed), or like for like with llmgraph: no
     * normalisation, whitespace kept, pieces made of whitespace allowed (indentation), byte fallback, every
     * character covered. spm_encode reads a line at a time and drops the newlines, which llmgraph's tokenizers
     * must encode; like for like, each newline is counted as one token more.
     */
    private static void spm(Path dir, Path train, Path heldOut, String type, int vocabSize, long characters,
                            boolean likeLlmgraph) throws Exception {
        Path prefix = dir.resolve(type + (likeLlmgraph ? "-identity" : ""));
        List<String> command = new ArrayList<>(List.of("spm_train", "--input=" + train, "--model_prefix=" + prefix,
                "--model_type=" + type, "--vocab_size=" + vocabSize, "--minloglevel=2",
                "--max_sentence_length=100000"));
        if (likeLlmgraph) {
            command.addAll(List.of("--normalization_rule_name=identity", "--remove_extra_whitespaces=false",
                    "--character_coverage=1.0", "--allow_whitespace_only_pieces=true", "--byte_fallback=true"));
        }
        long start = System.nanoTime();
        run(dir, command.toArray(String[]::new));
        double seconds = (System.nanoTime() - start) / 1e9;
        String ids = run(dir, "spm_encode", "--model=" + prefix + ".model", "--output_format=id",
                "--input=" + heldOut);
        long tokens = ids.lines().mapToLong(line -> line.isBlank() ? 0 : line.trim().split(" +").length).sum();
        if (likeLlmgraph) {
            tokens += Files.readString(heldOut).chars().filter(c -> c == '\n').count();
        }
        System.out.printf("| spm_train --model_type=%s%s | %.2f s | %.4f |%n", type,
                likeLlmgraph ? " (like for like: whitespace kept, a token per newline)" : "", seconds,
                tokens / (double) characters);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + p.exitValue());
        }
        return out;
    }
}

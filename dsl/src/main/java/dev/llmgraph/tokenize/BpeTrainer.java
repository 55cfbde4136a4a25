package dev.llmgraph.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns a byte-level BPE vocabulary from a text, as GPT-2's tokenizer was made: cut the text into words
 * ({@link PreTokenizer}), start from the 256 byte tokens, and repeatedly merge the pair of adjacent tokens
 * that occurs most often across all words (ties: the pair of lower ids) into a new token, until the
 * vocabulary has the size asked for or no pair occurs twice. Pair counts are kept up to date as words change,
 * so each merge touches only the words that hold its pair.
 */
public final class BpeTrainer {
    private static final int MIN_PAIR_COUNT = 2;
    private static final String STAGE = "BPE: merges";

    private final List<String> vocabulary = new ArrayList<>(ByteLevel.alphabet());
    private final List<int[]> words = new ArrayList<>();
    private final List<Integer> wordCounts = new ArrayList<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, List<Integer>> wordsWithPair = new HashMap<>();
    private final PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) -> x[0] != y[0]
            ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));

    private BpeTrainer() {}

    /**
     * A tokenizer of at most {@code vocabSize} tokens (256 bytes + merges + {@code specialTokens}) learned
     * from {@code corpus}.
     */
    public static BpeTokenizer train(String corpus, int vocabSize, String... specialTokens) {
        return train(corpus, vocabSize, TrainingProgress.NONE, specialTokens);
    }

    /** As {@link #train(String, int, String...)}, reporting the merges made (stage "BPE: merges"). */
    public static BpeTokenizer train(String corpus, int vocabSize, TrainingProgress progress, String... specialTokens) {
        TextChecks.requireWellFormed(corpus, "the corpus");
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("the corpus is empty; give the text to learn the vocabulary from");
        }
        List<String> specials = specialTokens == null ? List.of() : Arrays.asList(specialTokens);
        if (new HashSet<>(specials).size() != specials.size()
                || specials.stream().anyMatch(t -> t == null || t.isEmpty())) {
            throw new IllegalArgumentException("special tokens must be distinct and non-empty, got " + specials);
        }
        int minimum = ByteLevel.SIZE + specials.size();
        if (vocabSize < minimum) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is smaller than the 256 byte tokens"
                    + (specials.isEmpty() ? "" : " plus " + specials.size() + " special tokens")
                    + " that every byte-level vocabulary holds; ask for at least " + minimum);
        }
        BpeTrainer t = new BpeTrainer();
        t.countWords(corpus);
        List<String> merges = t.learn(vocabSize - specials.size(), new HashSet<>(specials), progress);
        return new BpeTokenizer(merges, specials);
    }

    /** As {@link #train(String, int, String...)}, reading the corpus from a UTF-8 file. */
    public static BpeTokenizer train(Path corpusFile, int vocabSize, String... specialTokens) {
        return train(readUtf8(corpusFile), vocabSize, specialTokens);
    }

    public static BpeTokenizer train(Path corpusFile, int vocabSize, TrainingProgress progress,
                                     String... specialTokens) {
        return train(readUtf8(corpusFile), vocabSize, progress, specialTokens);
    }

    /** The file's text; a byte sequence that is not UTF-8 is named by its offset. */
    static String readUtf8(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the corpus " + file + ": " + e.getMessage(), e);
        }
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text: the bytes at offset " + in.position()
                    + " do not form a character; convert the file to UTF-8 (e.g. iconv -t UTF-8)", e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text at offset " + in.position(), e);
        }
    }

    private void countWords(String corpus) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String word : PreTokenizer.GPT2.words(corpus)) {
            counts.merge(ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
        }
        counts.forEach((word, count) -> {
            int[] symbols = new int[word.length()];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = ByteLevel.decode(word.substring(i, i + 1))[0] & 0xFF;
            }
            int index = words.size();
            words.add(symbols);
            wordCounts.add(count);
            addPairs(index, symbols, count, null);
        });
        pairCounts.forEach((pair, count) -> queue.add(new long[] {count, pair}));
    }

    private List<String> learn(int size, Set<String> reserved, TrainingProgress progress) {
        List<String> merges = new ArrayList<>();
        int wanted = size - vocabulary.size();
        int every = Math.max(1, wanted / 100);
        int[] lastVisit = new int[words.size()];
        while (vocabulary.size() < size && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            Long current = pairCounts.get(pair);
            if (current == null || current != top[0]) {
                continue; // a stale entry: the pair's count changed since it was queued
            }
            if (current < MIN_PAIR_COUNT) {
                break;
            }
            int left = (int) (pair >>> 32), right = (int) pair;
            String merged = vocabulary.get(left) + vocabulary.get(right);
            if (reserved.contains(merged)) {
                pairCounts.remove(pair); // would duplicate a special token; never merge it
                continue;
            }
            int id = vocabulary.size();
            vocabulary.add(merged);
            merges.add(vocabulary.get(left) + " " + vocabulary.get(right));
            if (merges.size() % every == 0 && merges.size() < wanted) {
                progress.update(STAGE, merges.size(), wanted, merges.getLast());
            }
            Set<Long> touched = new HashSet<>();
            for (int w : wordsWithPair.remove(pair)) {
                if (lastVisit[w] == id) {
                    continue;
                }
                lastVisit[w] = id;
                int[] symbols = words.get(w);
                int[] replaced = replace(symbols, left, right, id);
                if (replaced != symbols) {
                    int count = wordCounts.get(w);
                    addPairs(w, symbols, -count, touched);
                    addPairs(w, replaced, count, touched);
                    words.set(w, replaced);
                }
            }
            pairCounts.remove(pair);
            touched.remove(pair);
            for (long p : touched) {
                Long count = pairCounts.get(p);
                if (count != null && count > 0) {
                    queue.add(new long[] {count, p});
                }
            }
        }
        progress.update(STAGE, wanted, wanted, merges.size() + " merges"
                + (merges.size() < wanted ? " (no pair left that occurs twice)" : ""));
        return merges;
    }

    /** {@code symbols} with every (left, right), taken left to right, replaced by {@code id}; the same array if none. */
    private static int[] replace(int[] symbols, int left, int right, int id) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                if (out == null) {
                    out = new int[symbols.length - 1];
                    System.arraycopy(symbols, 0, out, 0, i);
                    n = i;
                }
                out[n++] = id;
                i++;
            } else if (out != null) {
                out[n++] = symbols[i];
            }
        }
        return out == null ? symbols : java.util.Arrays.copyOf(out, n);
    }

    /** Adds {@code delta} to the count of every adjacent pair of word {@code w}. */
    private void addPairs(int w, int[] symbols, long delta, Set<Long> touched) {
        for (int i = 0; i + 1 < symbols.length; i++) {
            long pair = ((long) symbols[i] << 32) | (symbols[i + 1] & 0xFFFFFFFFL);
            long count = pairCounts.merge(pair, delta, Long::sum);
            if (count <= 0) {
                pairCounts.remove(pair);
            }
            if (delta > 0) {
                wordsWithPair.computeIfAbsent(pair, p -> new ArrayList<>()).add(w);
            }
            if (touched != null) {
                touched.add(pair);
            }
        }
    }
}

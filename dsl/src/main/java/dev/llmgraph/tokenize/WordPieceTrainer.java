package dev.llmgraph.tokenize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns a WordPiece vocabulary: words split into characters (the first marked as a word start), then
 * repeatedly the adjacent pair with the highest likelihood score {@code count(ab) / (count(a) count(b))}
 * is merged into a new piece: a pair that occurs together more often than its parts' frequencies predict
 * (ties: the more frequent pair, then the lower ids). Pairs seen once are not merged. Encoding then uses the
 * vocabulary by longest match ({@link WordPieceTokenizer}), not by replaying the merges.
 */
public final class WordPieceTrainer {
    private static final int MIN_PAIR_COUNT = 2;
    private static final String STAGE = "WordPiece: merges";

    private final List<String> symbols = new ArrayList<>();
    private final Map<String, Integer> symbolIds = new HashMap<>();
    private final List<int[]> words = new ArrayList<>();
    private final List<Integer> wordCounts = new ArrayList<>();
    private final Map<Integer, Long> symbolCounts = new HashMap<>();
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, List<Integer>> wordsWithPair = new HashMap<>();

    private WordPieceTrainer() {}

    /** A vocabulary of at most {@code vocabSize} tokens (the 5 special tokens included) learned from {@code corpus}. */
    public static WordPieceTokenizer train(String corpus, int vocabSize) {
        return train(corpus, vocabSize, TrainingProgress.NONE);
    }

    /** As {@link #train(String, int)}, reporting the vocabulary's growth (stage "WordPiece: merges"). */
    public static WordPieceTokenizer train(String corpus, int vocabSize, TrainingProgress progress) {
        TextChecks.requireWellFormed(corpus, "the corpus");
        WordPieceTrainer t = new WordPieceTrainer();
        t.countWords(corpus);
        if (t.words.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no words (it is empty or only whitespace and control "
                    + "characters); give the text to learn the vocabulary from");
        }
        int minimum = WordPieceTokenizer.SPECIAL_TOKENS.size() + t.symbols.size();
        if (vocabSize < minimum) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is smaller than the 5 special tokens plus "
                    + "the " + t.symbols.size() + " characters of the corpus (as word starts and continuations); ask "
                    + "for at least " + minimum);
        }
        t.learn(vocabSize - WordPieceTokenizer.SPECIAL_TOKENS.size(), progress);
        return new WordPieceTokenizer(t.symbols);
    }

    /** As {@link #train(String, int)}, reading the corpus from a UTF-8 file. */
    public static WordPieceTokenizer train(Path corpusFile, int vocabSize) {
        return train(BpeTrainer.readUtf8(corpusFile), vocabSize);
    }

    public static WordPieceTokenizer train(Path corpusFile, int vocabSize, TrainingProgress progress) {
        return train(BpeTrainer.readUtf8(corpusFile), vocabSize, progress);
    }

    private int symbol(String text) {
        return symbolIds.computeIfAbsent(text, s -> {
            symbols.add(s);
            return symbols.size() - 1;
        });
    }

    private void countWords(String corpus) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String word : WordSplitter.words(corpus)) {
            counts.merge(word, 1, Integer::sum);
        }
        counts.forEach((word, count) -> {
            int[] parts = word.codePoints().toArray();
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                ids[i] = symbol((i == 0 ? WordPieceTokenizer.WORD_START : "") + Character.toString(parts[i]));
            }
            words.add(ids);
            wordCounts.add(count);
            add(words.size() - 1, ids, count);
        });
    }

    private void learn(int size, TrainingProgress progress) {
        int[] lastVisit = new int[words.size()];
        int merges = 0;
        int first = symbols.size(), wanted = size - first, every = Math.max(1, wanted / 100), reported = 0;
        while (symbols.size() < size) {
            int made = symbols.size() - first;
            if (made >= reported + every) {
                progress.update(STAGE, made, wanted, symbols.getLast());
                reported = made;
            }
            long best = -1;
            double bestScore = -1;
            long bestCount = 0;
            for (var e : pairCounts.entrySet()) {
                long count = e.getValue();
                if (count < MIN_PAIR_COUNT) {
                    continue;
                }
                long pair = e.getKey();
                double score = count / ((double) symbolCounts.get((int) (pair >>> 32)) * symbolCounts.get((int) pair));
                if (score > bestScore || (score == bestScore && (count > bestCount
                        || (count == bestCount && pair < best)))) {
                    best = pair;
                    bestScore = score;
                    bestCount = count;
                }
            }
            if (best < 0) {
                break;
            }
            int left = (int) (best >>> 32), right = (int) best;
            // A piece already made from another pair ("a" + "bc" after "ab" + "c") keeps its id.
            int id = symbol(symbols.get(left) + symbols.get(right));
            merges++;
            for (int w : wordsWithPair.remove(best)) {
                if (lastVisit[w] == merges) {
                    continue;
                }
                lastVisit[w] = merges;
                int[] before = words.get(w);
                int[] after = replace(before, left, right, id);
                if (after != before) {
                    add(w, before, -wordCounts.get(w));
                    add(w, after, wordCounts.get(w));
                    words.set(w, after);
                }
            }
            pairCounts.remove(best);
        }
        int made = symbols.size() - first;
        progress.update(STAGE, Math.max(wanted, 0), Math.max(wanted, 0), made + " pieces made"
                + (made < wanted ? " (no pair left that occurs twice)" : ""));
    }

    private static int[] replace(int[] symbols, int left, int right, int id) {
        List<Integer> out = new ArrayList<>(symbols.length);
        boolean changed = false;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                out.add(id);
                i++;
                changed = true;
            } else {
                out.add(symbols[i]);
            }
        }
        return changed ? out.stream().mapToInt(Integer::intValue).toArray() : symbols;
    }

    /** Adds {@code delta} occurrences of word {@code w}'s symbols and adjacent pairs. */
    private void add(int w, int[] ids, long delta) {
        for (int i = 0; i < ids.length; i++) {
            symbolCounts.merge(ids[i], delta, Long::sum);
            if (i + 1 < ids.length) {
                long pair = ((long) ids[i] << 32) | (ids[i + 1] & 0xFFFFFFFFL);
                if (pairCounts.merge(pair, delta, Long::sum) <= 0) {
                    pairCounts.remove(pair);
                }
                if (delta > 0) {
                    wordsWithPair.computeIfAbsent(pair, p -> new ArrayList<>()).add(w);
                }
            }
        }
    }
}

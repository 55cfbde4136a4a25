package dev.llmgraph.tokenize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns a Unigram vocabulary as SentencePiece does (Kudo 2018), from the top down:
 * <ol>
 * <li>The text is normalised as the encoder will see it ({@link UnigramTokenizer#normalize}) and cut into
 *     words: {@code ▁} with the characters up to the next {@code ▁}, or a run of {@code ▁} (indentation);
 *     pieces never cross a word boundary.</li>
 * <li>Seed ({@link SeedCounter}): every character, and every substring of up to 16 characters that occurs at
 *     least twice and is not always followed by the same character (except the special tokens' names), weighted
 *     by occurrences times length (a long frequent substring starts ahead); of those, the 5 x vocabSize
 *     heaviest.</li>
 * <li>EM: the E-step runs forward-backward over each word's lattice of matching pieces and adds up how often
 *     each piece is expected to be used; the M-step makes the pieces' log-probabilities those counts over
 *     their sum, and drops pieces expected less than half a time.</li>
 * <li>Prune: for each piece, the loss of likelihood if it were removed and its uses (Viterbi counts) went to
 *     the best cutting of the piece without it; the quarter of pieces that lose least go, never a single
 *     character (so every text of the corpus' characters still encodes). Back to EM until the vocabulary is
 *     at most 10% above the size asked for; then the most probable pieces of that size are kept.</li>
 * </ol>
 */
public final class UnigramTrainer {
    /** Longest piece, in characters (SentencePiece's default). */
    static final int MAX_PIECE_LENGTH = 16;
    private static final int EM_STEPS_PER_ROUND = 2;
    private static final double KEPT_PER_ROUND = 0.75;
    private static final double MIN_EXPECTED_COUNT = 0.5;
    private static final double MIN_CHARACTER_COUNT = 1e-6;
    private static final double OVERSHOOT = 1.1;
    /**
     * Seeds kept per token asked for, the heaviest first. Fewer seeds train faster and, measured, compress
     * held-out text better: 0.2174 tokens per character instead of 0.2307 with all 286,166 seeds (this repository's
     * sources, 8000 tokens), 0.2473 instead of 0.2567 (Moby-Dick); 3 per token is worse again (0.2269).
     */
    private static final int SEEDS_PER_TOKEN = 5;

    private final List<String> words = new ArrayList<>();
    /** The words as code points, read in every E-step. */
    private int[][] wordCodePoints;
    private long[] wordCounts;
    private final List<String> pieces = new ArrayList<>();
    private boolean[] required;
    private boolean[] alive;
    private double[] logProbs;
    private PieceTrie trie;
    /** Every word's matching pieces under the current trie, found once a round. */
    private WordLattices lattices;
    private int aliveCount;
    private int trieSize;

    private UnigramTrainer() {}

    /** A vocabulary of at most {@code vocabSize} tokens (the 3 special tokens included) learned from {@code corpus}. */
    public static UnigramTokenizer train(String corpus, int vocabSize) {
        return train(corpus, vocabSize, TrainingProgress.NONE);
    }

    /** As {@link #train(String, int)}, reporting each seeding length and each EM-and-pruning round. */
    public static UnigramTokenizer train(String corpus, int vocabSize, TrainingProgress progress) {
        TextChecks.requireWellFormed(corpus, "the corpus");
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("the corpus is empty; give the text to learn the vocabulary from");
        }
        UnigramTrainer t = new UnigramTrainer();
        t.countWords(corpus);
        int characters = t.distinctCharacters();
        int minimum = UnigramTokenizer.SPECIAL_TOKENS.size() + characters;
        if (vocabSize < minimum) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is smaller than the 3 special tokens plus "
                    + "the " + characters + " characters of the corpus (spaces read ▁), each of which stays a piece; "
                    + "ask for at least " + minimum);
        }
        t.seed(vocabSize, progress);
        t.learn(vocabSize - UnigramTokenizer.SPECIAL_TOKENS.size(), progress);
        return t.tokenizer();
    }

    /** As {@link #train(String, int)}, reading the corpus from a UTF-8 file. */
    public static UnigramTokenizer train(Path corpusFile, int vocabSize) {
        return train(BpeTrainer.readUtf8(corpusFile), vocabSize);
    }

    public static UnigramTokenizer train(Path corpusFile, int vocabSize, TrainingProgress progress) {
        return train(BpeTrainer.readUtf8(corpusFile), vocabSize, progress);
    }

    /**
     * Cuts the normal form into words: {@code ▁} and the characters up to the next {@code ▁}, or a run of
     * {@code ▁} (the last of which starts the next word), so that indentation can become whitespace pieces.
     */
    private void countWords(String corpus) {
        String text = UnigramTokenizer.normalize(corpus);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int start = 0; start < text.length(); ) {
            int end = start + 1;
            if (text.charAt(start) == UnigramTokenizer.SPACE && end < text.length()
                    && text.charAt(end) == UnigramTokenizer.SPACE) {
                while (end < text.length() && text.charAt(end) == UnigramTokenizer.SPACE) {
                    end++;
                }
                end = end < text.length() ? end - 1 : end;
            } else {
                while (end < text.length() && text.charAt(end) != UnigramTokenizer.SPACE) {
                    end++;
                }
            }
            counts.merge(text.substring(start, end), 1L, Long::sum);
            start = end;
        }
        words.addAll(counts.keySet());
        wordCounts = counts.values().stream().mapToLong(Long::longValue).toArray();
        wordCodePoints = words.stream().map(word -> word.codePoints().toArray()).toArray(int[][]::new);
    }

    private int distinctCharacters() {
        BitSet seen = new BitSet();
        for (int[] word : wordCodePoints) {
            for (int c : word) {
                seen.set(c);
            }
        }
        return seen.cardinality();
    }

    /** The seeds ({@link SeedCounter}): of those, the heaviest {@link #SEEDS_PER_TOKEN} per token asked for. */
    private void seed(int vocabSize, TrainingProgress progress) {
        int[] substrings = new int[1];
        Map<String, Long> weights = SeedCounter.seeds(wordCodePoints, wordCounts, MAX_PIECE_LENGTH, (length, n) -> {
            substrings[0] = n;
            if (length < MAX_PIECE_LENGTH) {
                progress.update("Unigram: seed pieces", length, MAX_PIECE_LENGTH, n + " substrings");
            }
            return n;
        });
        UnigramTokenizer.SPECIAL_TOKENS.forEach(weights::remove); // "<unk>" in the text stays characters
        long limit = (long) SEEDS_PER_TOKEN * vocabSize;
        if (weights.size() > limit) { // the heaviest seeds, and every character
            List<Map.Entry<String, Long>> ranked = new ArrayList<>(weights.entrySet());
            ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey()));
            Map<String, Long> kept = new LinkedHashMap<>();
            for (var e : ranked) {
                if (kept.size() < limit || e.getKey().codePointCount(0, e.getKey().length()) == 1) {
                    kept.put(e.getKey(), e.getValue());
                }
            }
            weights.keySet().retainAll(kept.keySet());
        }
        pieces.addAll(weights.keySet());
        progress.update("Unigram: seed pieces", MAX_PIECE_LENGTH, MAX_PIECE_LENGTH, substrings[0]
                + " substrings, " + pieces.size() + " seeds");
        int n = pieces.size();
        required = new boolean[n];
        alive = new boolean[n];
        logProbs = new double[n];
        Arrays.fill(alive, true);
        aliveCount = n;
        double logTotal = Math.log(weights.values().stream().mapToDouble(Long::doubleValue).sum());
        for (int id = 0; id < n; id++) {
            String piece = pieces.get(id);
            required[id] = piece.codePointCount(0, piece.length()) == 1;
            logProbs[id] = Math.log(weights.get(piece)) - logTotal;
        }
        rebuildTrie();
    }

    /** A trie of the living pieces, made again when pruning has removed many. */
    private void rebuildTrie() {
        trie = new PieceTrie();
        trieSize = aliveCount;
        for (int id = 0; id < pieces.size(); id++) {
            if (alive[id]) {
                trie.add(pieces.get(id), id);
            }
        }
    }

    /**
     * EM and pruning until at most 10% more pieces than asked for are left (the M-step still drops a few), then
     * the most probable {@code size} of them (every character among them).
     */
    private void learn(int size, TrainingProgress progress) {
        int roughSize = (int) (size * OVERSHOOT);
        for (int round = 1; ; round++) {
            double logLikelihood = 0;
            for (int step = 0; step < EM_STEPS_PER_ROUND; step++) {
                if (trieSize > 2 * aliveCount) {
                    rebuildTrie(); // the first M-step drops most seeds
                    lattices = null;
                }
                if (lattices == null || step == 0) { // once a round: pruning left a quarter of the edges dead
                    lattices = new WordLattices(wordCodePoints, wordCounts, trie, alive);
                }
                logLikelihood = expectationMaximisation();
            }
            boolean done = aliveCount <= roughSize;
            int rounds = round;
            for (int n = aliveCount; n > roughSize; n = Math.max(roughSize, (int) (n * KEPT_PER_ROUND))) {
                rounds++; // an estimate: M-steps drop pieces too
            }
            progress.update("Unigram: EM and pruning", round, rounds,
                    aliveCount + " pieces, log-likelihood " + String.format("%.4g", logLikelihood));
            if (done) {
                break;
            }
            prune(Math.max(roughSize, (int) (aliveCount * KEPT_PER_ROUND)));
        }
        List<Integer> byProbability = new ArrayList<>();
        int requiredAlive = 0;
        for (int id = 0; id < pieces.size(); id++) {
            if (alive[id] && required[id]) {
                requiredAlive++;
            } else if (alive[id]) {
                byProbability.add(id);
            }
        }
        byProbability.sort(Comparator.<Integer>comparingDouble(id -> -logProbs[id]).thenComparing(pieces::get));
        for (int i = Math.max(0, size - requiredAlive); i < byProbability.size(); i++) {
            kill(byProbability.get(i));
        }
    }

    /** One E-step and M-step; returns the corpus' log-likelihood under the pieces before the step. */
    private double expectationMaximisation() {
        WordLattices.Expectation expectation = lattices.expectation(logProbs, alive);
        double[] expected = expectation.counts();
        double total = 0;
        for (int id = 0; id < expected.length; id++) {
            if (!alive[id]) {
                continue;
            }
            if (required[id]) {
                expected[id] = Math.max(expected[id], MIN_CHARACTER_COUNT);
            } else if (expected[id] < MIN_EXPECTED_COUNT) {
                kill(id);
                continue;
            }
            total += expected[id];
        }
        double logTotal = Math.log(total);
        for (int id = 0; id < expected.length; id++) {
            if (alive[id]) {
                logProbs[id] = Math.log(expected[id]) - logTotal;
            }
        }
        return expectation.logLikelihood();
    }

    private void kill(int id) {
        alive[id] = false;
        logProbs[id] = Double.NEGATIVE_INFINITY;
        aliveCount--;
    }

    /** Keeps the {@code keep} pieces whose removal would lose the most likelihood, and every character. */
    private void prune(int keep) {
        double[] uses = lattices.viterbiUses(logProbs, alive);
        double total = Arrays.stream(uses).sum();
        double[] loss = new double[pieces.size()];
        List<Integer> candidates = new ArrayList<>();
        int requiredAlive = 0;
        for (int id = 0; id < pieces.size(); id++) {
            if (alive[id] && required[id]) {
                requiredAlive++;
            } else if (alive[id]) {
                candidates.add(id);
            }
        }
        candidates.parallelStream().filter(id -> uses[id] > 0).forEach(id -> { // each writes its own loss[id]
            int[] alternative = viterbi(pieces.get(id).codePoints().toArray(), id);
            // Its uses go to each piece of the alternative cutting: the corpus gets (parts - 1) * uses more pieces.
            double logTotalAfter = Math.log(total + uses[id] * (alternative.length - 1));
            double before = Math.log(uses[id]) - Math.log(total);
            double after = 0;
            for (int part : alternative) {
                after += Math.log(uses[part] + uses[id]) - logTotalAfter;
            }
            loss[id] = uses[id] * (before - after);
        });
        candidates.sort(Comparator.<Integer>comparingDouble(id -> -loss[id]).thenComparing(pieces::get));
        for (int i = Math.max(0, keep - requiredAlive); i < candidates.size(); i++) {
            kill(candidates.get(i));
        }
    }

    /** The most likely cutting of {@code text} into living pieces other than {@code excluded}. */
    private int[] viterbi(int[] text, int excluded) {
        int n = text.length;
        double[] best = new double[n + 1];
        int[] piece = new int[n + 1], from = new int[n + 1];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        best[0] = 0;
        for (int i = 0; i < n; i++) {
            if (best[i] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            for (int node = PieceTrie.ROOT, end = i; end < n; ) {
                if ((node = trie.child(node, text[end++])) < 0) {
                    break;
                }
                int id = trie.piece(node);
                if (id >= 0 && id != excluded && alive[id] && best[i] + logProbs[id] > best[end]) {
                    best[end] = best[i] + logProbs[id];
                    piece[end] = id;
                    from[end] = i;
                }
            }
        }
        List<Integer> reversed = new ArrayList<>();
        for (int end = n; end > 0; end = from[end]) {
            reversed.add(piece[end]);
        }
        return reversed.reversed().stream().mapToInt(Integer::intValue).toArray();
    }

    private UnigramTokenizer tokenizer() {
        List<Integer> kept = new ArrayList<>();
        for (int id = 0; id < pieces.size(); id++) {
            if (alive[id]) {
                kept.add(id);
            }
        }
        kept.sort(Comparator.<Integer>comparingDouble(id -> -logProbs[id]).thenComparing(pieces::get));
        float[] scores = new float[kept.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) logProbs[kept.get(i)];
        }
        return new UnigramTokenizer(kept.stream().map(pieces::get).toList(), scores);
    }
}

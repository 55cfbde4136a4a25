package dev.llmgraph.tokenize;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.stream.IntStream;

/**
 * Counts the substrings of a Unigram trainer's words, one length at a time, in a trie: a substring is counted
 * only where the one a character shorter was seen twice (else it is rare too). The substrings are split by their
 * first character into {@link #PARTITIONS} tries counted in parallel: a substring and all its extensions start
 * with the same character, so no two partitions touch the same node. The partitions are read back in order, so
 * the seeds come out in the same order on any number of cores.
 */
final class SeedCounter {
    static final int PARTITIONS = 8;

    private SeedCounter() {}

    /** The starts (word, position) whose first character falls in one partition, and their trie. */
    private static final class Partition {
        final PieceTrie trie = new PieceTrie();
        final SubstringCounts counts = new SubstringCounts();
        int[] word;
        int[] position;
        /** The node of the substring at each start, of the length being counted. */
        int[] node;
        /** Starts still counted: a start whose substring ran out or was rare is dropped. */
        int size;
    }

    /**
     * Every character, and every substring of 2 to {@code maxLength} characters seen twice or more that is not
     * always followed by the same character (the longer one has its count and its occurrences, and scores
     * higher; SentencePiece seeds from a suffix array's branching nodes likewise), with its weight: occurrences
     * times length. {@code progress} hears each length counted and the number of substrings counted so far.
     */
    static Map<String, Long> seeds(int[][] words, long[] counts, int maxLength, IntBinaryOperator progress) {
        Partition[] partitions = partitions(words);
        for (int length = 1; length <= maxLength; length++) {
            int counted = length;
            Arrays.stream(partitions).parallel().forEach(p -> count(p, words, counts, counted));
            progress.applyAsInt(length, Arrays.stream(partitions).mapToInt(p -> p.trie.nodes() - 1).sum());
        }
        Map<String, Long> weights = new LinkedHashMap<>();
        for (Partition p : partitions) {
            long[] longestFollowing = new long[p.trie.nodes()]; // per node: its most frequent extension's count
            for (int n = 1; n < p.trie.nodes(); n++) {
                int parent = p.counts.parent(n);
                longestFollowing[parent] = Math.max(longestFollowing[parent], p.counts.count(n));
            }
            for (int n = 1; n < p.trie.nodes(); n++) {
                long count = p.counts.count(n);
                if (p.counts.length(n) == 1 || count >= 2 && count > longestFollowing[n]) {
                    weights.put(p.counts.text(n), count * p.counts.length(n));
                }
            }
        }
        return weights;
    }

    private static Partition[] partitions(int[][] words) {
        Partition[] partitions = IntStream.range(0, PARTITIONS).mapToObj(i -> new Partition())
                .toArray(Partition[]::new);
        int[] sizes = new int[PARTITIONS];
        for (int[] word : words) {
            for (int c : word) {
                sizes[c % PARTITIONS]++;
            }
        }
        for (int i = 0; i < PARTITIONS; i++) {
            partitions[i].word = new int[sizes[i]];
            partitions[i].position = new int[sizes[i]];
            partitions[i].node = new int[sizes[i]];
        }
        for (int w = 0; w < words.length; w++) {
            for (int s = 0; s < words[w].length; s++) {
                Partition p = partitions[words[w][s] % PARTITIONS];
                p.word[p.size] = w;
                p.position[p.size++] = s;
            }
        }
        return partitions;
    }

    /** Counts the substrings of {@code length} at the partition's starts, keeping the starts that go on. */
    private static void count(Partition p, int[][] words, long[] counts, int length) {
        int kept = 0;
        for (int i = 0; i < p.size; i++) {
            int w = p.word[i], s = p.position[i];
            int parent = length == 1 ? PieceTrie.ROOT : p.node[i];
            if (s + length > words[w].length || (length > 1 && p.counts.count(parent) < 2)) {
                continue; // no longer substring fits here, or none is seen twice
            }
            int codePoint = words[w][s + length - 1];
            int child = p.trie.childOrNew(parent, codePoint);
            p.counts.add(child, parent, codePoint, length, counts[w]);
            p.word[kept] = w;
            p.position[kept] = s;
            p.node[kept++] = child;
        }
        p.size = kept;
    }
}

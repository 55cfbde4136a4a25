package dev.llmgraph.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE's merges by rank, and one word merged by them: the adjacent pair of lowest rank (the leftmost
 * where two tie) is merged until none is left.
 */
final class MergeTable {
    private final Map<String, Integer> ranks = new HashMap<>();

    /**
     * @param merges    in rank order, each "left right"
     * @param normalIds the vocabulary's normal tokens, which must hold both sides of every merge and what it makes
     */
    MergeTable(List<String> merges, Map<String, Integer> normalIds) {
        for (int i = 0; i < merges.size(); i++) {
            String merge = merges.get(i);
            int space = merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("merge " + i + " is '" + merge + "'; a merge is two tokens "
                        + "separated by one space");
            }
            String left = merge.substring(0, space), right = merge.substring(space + 1);
            for (String part : List.of(left, right, left + right)) {
                if (!normalIds.containsKey(part)) {
                    throw new IllegalArgumentException("merge " + i + " '" + merge + "' needs '" + part + "', which is "
                            + "not a normal token of the vocabulary");
                }
            }
            ranks.putIfAbsent(merge, i);
        }
    }

    /** The pieces of {@code word}, written in the byte-level alphabet. */
    List<String> apply(String word) {
        List<String> parts = new ArrayList<>(word.length());
        for (int i = 0; i < word.length(); i++) {
            parts.add(String.valueOf(word.charAt(i)));
        }
        while (parts.size() > 1) {
            int best = -1, bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = ranks.get(parts.get(i) + " " + parts.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, parts.get(best) + parts.remove(best + 1));
        }
        return parts;
    }
}

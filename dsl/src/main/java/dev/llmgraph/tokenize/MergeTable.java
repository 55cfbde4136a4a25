package dev.llmgraph.tokenize;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A BPE's merges by rank, and a word merged by them: the adjacent pair of lowest rank (the leftmost where two tie)
 * is merged until none is left. Words are token ids; a queue of candidate pairs keeps merging near linear in the
 * word's length, for SentencePiece-style vocabularies merge a whole text at once.
 */
final class MergeTable {
    /** Rank by pair of ids ({@code left << 32 | right}); the id each rank makes. */
    private final LongIntMap ranks = new LongIntMap();
    private final int[] made;

    /**
     * @param merges    in rank order, each "left right"
     * @param normalIds the vocabulary's normal tokens, which must hold both sides of every merge and what it makes
     */
    MergeTable(List<String> merges, Map<String, Integer> normalIds) {
        made = new int[merges.size()];
        for (int i = 0; i < merges.size(); i++) {
            String merge = merges.get(i);
            int space = merge.indexOf(' ');
            if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                throw new IllegalArgumentException("merge " + i + " is '" + merge + "'; a merge is two tokens "
                        + "separated by one space");
            }
            String left = merge.substring(0, space), right = merge.substring(space + 1);
            int leftId = normalId(normalIds, left, i, merge), rightId = normalId(normalIds, right, i, merge);
            made[i] = normalId(normalIds, left + right, i, merge);
            long pair = pair(leftId, rightId);
            if (ranks.get(pair) < 0) {
                ranks.put(pair, i);
            }
        }
    }

    private static int normalId(Map<String, Integer> normalIds, String part, int rank, String merge) {
        Integer id = normalIds.get(part);
        if (id == null) {
            throw new IllegalArgumentException("merge " + rank + " '" + merge + "' needs '" + part + "', which is not "
                    + "a normal token of the vocabulary");
        }
        return id;
    }

    private static long pair(int left, int right) {
        return (long) left << 32 | right;
    }

    /** The rank of merging {@code left} and {@code right}, or -1 where they do not merge (or one is not a token). */
    private int rank(int left, int right) {
        return left < 0 || right < 0 ? -1 : ranks.get(pair(left, right));
    }

    /**
     * {@code symbols} (token ids; -1 for a symbol that is no token, which merges with nothing) merged: the ids of
     * the pieces, in order.
     */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        int[] piece = symbols.clone(), next = new int[n], previous = new int[n];
        boolean[] gone = new boolean[n];
        LongHeap candidates = new LongHeap(n);
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            previous[i] = i - 1;
            if (i + 1 < n) {
                offer(candidates, piece, i, i + 1);
            }
        }
        while (candidates.size() > 0) {
            long c = candidates.poll();
            int rank = (int) (c >>> 32), left = (int) c;
            int right = gone[left] ? -1 : next[left];
            // stale where the left piece is gone or its pair changed since (a rank names one pair)
            if (right < 0 || rank(piece[left], piece[right]) != rank) {
                continue;
            }
            piece[left] = made[rank];
            gone[right] = true;
            next[left] = next[right];
            if (next[left] >= 0) {
                previous[next[left]] = left;
                offer(candidates, piece, left, next[left]);
            }
            if (previous[left] >= 0) {
                offer(candidates, piece, previous[left], left);
            }
        }
        int[] out = new int[n];
        int count = 0;
        for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i]) {
            out[count++] = piece[i];
        }
        return Arrays.copyOf(out, count);
    }

    private void offer(LongHeap candidates, int[] piece, int left, int right) {
        int rank = rank(piece[left], piece[right]);
        if (rank >= 0) {
            candidates.add((long) rank << 32 | left);   // lowest rank first, then the leftmost
        }
    }

    /** A min-heap of longs, without boxing. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        int size() {
            return size;
        }

        void add(long item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0 && items[(i - 1) / 2] > item) {
                items[i] = items[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            items[i] = item;
        }

        long poll() {
            long top = items[0], last = items[--size];
            int i = 0;
            while (2 * i + 1 < size) {
                int child = 2 * i + 1;
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}

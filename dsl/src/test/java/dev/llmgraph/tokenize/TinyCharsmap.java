package dev.llmgraph.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A precompiled character map built from a few rules, in SentencePiece's layout, for tests: each state of the trie
 * gets its own block of 256 nodes (a child by byte c at the block's start + c), its replacement's offset, where a
 * rule ends there, in the block's first node. Real maps pack their blocks; the walk that reads them is the same.
 */
public final class TinyCharsmap {
    private TinyCharsmap() {}

    /** The map that replaces each key of {@code rules} (UTF-8) by its value. */
    public static byte[] of(Map<String, String> rules) {
        List<Map<Integer, Integer>> edges = new ArrayList<>();   // state -> byte -> state
        List<Integer> ends = new ArrayList<>();                   // state -> replacement offset, or -1
        edges.add(new TreeMap<>());
        ends.add(-1);
        ByteArrayOutputStream replacements = new ByteArrayOutputStream();
        for (var rule : new TreeMap<>(rules).entrySet()) {
            int state = 0;
            for (byte b : rule.getKey().getBytes(StandardCharsets.UTF_8)) {
                Integer next = edges.get(state).get(b & 0xFF);
                if (next == null) {
                    next = edges.size();
                    edges.add(new TreeMap<>());
                    ends.add(-1);
                    edges.get(state).put(b & 0xFF, next);
                }
                state = next;
            }
            ends.set(state, replacements.size());
            replacements.writeBytes(rule.getValue().getBytes(StandardCharsets.UTF_8));
            replacements.write(0);
        }
        int[] nodes = new int[256 * (edges.size() + 1)];
        nodes[0] = 256 << 10;                                     // the root's block
        for (int state = 0; state < edges.size(); state++) {
            for (var edge : edges.get(state).entrySet()) {
                int child = 256 * (state + 1) + edge.getKey(), next = 256 * (edge.getValue() + 1);
                boolean leaf = ends.get(edge.getValue()) >= 0;
                nodes[child] = (child ^ next) << 10 | (leaf ? 1 << 8 : 0) | edge.getKey();
                if (leaf) {
                    nodes[next] = 1 << 31 | ends.get(edge.getValue());
                }
            }
        }
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * nodes.length + replacements.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(4 * nodes.length);
        for (int node : nodes) {
            out.putInt(node);
        }
        out.put(replacements.toByteArray());
        return out.array();
    }
}

package dev.llmgraph.tokenize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * SentencePiece's precompiled normalisation rules (T5's and XLM-RoBERTa's NFKC with their own changes), as a GGUF
 * file ({@code tokenizer.ggml.precompiled_charsmap}) and a tokenizer.json ({@code Precompiled}) hold them: a map from
 * UTF-8 byte strings to their replacements. The blob is a little-endian 32-bit length, then that many bytes of a
 * XOR-compressed double-array trie (one 32-bit word per node: the next offset in bits 10 to 30, shifted left by 8
 * where bit 9 is set; whether a replacement ends here in bit 8; the byte that leads here in bits 0 to 7, bit 31 set
 * in nodes holding a replacement's offset instead), then the replacements, each ending in a 0 byte. The longest
 * prefix of the input that the trie holds is replaced (Kanda's XCDA, as SentencePiece's normaliser and llama.cpp's
 * UGM tokenizer read it).
 */
final class PrecompiledCharsmap {
    private final byte[] blob;
    private final int[] nodes;
    /** Where the replacements start in {@link #blob}. */
    private final int replacements;

    private PrecompiledCharsmap(byte[] blob, int[] nodes, int replacements) {
        this.blob = blob;
        this.nodes = nodes;
        this.replacements = replacements;
    }

    /** The rules in {@code blob}, whose layout is checked here; its trie's offsets are checked as they are followed. */
    static PrecompiledCharsmap of(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("the precompiled character map is " + blob.length + " bytes; it starts "
                    + "with a 4-byte length");
        }
        long trieBytes = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xFFFFFFFFL;
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > blob.length - 4) {
            throw new IllegalArgumentException("the precompiled character map says its trie takes " + trieBytes
                    + " bytes, but a trie is a whole number of 4-byte nodes, at least one, within the map's "
                    + blob.length + " bytes");
        }
        int[] nodes = new int[(int) (trieBytes / 4)];
        ByteBuffer.wrap(blob, 4, (int) trieBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(nodes);
        PrecompiledCharsmap map = new PrecompiledCharsmap(blob.clone(), nodes, 4 + (int) trieBytes);
        map.checkEveryPath();
        return map;
    }

    /**
     * Follows every path of the trie once, so that a damaged map is refused when it is read, not when a text
     * happens to walk into the damage: every node reached lies within the trie, and every replacement named lies
     * within the map and ends in a 0 byte.
     */
    private void checkEveryPath() {
        boolean[] seen = new boolean[nodes.length];
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>();
        todo.push(base(0));
        while (!todo.isEmpty()) {
            int from = todo.pop();
            for (int c = 1; c < 256; c++) {
                int child = from ^ c;
                if (check(child) != c) {
                    continue;
                }
                int next = child ^ base(child);   // where the walk goes on: within the trie too
                int atNext = node(next);
                if ((node(child) >>> 8 & 1) != 0) {
                    replacement(atNext & 0x7FFFFFFF);
                }
                if (!seen[next]) {
                    seen[next] = true;
                    todo.push(next);
                }
            }
        }
    }

    /** The map as it is stored. */
    byte[] bytes() {
        return blob.clone();
    }

    /**
     * The replacement for the longest prefix of {@code input[from, to)} the map holds, and that prefix's length in
     * bytes; null where it holds none. A 0 byte ends the prefixes looked at.
     */
    Match longestMatch(byte[] input, int from, int to) {
        int length = 0, offset = 0;
        int node = base(0);
        for (int at = from; at < to; at++) {
            int c = input[at] & 0xFF;
            if (c == 0) {
                break;
            }
            node ^= c;
            if (check(node) != c) {
                break;
            }
            boolean leaf = (node(node) >>> 8 & 1) != 0;
            node ^= base(node);
            if (leaf) {
                length = at - from + 1;
                offset = node(node) & 0x7FFFFFFF;
            }
        }
        return length == 0 ? null : new Match(length, replacement(offset));
    }

    /** A prefix of {@code length} input bytes, to be replaced by {@code replacement}. */
    record Match(int length, byte[] replacement) {}

    private byte[] replacement(int offset) {
        if (offset >= blob.length - replacements) {
            throw new IllegalArgumentException("the precompiled character map names replacement " + offset + ", past "
                    + "its " + (blob.length - replacements) + " bytes of replacements");
        }
        int start = replacements + offset, end = start;
        while (end < blob.length && blob[end] != 0) {
            end++;
        }
        if (end == blob.length) {
            throw new IllegalArgumentException("the precompiled character map's replacement at " + offset + " runs "
                    + "to the end of the map without the 0 byte that ends it");
        }
        return Arrays.copyOfRange(blob, start, end);
    }

    private int node(int index) {
        if (index < 0 || index >= nodes.length) {
            throw new IllegalArgumentException("the precompiled character map's trie leads to node " + index
                    + ", outside its " + nodes.length + " nodes");
        }
        return nodes[index];
    }

    private int base(int index) {
        int packed = node(index);
        return (packed >>> 10) << ((packed & (1 << 9)) >>> 6);
    }

    private int check(int index) {
        return node(index) & (1 << 31 | 0xFF);
    }
}

package dev.llmgraph.tokenize;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * GPT-2's byte-level alphabet: every byte written as one printable character, so that a token is a plain
 * string and a merge is two strings separated by a space. Printable bytes ({@code !} to {@code ~}, and
 * Latin-1's printable range) stand for themselves; the other 68 bytes (space, controls, ...) take the
 * characters from U+0100 on, in byte order. A space therefore reads {@code Ġ} and a newline {@code Ċ}.
 * llama.cpp's byte-level BPE and GGUF files use the same table.
 */
public final class ByteLevel {
    /** Bytes there are. */
    public static final int SIZE = 256;

    private static final char[] CHAR_OF_BYTE = new char[SIZE];
    private static final int[] BYTE_OF_CHAR = new int[SIZE + 68];

    static {
        java.util.Arrays.fill(BYTE_OF_CHAR, -1);
        int unprintable = 0;
        for (int b = 0; b < SIZE; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : SIZE + unprintable++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private ByteLevel() {}

    /** The 256 one-character tokens, token i standing for byte i. */
    public static List<String> alphabet() {
        List<String> out = new ArrayList<>(SIZE);
        for (int b = 0; b < SIZE; b++) {
            out.add(String.valueOf(CHAR_OF_BYTE[b]));
        }
        return Collections.unmodifiableList(out);
    }

    /** {@code bytes} written in the byte-level alphabet, one character per byte. */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** The bytes a byte-level string stands for. */
    public static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
            if (b < 0) {
                throw new IllegalArgumentException("'" + c + "' (U+" + String.format("%04X", (int) c) + ") at index "
                        + i + " is not a character of the byte-level alphabet");
            }
            out.write(b);
        }
        return out.toByteArray();
    }
}

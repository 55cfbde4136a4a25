package dev.llmgraph.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Utf8Pieces} against the JDK's whole-array UTF-8 decoding, on text split anywhere and on random bytes. */
class Utf8PiecesTest {
    @Test
    void charactersSplitAcrossPiecesComeOutWhole() {
        byte[] bytes = "a大🙂é".getBytes(StandardCharsets.UTF_8);
        Utf8Pieces pieces = new Utf8Pieces();
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            String piece = pieces.add(new byte[] {b});
            assertEquals(-1, piece.indexOf('\uFFFD'), "no half character comes out");
            out.append(piece);
        }
        assertEquals("a大🙂é", out.append(pieces.finish()).toString());
    }

    @Test
    void randomBytesInRandomPiecesReadAsTheirWholeSequence() {
        SplittableRandom random = new SplittableRandom(1);
        for (int trial = 0; trial < 500; trial++) {
            byte[] bytes = new byte[random.nextInt(1, 40)];
            for (int i = 0; i < bytes.length; i++) {
                // mostly lead and continuation bytes, so that partial and broken characters are common
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(0x20, 0x7f) : random.nextInt(0x80, 0x100));
            }
            Utf8Pieces pieces = new Utf8Pieces();
            StringBuilder out = new StringBuilder();
            for (int at = 0; at < bytes.length; ) {
                int n = Math.min(bytes.length - at, random.nextInt(1, 5));
                out.append(pieces.add(java.util.Arrays.copyOfRange(bytes, at, at + n)));
                at += n;
            }
            out.append(pieces.finish());
            assertEquals(new String(bytes, StandardCharsets.UTF_8), out.toString(), "trial " + trial);
        }
    }
}

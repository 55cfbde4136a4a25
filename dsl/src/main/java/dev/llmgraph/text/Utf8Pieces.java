package dev.llmgraph.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Token pieces (bytes) turned into text as they come. A byte-level or byte-fallback token can hold part of a
 * UTF-8 character, so the bytes that do not yet form a whole character wait for the next piece; bytes that
 * can never form one read as U+FFFD, as {@code new String(bytes, UTF_8)} reads them, so the texts returned
 * one after another equal the whole sequence's bytes read at once.
 */
final class Utf8Pieces {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] waiting = new byte[0];

    /** The text that {@code bytes} complete (possibly empty). */
    String add(byte[] bytes) {
        ByteBuffer in = ByteBuffer.allocate(waiting.length + bytes.length).put(waiting).put(bytes).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        waiting = new byte[in.remaining()];
        in.get(waiting);
        return out.flip().toString();
    }

    /** The text of the bytes still waiting (U+FFFD for an unfinished character); empty when none wait. */
    String finish() {
        ByteBuffer in = ByteBuffer.wrap(waiting);
        CharBuffer out = CharBuffer.allocate(waiting.length + 1);
        decoder.decode(in, out, true);
        decoder.flush(out);
        decoder.reset();
        waiting = new byte[0];
        return out.flip().toString();
    }
}

package dev.llmgraph.ggml.gguf;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Names quoted in GGUF messages come from the file, and a damaged file makes them binary garbage (the GGUF
 * fuzz run found keys of NUL bytes and raw tensor records): control characters are shown as {@code \xNN} and
 * a long name is cut at 80 characters, so a message stays one readable line.
 */
class GgufPrintableNamesTest {
    @Test
    void controlCharactersAreEscaped() {
        assertEquals("t.i8\\x0b\\x00\\x00\\x7fok", GgufMessages.printable("t.i8\u000b\u0000\u0000\u007fok"));
        assertEquals("llama.block_count", GgufMessages.printable("llama.block_count"));
    }

    @Test
    void longNamesAreCut() {
        String name = "x".repeat(200);
        assertEquals("x".repeat(80) + "... (200 characters)", GgufMessages.printable(name));
        assertEquals("\\x00".repeat(20) + "... (30 characters)", GgufMessages.printable("\u0000".repeat(30)));
    }
}

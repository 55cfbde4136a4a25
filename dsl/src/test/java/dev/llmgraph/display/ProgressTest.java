package dev.llmgraph.display;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    /** What a notebook kernel's sink receives, kept in order. */
    static final class RecordingSink implements DisplaySink {
        record Event(String kind, Map<String, String> bundle, String displayId) {}

        final List<Event> events = new ArrayList<>();
        private final boolean updates;

        RecordingSink(boolean updates) {
            this.updates = updates;
        }

        @Override
        public void display(Map<String, String> bundle, String displayId) {
            events.add(new Event("display", bundle, displayId));
        }

        @Override
        public void update(Map<String, String> bundle, String displayId) {
            events.add(new Event("update", bundle, displayId));
        }

        @Override
        public boolean supportsUpdates() {
            return updates;
        }
    }

    @AfterEach
    void resetDisplay() {
        Display.reset();
    }

    @Test
    void notebookProgressDisplaysOnceThenUpdatesUnderTheSameId() {
        RecordingSink sink = new RecordingSink(true);
        Display.install(sink);
        try (Progress p = Progress.start("generating", 4, "tokens")) {
            for (int i = 0; i < 4; i++) {
                p.step();
            }
        }
        List<RecordingSink.Event> events = sink.events;
        assertEquals("display", events.getFirst().kind());
        String id = events.getFirst().displayId();
        assertNotNull(id);
        assertTrue(events.size() >= 2, "at least the display and the final update");
        for (RecordingSink.Event e : events.subList(1, events.size())) {
            assertEquals("update", e.kind());
            assertEquals(id, e.displayId());
        }
        assertTrue(events.getFirst().bundle().get("text/plain").startsWith("generating 0/4 tokens (0%)"));
        RecordingSink.Event last = events.getLast();
        assertTrue(last.bundle().get("text/html").contains("<progress value=\"4\" max=\"4\""), last.toString());
        assertTrue(last.bundle().get("text/plain").startsWith("generating 4/4 tokens (100%)"), last.toString());
        assertTrue(last.bundle().get("text/plain").contains("done in"), last.toString());
        Xml.parse(last.bundle().get("text/html"));
    }

    @Test
    void everyWholePercentGetsAnUpdate() {
        RecordingSink sink = new RecordingSink(true);
        Display.install(sink);
        try (Progress p = Progress.start("steps", 5)) {
            for (int i = 0; i < 5; i++) {
                p.step();
            }
        }
        // display, 5 steps of 20% each, final update
        assertEquals(7, sink.events.size());
        assertEquals(1, sink.events.stream().map(RecordingSink.Event::displayId).distinct().count());
    }

    @Test
    void unknownTotalShowsTheCount() {
        RecordingSink sink = new RecordingSink(true);
        Display.install(sink);
        try (Progress p = Progress.start("reading", 0, "files")) {
            p.step(3);
            p.message("last: a.gguf");
        }
        String text = sink.events.getLast().bundle().get("text/plain");
        assertTrue(text.startsWith("reading 3 files "), text);
        assertTrue(text.endsWith(" · last: a.gguf"), text);
        assertTrue(sink.events.getLast().bundle().get("text/html").contains("<progress style="), "indeterminate bar");
    }

    @Test
    void terminalProgressLeavesTheSinkAlone() {
        RecordingSink sink = new RecordingSink(false);
        Display.install(sink);
        try (Progress p = Progress.start("terminal", 3)) {
            p.step(3);
            assertEquals(3, p.done());
        }
        assertTrue(sink.events.isEmpty(), "a terminal sink gets the progress bar on stderr, not display messages");
    }

    @Test
    void aLogGetsOneLineAtTheStartAndOneAtTheEndWithoutCarriageReturns() {
        var bytes = new java.io.ByteArrayOutputStream();
        var log = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        Progress p = Progress.start("weights of tiny", 3, "tensors", new LogProgress(log));
        p.step(3);
        p.message("last: output.weight");
        p.close();

        String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        var lines = text.lines().toList();
        assertEquals(2, lines.size(), text);
        assertEquals("weights of tiny: started, 3 tensors", lines.get(0));
        assertTrue(lines.get(1).matches("weights of tiny: 3 of 3 tensors in \\d+\\.\\d s \\(last: output\\.weight\\)"),
                lines.get(1));
    }

    @Test
    void stepsAfterCloseAreRefused() {
        Display.install(new RecordingSink(true));
        Progress p = Progress.start("done already", 2);
        p.close();
        p.close();
        var e = assertThrows(IllegalStateException.class, p::step);
        assertEquals("progress 'done already' is already closed", e.getMessage());
    }
}

package dev.llmgraph.display;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LiveText} in a notebook (one display, updates under its id, the whole text last) and in a terminal. */
class LiveTextTest {
    /** What a notebook kernel's sink receives. */
    static final class Recording implements DisplaySink {
        final List<String> calls = new ArrayList<>();
        final List<Map<String, String>> bundles = new ArrayList<>();
        final List<String> ids = new ArrayList<>();

        @Override
        public void display(Map<String, String> bundle, String displayId) {
            calls.add("display");
            bundles.add(bundle);
            ids.add(displayId);
        }

        @Override
        public void update(Map<String, String> bundle, String displayId) {
            calls.add("update");
            bundles.add(bundle);
            ids.add(displayId);
        }

        @Override
        public boolean supportsUpdates() {
            return true;
        }
    }

    @Test
    void inANotebookOneDisplayIsUpdatedInPlaceAndEndsWithTheWholeText() {
        Recording sink = new Recording();
        try (LiveText live = LiveText.updating(sink)) {
            for (int i = 0; i < 200; i++) {
                live.append(i % 2 == 0 ? "<b>" : " & ");
            }
        }
        assertEquals("display", sink.calls.getFirst());
        assertTrue(sink.calls.subList(1, sink.calls.size()).stream().allMatch("update"::equals), sink.calls::toString);
        assertTrue(sink.calls.size() < 100, "updates are throttled: " + sink.calls.size());
        assertEquals(1, sink.ids.stream().distinct().count());
        String whole = "<b> & ".repeat(100);
        assertEquals(whole, sink.bundles.getLast().get("text/plain"));
        assertEquals("<pre class=\"llmgraph-text\" style=\"white-space:pre-wrap;margin:0\">"
                + "&lt;b&gt; &amp; ".repeat(100) + "</pre>", sink.bundles.getLast().get("text/html"));
    }

    @Test
    void elsewhereEachPieceIsPrintedAndTheLineEndsAtClose() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LiveText live = LiveText.printing(out);
        live.append("Once");
        assertEquals("Once", bytes.toString(StandardCharsets.UTF_8), "printed as it comes, not at the end");
        live.append(" upon 大");
        live.close();
        live.close();
        assertEquals("Once upon 大" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
        assertEquals("this live text is closed; start another one",
                assertThrows(IllegalStateException.class, () -> live.append("x")).getMessage());
    }
}
